// `node dist/bench/typing-load.js PORT BACKGROUND_RATE VISIBLE_RATE`: the typing bench's load — two raw IRC connections sending fixed rates of lines into #dev and #lobby.
//
// A process of its own, so that sending never delays the bench's clock. It talks to the bench
// over stdin and stdout, one word a line:
//   → "joined"          both connections are in their channels
//   → "watched NICK"    NICK joined #dev (the client under test is in both channels)
//   ← "go"              start sending; "stop" stops, and it answers
//   → "sent DEV LOBBY SECONDS"  and exits.
import net from 'node:net';
import { createInterface } from 'node:readline';

const HOST = '127.0.0.1';
/** The sending clock: every tick sends the lines that are due, in one write per channel. */
const TICK_MS = 5;

const words =
  'the quick brown fox jumps over a lazy dog while seven wizards quietly hex jolly'.split(' ');

/** A chat line of 40 to 200 characters, lowercase only (the bench looks for capitals it typed). */
function text(seq: number): string {
  const n = 6 + ((seq * 7919) % 28);
  const out = [`line ${seq}`];
  for (let k = 0; k < n; k++) out.push(words[(seq + k * 3) % words.length]);
  return out.join(' ');
}

/** One registered connection in `channel`, answering PINGs and reading (and dropping) the rest. */
function member(
  port: number,
  nick: string,
  channel: string,
  onLine: (line: string) => void,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port, noDelay: true });
    let carry = '';
    let joined = false;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`NICK ${nick}\r\nUSER ${nick} 0 * :typing bench\r\n`));
    socket.on('data', (chunk: string) => {
      const lines = (carry + chunk).split('\r\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('PING ')) socket.write(`PONG ${line.slice(5)}\r\n`);
        else if (/^:\S+ 001 /.test(line)) socket.write(`JOIN ${channel}\r\n`);
        else if (!joined && new RegExp(`^:\\S+ 366 ${nick} ${channel} `).test(line)) {
          joined = true;
          resolve(socket);
        }
        onLine(line);
      }
    });
  });
}

async function main(): Promise<void> {
  const [port, backgroundRate, visibleRate] = process.argv.slice(2).map(Number);
  if (!(port > 0) || !(backgroundRate >= 0) || !(visibleRate >= 0)) {
    process.stderr.write('usage: typing-load.js PORT BACKGROUND_RATE VISIBLE_RATE\n');
    process.exit(2);
  }
  const say = (s: string): boolean => process.stdout.write(s + '\n');
  const watch = (line: string): void => {
    const m = /^:([^!\s]+)!\S* JOIN :?#dev$/.exec(line);
    if (m !== null && m[1] !== 'loaddev') say(`watched ${m[1]}`);
  };
  const [dev, lobby] = await Promise.all([
    member(port, 'loaddev', '#dev', watch),
    member(port, 'loadlobby', '#lobby', () => {}),
  ]);
  say('joined');

  let sent = [0, 0];
  let t0 = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = (): void => {
    const elapsed = (performance.now() - t0) / 1000;
    const targets: Array<[net.Socket, string, number, number]> = [
      [dev, '#dev', backgroundRate, 0],
      [lobby, '#lobby', visibleRate, 1],
    ];
    for (const [socket, channel, rate, k] of targets) {
      const due = Math.floor(rate * elapsed) - sent[k];
      if (due <= 0) continue;
      let out = '';
      for (let i = 0; i < due; i++) out += `PRIVMSG ${channel} :${text(sent[k] + i)}\r\n`;
      socket.write(out);
      sent[k] += due;
    }
  };
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'go' && timer === null) {
      sent = [0, 0];
      t0 = performance.now();
      timer = setInterval(tick, TICK_MS);
    } else if (line === 'stop') {
      if (timer !== null) clearInterval(timer);
      const seconds = timer === null ? 0 : (performance.now() - t0) / 1000;
      say(`sent ${sent[0]} ${sent[1]} ${seconds.toFixed(3)}`);
      break;
    }
  }
  dev.end('QUIT\r\n');
  lobby.end('QUIT\r\n');
  process.exit(0);
}

void main();
