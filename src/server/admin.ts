// The admin socket (`--admin-socket`): a Unix socket on which `parley account add` asks the running server to create an account.
//
// The SQLite file is held by the history writer while the server runs, so an offline tool cannot
// write it; the server does the writing, as for REGISTER. The socket is for the machine's
// operator only: it is created owner-only (0600) and trusts whoever can connect. One JSON request
// per connection, one JSON answer, then the server closes it:
//
//   -> {"op":"account-add","name":"alice","password":"..."}
//   <- {"ok":true,"message":"account alice created"}
//
// Unlike REGISTER there is no IRC line around the password, so it may be longer (up to
// ADMIN_PASSWORD_MAX_BYTES); the name and --password-min rules are REGISTER's. Passwords are never
// logged.
import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { fold } from '../protocol/index.js';
import { newAccount } from './accounts.js';
import { badAccountName } from './commands/accounts.js';
import type { Server } from './server.js';

/** Longest password the admin socket takes, in UTF-8 bytes: a bound on hashing work. */
export const ADMIN_PASSWORD_MAX_BYTES = 1024;
/** Longest request line; anything longer is refused and the connection closed. */
const MAX_REQUEST = 16 * 1024;
/** A connection that sends no complete request within this long is closed. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface AdminAnswer {
  ok: boolean;
  message: string;
}

export class AdminSocket {
  private readonly listener: net.Server;
  private readonly open = new Set<net.Socket>();

  constructor(
    private readonly server: Server,
    readonly path: string,
  ) {
    this.listener = net.createServer((socket) => this.serve(socket));
  }

  /** Listen on the path; a stale socket file nobody answers on is replaced, a live one is an error. */
  async listen(): Promise<void> {
    await removeStale(this.path);
    // Owner-only from the start: Node binds the socket within listen(), under this umask.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        this.listener.once('error', reject);
        this.listener.listen(this.path, () => {
          this.listener.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    await chmod(this.path, 0o600);
  }

  /** Stop listening, drop open requests and remove the socket file. */
  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    // Node removes the file of a Unix socket it listened on when it closes.
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.open.add(socket);
    socket.setEncoding('utf8');
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.on('close', () => this.open.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    const onData = (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0 && buffer.length <= MAX_REQUEST) return;
      socket.off('data', onData);
      const reply = (a: AdminAnswer) => socket.end(JSON.stringify(a) + '\n');
      if (nl < 0 || nl > MAX_REQUEST) {
        return reply({ ok: false, message: `a request is at most ${MAX_REQUEST} bytes` });
      }
      this.handle(buffer.slice(0, nl)).then(reply, (err: unknown) => {
        this.server.log.warn({ why: String(err) }, 'admin socket request failed');
        reply({ ok: false, message: 'the account store did not answer; try later' });
      });
    };
    socket.on('data', onData);
  }

  /** One request line, answered. */
  async handle(line: string): Promise<AdminAnswer> {
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      return { ok: false, message: 'the request is not JSON' };
    }
    const { op, name, password } = (req ?? {}) as Record<string, unknown>;
    if (op !== 'account-add') return { ok: false, message: `unknown op ${JSON.stringify(op)}` };
    if (typeof name !== 'string' || typeof password !== 'string') {
      return { ok: false, message: 'account-add needs a name and a password (strings)' };
    }
    return this.addAccount(name, password);
  }

  private async addAccount(name: string, password: string): Promise<AdminAnswer> {
    const { server } = this;
    const store = server.store;
    if (store === null) return { ok: false, message: 'this server keeps no accounts (--db off)' };
    const { nickLen, passwordMin } = server.config;
    if (badAccountName(name, nickLen)) {
      return {
        ok: false,
        message: `'${name}' cannot name an account: it must be a nick of at most ${nickLen} characters, not NickServ, ChanServ or Guest<N>`,
      };
    }
    if ([...password].length < passwordMin) {
      return { ok: false, message: `passwords have at least ${passwordMin} characters` };
    }
    if (Buffer.byteLength(password) > ADMIN_PASSWORD_MAX_BYTES) {
      return { ok: false, message: `passwords are at most ${ADMIN_PASSWORD_MAX_BYTES} bytes` };
    }
    const key = fold(name);
    if ((await store.accounts.get(key)) !== null) {
      return { ok: false, message: `the account ${name} already exists` };
    }
    const record = await newAccount(name, key, null, password, server.clock());
    if (!(await store.accounts.create(record))) {
      return { ok: false, message: `the account ${name} already exists` };
    }
    server.log.info({ account: name }, 'account registered through the admin socket');
    return { ok: true, message: `account ${name} created` };
  }
}

/** Remove `path` if it is a socket no server answers on (left by a killed server). */
async function removeStale(path: string): Promise<void> {
  const st = await lstat(path).catch(() => null);
  if (st === null) return;
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another server is listening on ${path}`);
  await unlink(path);
}
