// MONITOR and extended-monitor over real TCP: online/offline news, the list and its limit, masks refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapes, startServer, TestClient } from '../../helpers/irc.js';

test('MONITOR tells a watcher when nicks come and go, by arrival, quit and nick change', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const added = await alice.replies('MONITOR + Bob,carol');
    assert.deepEqual(
      added.map((m) => m.command),
      ['730', '731'],
    );
    assert.match(added[0].params[1], /^bob!~bob@x-[0-9a-f]{8}\.parley$/);
    assert.deepEqual(added[1].params, ['alice', 'carol']);
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    const on = await alice.expectCommand('730');
    assert.match(on.params[1], /^carol!~carol@x-[0-9a-f]{8}\.parley$/);
    await carol.replies('NICK dave');
    assert.deepEqual((await alice.expectCommand('731')).params, ['alice', 'carol']);
    // A change of case is the same nick: no news.
    await bob.replies('NICK BOB');
    await alice.sync();
    assert.equal(alice.all('730').filter((m) => /^bob!/i.test(m.params[1])).length, 1);
    await bob.quit();
    const off = await alice.expect((m) => m.command === '731' && /^bob$/i.test(m.params[1]));
    assert.deepEqual(off.params, ['alice', 'BOB']);
    const list = await alice.replies('MONITOR L');
    assert.deepEqual(shapes(list), [
      ['732', 'alice', 'Bob,carol'],
      ['733', 'alice', 'End of MONITOR list'],
    ]);
    const status = await alice.replies('MONITOR S');
    assert.deepEqual(shapes(status), [['731', 'alice', 'Bob,carol']]);
    await alice.replies('MONITOR - carol');
    await alice.replies('MONITOR C');
    assert.deepEqual(shapes(await alice.replies('MONITOR L')), [
      ['733', 'alice', 'End of MONITOR list'],
    ]);
    // A mask is no nick: refused, and never watched.
    assert.deepEqual(shapes(await alice.replies('MONITOR + *!*@*')), [
      ['432', 'alice', '*!*@*', 'Erroneous nickname'],
    ]);
    assert.deepEqual(shapes(await alice.replies('MONITOR X')), [
      ['FAIL', 'MONITOR', 'INVALID_PARAMS', 'X', 'MONITOR takes +, -, C, L or S'],
    ]);
    alice.destroy();
    carol.destroy();
  } finally {
    await srv.stop();
  }
});

test('MONITOR holds --max-monitor nicks; one more gets 734 and is not added', async () => {
  const srv = await startServer({ defaultChannel: '', maxMonitor: 5 });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const isupport = alice.all('005').flatMap((m) => m.params);
    assert.ok(isupport.includes('MONITOR=5'));
    const five = await alice.replies('MONITOR + n1,n2,n3,n4,n5');
    assert.deepEqual(shapes(five), [['731', 'alice', 'n1,n2,n3,n4,n5']]);
    const full = await alice.replies('MONITOR + n6,n7');
    assert.deepEqual(shapes(full), [['734', 'alice', '5', 'n6,n7', 'Monitor list is full']]);
    // Adding one already there is no change, even when full.
    assert.deepEqual(shapes(await alice.replies('MONITOR + N1')), []);
    const list = await alice.replies('MONITOR L');
    assert.equal(list[0].params[1], 'n1,n2,n3,n4,n5');
    alice.destroy();
  } finally {
    await srv.stop();
  }
});

test('extended-monitor: a watcher with away-notify and setname hears AWAY and SETNAME without sharing a channel', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const caps = ['extended-monitor', 'away-notify', 'setname'];
    const alice = await TestClient.register(srv.port, 'alice', caps, false);
    const plain = await TestClient.register(srv.port, 'carol', ['away-notify', 'setname'], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    await alice.replies('MONITOR + bob');
    await plain.replies('MONITOR + bob');
    const mark = plain.received.length;
    await bob.replies('AWAY :lunch');
    const away = await alice.expectCommand('AWAY', 'lunch');
    assert.match(away.source ?? '', /^bob!/);
    await bob.replies('SETNAME :Robert Tables');
    await alice.expectCommand('SETNAME', 'Robert Tables');
    await plain.sync();
    assert.deepEqual(
      plain.received.slice(mark).map((r) => r.msg.command),
      ['PONG'],
      'without extended-monitor: nothing',
    );
    const whois = await alice.replies('WHOIS bob');
    assert.equal(whois.find((m) => m.command === '311')?.params.at(-1), 'Robert Tables');
    // A watcher who also shares a channel with bob hears it once, as a neighbour; one without
    // away-notify hears nothing, even with extended-monitor.
    const dana = await TestClient.register(srv.port, 'dana', caps, false);
    const erin = await TestClient.register(srv.port, 'erin', ['extended-monitor'], false);
    for (const c of [dana, erin]) await c.replies('MONITOR + bob');
    for (const c of [dana, bob]) await c.replies('JOIN #both');
    await bob.replies('AWAY :again');
    await alice.expectCommand('AWAY', 'again');
    await Promise.all([dana.sync(), erin.sync()]);
    const again = (c: TestClient) => c.all('AWAY').filter((m) => m.params[0] === 'again').length;
    assert.equal(again(dana), 1, 'once, not also as a watcher');
    assert.equal(erin.all('AWAY').length, 0, 'no away-notify: no AWAY');
    for (const c of [alice, plain, bob, dana, erin]) c.destroy();
  } finally {
    await srv.stop();
  }
});
