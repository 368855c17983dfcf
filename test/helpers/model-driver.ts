// The model test's driver: runs each abstract action (model-actions.ts) against real clients and the model, then compares every line each client got with what the model expects.
//
// Lines are compared as the model writes them: `[b] ` inside a batch, then source, command and
// parameters; tags are left out, but msgids are learned from them (CHATHISTORY bounds). The
// numerics the actor gets are compared on those in TRACKED, and on a probe's listing.
import assert from 'node:assert/strict';
import { makeAccount } from './accounts.js';
import { TestClient, type Received, type TestServer } from './irc.js';
import { capNames, World, type Caps, type Expect, type Person } from './model.js';
import { ACCOUNTS, POOL, REPLAY, SLOTS, type Action, type Login } from './model-actions.js';
import type { Rec } from './model-history.js';
import { LISTED, listed, probe } from './model-probes.js';

/** Numerics whose presence the model predicts; others (names, topic, welcome...) are not compared. */
const TRACKED: Record<string, number> = {
  '301': 1,
  '341': 2,
  '401': 1,
  '403': 1,
  '404': 1,
  '433': 1,
  '441': 2,
  '442': 1,
  '443': 2,
  '473': 1,
  '474': 1,
  '475': 1,
  '482': 1,
};

/** A received line as the model writes it: `[b] ` inside a batch, the source, command and params. */
function norm(r: Received): string {
  const m = r.msg;
  const b = m.tags?.has('batch') === true ? '[b] ' : '';
  switch (m.command) {
    case 'BATCH':
      return m.params[0][0] === '+' ? `BATCH + ${m.params.slice(1).join(' ')}` : 'BATCH -';
    case 'QUIT':
      return `${b}${m.source} QUIT`; // the reason says nothing about who may see it
    case 'FAIL':
      return `FAIL ${m.params.slice(0, -1).join(' ')}`;
    case 'CHATHISTORY':
      return `${b}CHATHISTORY ${m.params.slice(0, 2).join(' ')}`;
    default:
      return [b + (m.source ?? ''), m.command, ...m.params].join(' ');
  }
}

const isNumeric = (r: Received) => /^\d{3}$/.test(r.msg.command);
/** settle()'s answers: PONG, and in a cluster LUSERS (251-255, 265, 266). */
const SETTLING = new Set(['PONG', '251', '252', '253', '254', '255', '265', '266']);

export class Harness {
  readonly world: World;
  readonly clients = new Map<Person, TestClient>();
  readonly log: string[] = [];

  /** Connections made so far: the next goes to node `connects % nodes.length`. */
  private connects = 0;

  /**
   * `nodes`: one server, or the nodes of one cluster (each connection goes to the next node in
   * turn, so a slot that reconnects may land on another node).
   */
  constructor(readonly nodes: TestServer[]) {
    this.world = new World(REPLAY, nodes.length > 1);
  }

  /** Register ACCOUNTS (on the first node: in a cluster the store is shared). */
  async makeAccounts(): Promise<void> {
    for (const name of ACCOUNTS) {
      await makeAccount(this.nodes[0].port, name, 'secret-' + name);
      this.world.inboxes.set(name, []);
    }
  }

  async connect(slot: number, nick: string, c: Caps, login: Login = -1): Promise<Expect> {
    const node = this.nodes[this.connects++ % this.nodes.length];
    const account = login < 0 ? null : ACCOUNTS[login % ACCOUNTS.length];
    const pass = account === null ? null : `${account}:secret-${account}`;
    const client = await TestClient.register(node.port, nick, capNames(c), false, pass);
    client.socket.setNoDelay(true); // a command and its PING go out at once, not 40 ms apart
    if (account !== null) {
      const in900 = client.received.find((r) => r.msg.command === '900')?.msg.params[2];
      assert.equal(in900, account, `${nick} logged into ${account} (900)`);
    }
    const { person, e } = this.world.connect(slot, nick, c, account);
    this.clients.set(person, client);
    // What was sent to the account while none of its connections held its name comes now, once.
    const inbox = e.lines.get(person) ?? [];
    if (inbox.length > 0 || account !== null) {
      await client.sync();
      const got = client.received
        .filter((r) => r.msg.params[0] === account && r.msg.source !== undefined)
        .map(norm);
      assert.deepEqual(
        got,
        inbox.map((l) => l.text),
        `${nick}'s inbox as ${account}`,
      );
      e.lines.delete(person);
    }
    return e;
  }

  client(p: Person): TestClient {
    return this.clients.get(p)!;
  }

  /** Run one action; the model's expectation and the actor (null: nothing to do). */
  async act(a: Action, n: number): Promise<[Expect, Person] | null> {
    const w = this.world;
    const online = w.online();
    if (a.t === 'connect') {
      const used = new Set(online.map((p) => p.slot));
      const free = [...Array(SLOTS).keys()].filter((s) => !used.has(s));
      if (free.length === 0) return null;
      const slot = free[a.who % free.length];
      let k = a.nick;
      while (w.byNick(POOL[k % POOL.length]) !== undefined) k++;
      const nick = POOL[k % POOL.length];
      const as = a.login < 0 ? '' : ` as ${ACCOUNTS[a.login % ACCOUNTS.length]}`;
      this.log.push(`${n}: connect ${nick}${as} [${capNames(a.caps).join(' ')}]`);
      const e = await this.connect(slot, nick, a.caps, a.login);
      return [e, [...w.people].find((p) => p.slot === slot)!];
    }
    if (online.length === 0) return null;
    let p = online[a.who % online.length];
    // Most operator commands come from an operator of the channel, or they would mostly be refused.
    const ops = 'asOp' in a && a.asOp ? this.opsOf(a.chan) : [];
    if (ops.length > 0) p = ops[a.who % ops.length];
    const c = this.client(p);
    const send = (line: string) => {
      this.log.push(`${n}: ${p.nick}> ${line}`);
      c.send(line);
    };
    const nickOf = (k: number) => POOL[k];
    const nameOf = (x: { nick: number } | { account: number }) =>
      'nick' in x ? nickOf(x.nick) : ACCOUNTS[x.account % ACCOUNTS.length];
    switch (a.t) {
      case 'quit': {
        this.log.push(`${n}: ${p.nick} ${a.drop ? 'drops' : 'quits'}`);
        const e = w.quit(p);
        if (a.drop) c.destroy();
        else c.send('QUIT :bye');
        await c.closedPromise;
        // The server hears of a dropped link a moment later (the other nodes later still): wait
        // until the nick is free everywhere.
        while (this.nodes.some((s) => s.server.network.findUser(p.nick) !== undefined)) {
          await new Promise((r) => setTimeout(r, 2));
        }
        this.clients.delete(p);
        return [e, p];
      }
      case 'join': {
        const keys = a.chans.map((ch) =>
          a.key === 'right' ? (w.chans.get(ch)?.key ?? 'x') : a.key === 'wrong' ? 'nope' : null,
        );
        const e = w.join(p, a.chans, keys);
        send(`JOIN ${a.chans.join(',')}${a.key === 'none' ? '' : ' ' + keys.join(',')}`);
        return [e, p];
      }
      case 'part':
        send(`PART ${a.chan}`);
        return [w.part(p, a.chan), p];
      case 'kick':
        send(`KICK ${a.chan} ${nickOf(a.whom)} :k${n}`);
        return [w.kick(p, a.chan, nickOf(a.whom), `k${n}`), p];
      case 'mode': {
        const arg = this.modeArg(a);
        send(`MODE ${a.chan} ${a.plus ? '+' : '-'}${a.mode}${arg === '' ? '' : ' ' + arg}`);
        return [w.mode(p, a.chan, a.plus, a.mode, arg), p];
      }
      case 'invite':
        send(`INVITE ${nickOf(a.whom)} ${a.chan}`);
        return [w.invite(p, nickOf(a.whom), a.chan), p];
      case 'nick': {
        const nick = a.upper ? nickOf(a.nick).toUpperCase() : nickOf(a.nick);
        send(`NICK ${nick}`);
        return [w.nick(p, nick), p];
      }
      case 'umode':
        send(`MODE ${p.nick} ${a.on ? '+' : '-'}i`);
        return [w.invisible(p, a.on), p];
      case 'probe': {
        const { line, e } = probe(w, p, a.kind, a.chan, nickOf(a.whom));
        send(line);
        return [e, p];
      }
      case 'away':
        send(a.on ? 'AWAY :brb' : 'AWAY');
        return [w.away(p, a.on ? 'brb' : null), p];
      case 'topic':
        send(`TOPIC ${a.chan} :topic${n}`);
        return [w.topic(p, a.chan, `topic${n}`), p];
      case 'msg': {
        const to = a.to.map((x) => ('chan' in x ? x.status + x.chan : nameOf(x)));
        const text = `t${n}`;
        const e = w.message(p, a.verb, to, text);
        if (a.verb === 'TAGMSG') send(`@+typing=active TAGMSG ${to.join(',')}`);
        else send(`${a.verb} ${to.join(',')} :${text}`);
        return [e, p];
      }
      case 'history': {
        const to = 'chan' in a.to ? a.to.chan : nameOf(a.to);
        const known = w.records.all.filter((r) => r.msgid !== undefined);
        const near = known.filter((r) => r.conv === to || r.target === to);
        const from = near.length > 0 && a.bound % 3 !== 0 ? near : known;
        const pick = (k: number) => (from.length > 0 ? from[k % from.length].msgid! : 'none');
        const bound = a.sub === 'LATEST' && a.star ? null : pick(a.bound);
        const other = a.sub === 'BETWEEN' ? pick(a.other) : null;
        const bounds =
          bound === null ? '*' : `msgid=${bound}${other === null ? '' : ' msgid=' + other}`;
        send(`CHATHISTORY ${a.sub} ${to} ${bounds} ${a.limit}`);
        return [w.records.query(w, p, a.sub, to, bound, a.limit, other), p];
      }
      case 'redact': {
        // Mostly a message the actor sent, named by its conversation; now and then any known
        // message (taken back already, of another conversation) to a random target.
        const known = w.records.all.filter((r) => r.msgid !== undefined);
        const own = known.filter((r) => r.source.startsWith(p.nick + '!'));
        const from = own.length > 0 && a.pick % 4 !== 0 ? own : known;
        const rec = from.length > 0 ? from[a.pick % from.length] : undefined;
        const msgid = rec?.msgid ?? 'none';
        let to = 'chan' in a.to ? a.to.chan : nameOf(a.to);
        if (rec !== undefined && a.pick % 4 !== 0) {
          const sender = rec.source.slice(0, rec.source.indexOf('!'));
          to = rec.life > 0 || sender !== p.nick ? (rec.life > 0 ? rec.conv : sender) : rec.target;
        }
        send(`REDACT ${to} ${msgid}${a.reason ? ' :oops' : ''}`);
        return [w.redact(p, to, msgid, a.reason ? 'oops' : null), p];
      }
      case 'rename': {
        const why = a.reason ? ' :moving' : '';
        send(`RENAME ${a.chan} ${a.to}${why}`);
        return [w.rename(p, a.chan, a.to, a.reason ? 'moving' : null), p];
      }
      case 'multi': {
        if (!p.caps.multiline) return null; // refused at once (FAIL BATCH): the tests of multiline
        const to = 'chan' in a.to ? a.to.chan : nameOf(a.to);
        const verb = a.notice ? 'NOTICE' : 'PRIVMSG';
        const lines = [...'abc'.slice(0, a.count)].map((x) => `m${n}${x}`);
        if (a.blank && lines.length > 1) lines.splice(1, 0, '');
        const joined = (l: string, i: number) =>
          i > 0 && l !== '' && a.concat ? ';draft/multiline-concat' : '';
        send(`BATCH +ml${n} draft/multiline ${to}`);
        lines.forEach((l, i) => send(`@batch=ml${n}${joined(l, i)} ${verb} ${to} :${l}`));
        send(`BATCH -ml${n}`);
        return [w.multiline(p, verb, to, lines), p];
      }
      case 'targets':
        send(
          'CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 100',
        );
        return [w.records.targets(w, p), p];
    }
  }

  private opsOf(chan: string): Person[] {
    const ch = this.world.chans.get(chan);
    return ch === undefined ? [] : [...ch.members].filter(([, st]) => st.op).map(([m]) => m);
  }

  /** The parameter of a mode change: a nick, a key, or a ban mask of one of six shapes. */
  private modeArg(a: Extract<Action, { t: 'mode' }>): string {
    const nick = POOL[a.whom];
    if (a.mode === 'o' || a.mode === 'v') return nick;
    if (a.mode === 'k') return a.plus ? `key${a.whom % 2}` : '';
    if (a.mode !== 'b') return '';
    const user = this.world.byNick(nick)?.user ?? '~' + nick;
    const host = this.world.host;
    return {
      nick,
      user: `*!${user}@*`,
      host: `*!*@${host}`,
      full: `${nick}!${user}@${host}`,
      other: 'zz',
      account: `a:${ACCOUNTS[a.whom % ACCOUNTS.length]}`,
    }[a.mask]!;
  }

  /**
   * Everyone who was online answers a PING: all the step caused has arrived. In a cluster each
   * first asks LUSERS, which goes through the network's order: once it is answered, its node has
   * run everything ordered before it (and got the private messages published before it).
   */
  async settle(actor: Person | null): Promise<void> {
    const a = actor === null ? undefined : this.clients.get(actor);
    const one = async (c: TestClient) => {
      if (this.nodes.length > 1) {
        c.send('LUSERS');
        await c.expect((m) => m.command === '266', 5000, 'the end of LUSERS');
      }
      await c.sync();
    };
    if (a !== undefined && !a.closed) await one(a);
    await Promise.all([...this.clients.values()].filter((c) => c !== a).map(one));
  }

  /** Compare what each client got since `marks` with what the model expects. */
  check(e: Expect, actor: Person, marks: Map<Person, number>, n: number): void {
    for (const [p, mark] of marks) {
      const c = this.clients.get(p);
      if (c === undefined && p === actor) continue; // quit
      const got = c!.received.slice(mark).filter((r) => !SETTLING.has(r.msg.command));
      const isActor = p === actor;
      if (isActor && e.actorFree === true) continue;
      const events = got.filter((r) => !isNumeric(r));
      const texts = events.map(norm);
      const where = `step ${n}, client ${p.nick} (slot ${p.slot})`;
      if (isActor && e.history !== undefined) {
        const why = this.world.records.check(e.history, texts);
        assert.equal(why, null, `${where}: ${why}\n${texts.join('\n')}`);
      } else {
        const want = e.lines.get(p) ?? [];
        assert.deepEqual(
          texts,
          want.map((l) => l.text),
          `${where}: lines differ`,
        );
        want.forEach((l, k) => this.learn(l.rec, events[k]));
      }
      const nums = got.filter(isNumeric);
      if (!isActor) {
        assert.deepEqual(
          nums.map((r) => [r.msg.command, ...r.msg.params.slice(1)].join(' ')),
          e.told?.get(p) ?? [],
          `${where}: numerics to a bystander`,
        );
        continue;
      }
      const tracked = nums
        .filter((r) => TRACKED[r.msg.command] !== undefined)
        .map((r) =>
          [r.msg.command, ...r.msg.params.slice(1, 1 + TRACKED[r.msg.command])].join(' '),
        );
      // In a cluster a line to channels and to nicks nobody uses answers those nicks last (their
      // node asks the store whether they are accounts after the line has run on every node).
      const inOrder = (xs: string[]) => (this.nodes.length > 1 ? [...xs].sort() : xs);
      assert.deepEqual(inOrder(tracked), inOrder(e.numerics), `${where}: numerics differ`);
      if (e.listing === undefined) continue;
      const listing = nums.filter((r) => LISTED.has(r.msg.command));
      const gotListing = listing.map((r) => listed(r.msg.command, r.msg.params)).sort();
      assert.deepEqual(gotListing, e.listing, `${where}: listing differs`);
    }
  }

  /** A stored message's msgid, from a copy that carries it; every copy must carry the same. */
  private learn(rec: Rec | undefined, r: Received): void {
    const id = r.msg.tags?.get('msgid');
    if (rec === undefined || id === undefined) return;
    if (rec.msgid === undefined) rec.msgid = id;
    else assert.equal(id, rec.msgid, `one message, two msgids: ${r.raw}`);
  }

  /** The server's channels as the model writes them (members with their status). */
  serverMembership(node = this.nodes[0]): string[] {
    return [...node.server.network.allChannels()]
      .map((ch) => {
        const ms = [...ch.members].map(
          ([u, bits]) => ((bits & 1) !== 0 ? '@' : (bits & 2) !== 0 ? '+' : '') + u.nick,
        );
        return `${ch.name}:${ms.sort().join(',')}`;
      })
      .sort();
  }
}
