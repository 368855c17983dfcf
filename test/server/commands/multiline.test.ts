// draft/multiline over real TCP: a batch delivered whole to cap clients, line by line to others, and its limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MULTILINE_MAX_BYTES, MULTILINE_MAX_LINES } from '../../../src/server/limits.js';
import { shapes, startServer, TestClient } from '../../helpers/irc.js';

const CAPS = ['draft/multiline', 'batch', 'message-tags'];

test('a multiline batch reaches cap clients as one batch and others as one message per line', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', CAPS, false);
    const bob = await TestClient.register(srv.port, 'bob', CAPS, false);
    const carol = await TestClient.register(srv.port, 'carol', ['message-tags'], false);
    for (const c of [alice, bob, carol]) await c.replies('JOIN #t');
    const ls = (await alice.replies('CAP LS 302')).find((m) => m.params[1] === 'LS');
    assert.match(
      ls?.params.at(-1) ?? '',
      new RegExp(
        `draft/multiline=max-bytes=${MULTILINE_MAX_BYTES},max-lines=${MULTILINE_MAX_LINES}`,
      ),
    );
    const mark = carol.received.length;
    alice.send('BATCH +b1 draft/multiline #t');
    alice.send('@batch=b1 PRIVMSG #t :first line');
    alice.send('@batch=b1 PRIVMSG #t :');
    alice.send('@batch=b1 PRIVMSG #t :second, ');
    alice.send('@batch=b1;draft/multiline-concat PRIVMSG #t :joined');
    alice.send('BATCH -b1');
    const open = await bob.expectCommand('BATCH');
    assert.equal(open.params[1], 'draft/multiline');
    const id = open.params[0].slice(1);
    const msgid = open.tags?.get('msgid');
    assert.ok(msgid);
    await bob.expect((m) => m.command === 'BATCH' && m.params[0] === `-${id}`);
    const inner = bob.all('PRIVMSG').filter((m) => m.tags?.get('batch') === id);
    assert.deepEqual(
      inner.map((m) => [m.params[1], m.tags?.has('draft/multiline-concat')]),
      [
        ['first line', false],
        ['', false],
        ['second, ', false],
        ['joined', true],
      ],
    );
    await carol.expectCommand('PRIVMSG', '#t', 'joined');
    const fallback = carol.received.slice(mark).filter((r) => r.msg.command === 'PRIVMSG');
    assert.deepEqual(
      fallback.map((r) => [r.msg.params[1], r.msg.tags?.get('msgid')]),
      [
        ['first line', msgid],
        ['second, ', undefined],
        ['joined', undefined],
      ],
    );
    for (const c of [alice, bob, carol]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('multiline limits and mistakes get FAIL BATCH and nothing is delivered', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', CAPS, false);
    const bob = await TestClient.register(srv.port, 'bob', CAPS, false);
    const mark = bob.received.length;
    const send = async (lines: string[]) => {
      for (const l of lines.slice(0, -1)) alice.send(l);
      return shapes(await alice.replies(lines.at(-1)!));
    };
    const big = 'x'.repeat(400);
    const tooMuch = ['BATCH +a draft/multiline bob'];
    for (let k = 0; k * 400 <= MULTILINE_MAX_BYTES; k++)
      tooMuch.push(`@batch=a PRIVMSG bob :${big}`);
    tooMuch.push('BATCH -a');
    const bytes = await send(tooMuch);
    assert.deepEqual(bytes, []);
    const failed = alice.all('FAIL').map((m) => m.params);
    assert.deepEqual(failed, [
      [
        'BATCH',
        'MULTILINE_MAX_BYTES',
        String(MULTILINE_MAX_BYTES),
        'The batch holds too much text',
      ],
    ]);
    const many = ['BATCH +b draft/multiline bob'];
    for (let k = 0; k <= MULTILINE_MAX_LINES; k++) many.push(`@batch=b PRIVMSG bob :${k}`);
    many.push('BATCH -b');
    await send(many);
    assert.deepEqual(alice.all('FAIL').at(-1)?.params.slice(0, 3), [
      'BATCH',
      'MULTILINE_MAX_LINES',
      String(MULTILINE_MAX_LINES),
    ]);
    await send(['BATCH +c draft/multiline bob', '@batch=c PRIVMSG carol :hi', 'BATCH -c']);
    assert.deepEqual(alice.all('FAIL').at(-1)?.params, [
      'BATCH',
      'MULTILINE_INVALID_TARGET',
      'bob',
      'carol',
      'Every line must go to the batch target',
    ]);
    await bob.sync();
    assert.deepEqual(
      bob.received
        .slice(mark)
        .map((r) => r.msg.command)
        .filter((c) => c !== 'PONG'),
      [],
      'nothing of a failed batch reaches anyone',
    );
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('history keeps a multiline message whole: a nested batch for multiline clients, its lines for others, private ones too', async () => {
  const srv = await startServer({ defaultChannel: '' }, 'text', true);
  const HIST = [...CAPS, 'draft/chathistory', 'server-time'];
  try {
    const alice = await TestClient.register(srv.port, 'alice', [...HIST, 'echo-message'], false);
    const bob = await TestClient.register(srv.port, 'bob', HIST, false);
    const carol = await TestClient.register(srv.port, 'carol', ['batch', 'message-tags'], false);
    for (const c of [alice, bob, carol]) await c.replies('JOIN #h');
    alice.send('PRIVMSG #h :before');
    alice.send('BATCH +b1 draft/multiline #h');
    alice.send('@batch=b1;+draft/reply=x PRIVMSG #h :one');
    alice.send('@batch=b1 PRIVMSG #h :');
    alice.send('@batch=b1 PRIVMSG #h :two, ');
    alice.send('@batch=b1;draft/multiline-concat PRIVMSG #h :joined');
    alice.send('BATCH -b1');
    alice.send('PRIVMSG #h :after');
    await alice.expectCommand('PRIVMSG', '#h', 'after');
    const open = alice.all('BATCH').find((m) => m.params[1] === 'draft/multiline');
    const msgid = open?.tags?.get('msgid');
    assert.ok(msgid);

    const got = await bob.replies('CHATHISTORY LATEST #h * 10');
    const shape = got
      .filter((m) => m.command !== 'BATCH' || m.params[1] !== 'chathistory')
      .filter((m) => !(m.command === 'BATCH' && m.params[0].startsWith('-h')))
      .map((m) =>
        m.command === 'BATCH'
          ? `BATCH ${m.params[0][0]}${m.params[1] ?? ''} ${m.tags?.get('msgid') ?? ''}`
          : `${m.params[1]}${m.tags?.has('draft/multiline-concat') ? ' (+)' : ''}`,
      );
    assert.deepEqual(shape, [
      'before',
      `BATCH +draft/multiline ${msgid}`,
      'one',
      '',
      'two, ',
      'joined (+)',
      'BATCH - ',
      'after',
    ]);
    const nested = got.find((m) => m.command === 'BATCH' && m.params[1] === 'draft/multiline');
    const outer = got.find((m) => m.command === 'BATCH' && m.params[1] === 'chathistory');
    assert.equal(nested?.tags?.get('batch'), outer?.params[0].slice(1), 'nested in chathistory');

    // Without draft/multiline (nor chathistory: a client may still ask): its non-blank lines.
    const lines = (await carol.replies('CHATHISTORY LATEST #h * 10')).filter(
      (m) => m.command === 'PRIVMSG',
    );
    assert.deepEqual(
      lines.map((m) => [m.params[1], m.tags?.get('msgid') === msgid]),
      [
        ['before', false],
        ['one', true],
        ['two, ', false],
        ['joined', false],
        ['after', false],
      ],
    );

    alice.send('BATCH +p1 draft/multiline bob');
    alice.send('@batch=p1 PRIVMSG bob :private');
    alice.send('@batch=p1 PRIVMSG bob :lines');
    alice.send('BATCH -p1');
    await bob.expect((m) => m.command === 'BATCH' && m.params[0].startsWith('-'));
    const priv = (await bob.replies('CHATHISTORY LATEST alice * 10')).filter(
      (m) => m.command === 'PRIVMSG',
    );
    assert.deepEqual(
      priv.map((m) => m.params[1]),
      ['private', 'lines'],
    );
    for (const c of [alice, bob, carol]) c.destroy();
  } finally {
    await srv.stop();
  }
});
