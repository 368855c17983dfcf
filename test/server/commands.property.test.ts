// Fuzzing the command table: random commands with random parameters, from random registration states, never crash or stall the server, and never reach a bystander.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, TestClient } from '../helpers/irc.js';

const COMMANDS = [
  'AUTHENTICATE',
  'AWAY',
  'BATCH',
  'CAP',
  'CHATHISTORY',
  'HELP',
  'INFO',
  'INVITE',
  'ISON',
  'JOIN',
  'KICK',
  'KILL',
  'LINKS',
  'LIST',
  'LUSERS',
  'MARKREAD',
  'MODE',
  'MONITOR',
  'MOTD',
  'NAMES',
  'NICK',
  'NOTICE',
  'OPER',
  'PART',
  'PASS',
  'PING',
  'PONG',
  'PRIVMSG',
  'REDACT',
  'REGISTER',
  'REHASH',
  'RENAME',
  'SETNAME',
  'STATS',
  'TAGMSG',
  'TIME',
  'TOPIC',
  'USER',
  'USERHOST',
  'VERIFY',
  'VERSION',
  'WALLOPS',
  'WHO',
  'WHOIS',
  'WHOWAS',
  'NICKSERV',
  'NS',
  'CS',
  'FOO',
];

/** Parameters that mean something to some command, and noise. */
const word = fc.oneof(
  fc.constantFrom(
    '#lobby',
    '#new',
    '&x',
    '*',
    '0',
    '-1',
    '99999999999',
    '+o',
    '-o',
    '+b',
    '+k',
    '+l',
    '+i',
    '+beI',
    'bystander',
    'fuzzer',
    'LS',
    'REQ',
    'END',
    'LIST',
    'LATEST',
    'BEFORE',
    'AFTER',
    'BETWEEN',
    'AROUND',
    'TARGETS',
    'timestamp=2020-01-01T00:00:00.000Z',
    'msgid=abc',
    'PLAIN',
    'SCRAM-SHA-256',
    '+',
    '-',
    'C',
    'L',
    'S',
    'draft/multiline',
    'sasl',
    'message-tags',
    '+abc',
    'IDENTIFY',
    'REGISTER',
    'x'.repeat(600),
  ),
  fc
    .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 })
    .map((s) => s.replace(/[\s:]/g, 'x')),
);
const trailing = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, ' '));
const tags = fc.constantFrom('', '@label=l1 ', '@batch=b1 ', '@+typing=active ', '@a=b;c ');
const fuzzLine = fc
  .tuple(tags, fc.constantFrom(...COMMANDS), fc.array(word, { maxLength: 5 }), fc.option(trailing))
  .map(
    ([t, c, ps, tr]) =>
      `${t}${c}${ps.length ? ' ' + ps.join(' ') : ''}${tr === null ? '' : ' :' + tr}`,
  );

test('fuzz: random commands from random states never crash or stall the server nor reach a bystander', async () => {
  const srv = await startServer({ defaultChannel: '#lobby', flood: null });
  try {
    const bystander = await TestClient.register(srv.port, 'bystander');
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(), // registered first, or still registering
        fc.array(fuzzLine, { minLength: 1, maxLength: 30 }),
        async (registered, lines) => {
          const fuzzer = registered
            ? await TestClient.register(srv.port, 'fuzzer', [], false)
            : await TestClient.connect(srv.port);
          const mark = bystander.received.length;
          fuzzer.socket.write(lines.map((l) => l + '\r\n').join(''));
          if (!fuzzer.closed) {
            fuzzer.send('PING :alive');
            await fuzzer
              .expect(
                (m) =>
                  (m.command === 'PONG' && m.params[1] === 'alive') ||
                  m.command === 'ERROR' ||
                  (m.command === '451' && m.params[1] === 'PING'),
                5000,
                'an answer after the fuzz',
              )
              .catch((err: Error) => {
                if (!fuzzer.closed) throw err; // a QUIT among the lines closes it: fine
              });
          }
          fuzzer.destroy();
          await fuzzer.closedPromise;
          // The server still serves, and the bystander saw nothing addressed to someone else.
          await bystander.sync();
          for (const r of bystander.received.slice(mark)) {
            const m = r.msg;
            if (m.command === 'PRIVMSG' || m.command === 'NOTICE' || m.command === 'TAGMSG') {
              const to = m.params[0];
              assert.ok(
                to.startsWith('#') ||
                  to.startsWith('&') ||
                  to.toLowerCase() === 'bystander' ||
                  to.startsWith('@') ||
                  to.startsWith('+'),
                `bystander got a message for ${to}: ${r.raw}`,
              );
            }
          }
        },
      ),
      {
        numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? 25),
        seed: Number(process.env.PARLEY_FUZZ_SEED ?? 7),
      },
    );
    const check = await TestClient.register(srv.port, 'after');
    await check.sync();
    check.destroy();
    bystander.destroy();
  } finally {
    await srv.stop();
  }
});
