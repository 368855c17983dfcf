#!/usr/bin/env -S node --max-semi-space-size=2 --interrupt-budget=16384
// The `parley` command: dispatches to subcommands and turns user errors into one line and an exit code.
// The shebang's node flags (`npm start` and the benchmark use the same; a test keeps them equal):
// --max-semi-space-size=2 caps V8's young generation at 2 MiB per semi-space (default 16). The
//   young generation grows to its cap under a burst of connections and stays there, a fixed cost
//   that a server of 2,000 users pays per user: 2,000 idle registered clients cost 6.5-6.7 KiB of
//   RSS each with a cap of 4 and 3.9-4.3 with 2 (interleaved bench runs); fanout, direct and
//   blast throughput moved within the run-to-run noise (3.58/3.45 against 3.24/4.45 M/s fanout).
//   (--single-threaded-gc was tried: lower direct-rate p99 in 6 A/B pairs, but more memory.)
// --interrupt-budget=16384 (V8's default 67584) sends hot functions to the optimizing compiler
//   after a quarter of the interpreted work, so a server just started (a restart, then everyone
//   reconnecting and talking) reaches full speed in a fraction of a second rather than after
//   tens of thousands of messages. Steady state is unchanged. Interleaved bench pairs: direct-blast
//   (its measured burst is 0.2 s long) 1.23x the rate (median of 7; 240-312 k/s -> 327-363),
//   fanout-rate-200 p99 6.3/6.6/5.4 ms against 16.3/8.2/9.1; blast 0.98x and fanout 1.0x (noise).
import { CliError } from './errors.js';
import { VERSION } from '../server/version.js';

const USAGE = `Usage: parley <command> [options]

A command-line chat system that speaks IRC.

Commands:
  serve      run the chat server (any IRC client can connect)
  connect    chat from this terminal (parley connect HOST --nick NAME)
  passwd     print the hash of an operator password, for the config file's opers: list
  account    add an account to a running server (parley account add NAME --socket PATH)
  cert       write a self-signed TLS certificate and key for the server (--tls-cert, --tls-key)

Options:
  -h, --help     show this help (parley <command> --help for a command's options)
  -V, --version  print the version

Quick start:
  parley serve                 # listen on port 6667; everyone meets in #lobby
  parley connect HOST -n alice # on each chatting machine (or any IRC client)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    case '-V':
    case '--version':
      process.stdout.write(VERSION + '\n');
      return 0;
    // Each subcommand loads only its own half: the server never loads the terminal client.
    case 'serve':
      return (await import('./serve.js')).serve(rest);
    case 'connect':
      return (await import('./connect.js')).connect(rest);
    case 'passwd':
      return (await import('./opers-config.js')).passwd(rest);
    case 'cert':
      return (await import('./cert.js')).cert(rest);
    case 'account':
      return (await import('./account.js')).account(rest);
    default:
      throw new CliError(`unknown command '${command}' (see parley --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Exit once stdout has drained: a piped chat log or transcript must not lose its tail.
    if (code !== 0 || process.argv[2] !== undefined)
      process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`parley: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`parley: internal error: ${(err as Error)?.stack ?? err}\n`);
    process.exit(70);
  },
);
