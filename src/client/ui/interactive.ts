// Interactive mode: raw keys → the line editor and the controller; controller output → a Surface (windows or inline); the terminal restored on every exit path.
//
// Two surfaces (surface.ts): by default a full-screen view on the alternate screen with a window
// per conversation (windowed.ts), as irssi and WeeChat draw; with --inline, messages go into the
// terminal's own scrollback with a status line and an input line pinned below (screen.ts), so the
// terminal's search, copy and mouse wheel work on the history. Both are drawn with plain ANSI
// sequences, no TUI framework: Node's built-ins give the rest (readline.emitKeypressEvents decodes
// keys, bracketed paste included; setRawMode; the 'resize' event), and nothing stands between us
// and what reaches the terminal (format.ts: safety). The measurements behind that choice are in
// README (Dependencies): a full 200x60 frame from 2,000-line windows, and the bytes per message.
//
// Keys beyond the editor's (editor.ts) and the surface's: Ctrl-C clears the line (twice within
// 1 s quits), Ctrl-D on an empty line quits, Ctrl-L redraws.
import { emitKeypressEvents } from 'node:readline';
import type { ChatController, LineInfo, View } from '../app.js';
import { parseInput, type WindowAction } from '../input.js';
import type { ClientSession } from '../session.js';
import { LineEditor, type Key } from './editor.js';
import { PasteGuard } from './paste.js';
import { SecretPrompt } from './secret.js';
import { formatStatus, promptFor, type Frame, type TermOut } from './screen.js';
import { InlineSurface, type Surface } from './surface.js';
import { WindowSurface } from './windowed.js';
import { stripControls } from '../../protocol/sanitize.js';

/** A second Ctrl-C within this quits. */
const QUIT_WINDOW_MS = 1000;
/** How long a notice ("Ctrl-C again to quit") stays on the status line. */
const NOTICE_MS = 2000;
/** At most one bell per this: a burst of highlights rings once. */
const BELL_GAP_MS = 500;
/** The status line is re-checked this often (the reconnect countdown, notices running out). */
const TICK_MS = 250;
/** On SIGTERM/SIGHUP/SIGINT, how long to wait for the server to confirm our QUIT. */
const SIGNAL_QUIT_MS = 1000;

const SIGNALS = { SIGTERM: 15, SIGHUP: 1, SIGINT: 2 } as const;

export interface InteractiveOptions {
  color: boolean;
  /** Messages into the terminal's own scrollback instead of full-screen windows (--inline). */
  inline?: boolean;
  /** With windows: the nick list shown from the start (--nicklist). */
  nicklist?: boolean;
}

export class InteractiveView implements View {
  private readonly surface: Surface;
  private readonly term: TermOut;
  /** Present with windows only: the controller tells the user when it is absent. */
  readonly windowCommand?: (a: WindowAction) => void;
  private readonly color: boolean;
  private controller: ChatController | null = null;
  private editor = new LineEditor();
  private readonly guard = new PasteGuard({
    send: (line) => this.send(line),
    notify: (text) => this.say(text),
  });
  private scheduled = false;
  private bellPending = false;
  private lastBell = 0;
  private lastStatus = '';
  private notice: { text: string; until: number } | null = null;
  private lastCtrlC = 0;
  private terminalTaken = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  /** Lines with text handed to send() and not yet to the session (they wait for a registration). */
  private inChain = 0;
  /** Lines with text the user entered that the end left unsent here (connect.ts says so). */
  private unsentAtEnd = 0;
  /** A secret being asked for (askSecret): keys go to it, and nothing is drawn of it. */
  private readonly secret = new SecretPrompt();

  constructor(
    private readonly out: NodeJS.WriteStream,
    opts: InteractiveOptions,
  ) {
    this.color = opts.color;
    // A vanished terminal (SIGHUP, EIO) must not turn into an uncaught error while we tidy up.
    out.on('error', () => {});
    this.term = {
      write: (s: string) => {
        try {
          out.write(s);
        } catch {
          // the terminal is gone: nothing left to draw on
        }
      },
      get columns() {
        return out.columns;
      },
      get rows() {
        return out.rows;
      },
    };
    const notify = (text: string): void => this.say(text);
    if (opts.inline === true) {
      this.surface = new InlineSurface(this.term, notify);
    } else {
      const windows = new WindowSurface(this.term, notify, {
        color: opts.color,
        nicklist: opts.nicklist === true,
      });
      this.surface = windows;
      this.windowCommand = (a) => {
        if (this.controller !== null) windows.command(a, this.controller);
        this.schedule();
      };
    }
  }

  // ---- View ----

  get windowed(): boolean {
    return this.surface.windowed;
  }

  print(line: string, info: LineInfo): void {
    this.surface.print(line, info);
    this.schedule();
  }

  readTo(id: number, time: number): void {
    this.surface.readTo?.(id, time);
    this.schedule();
  }

  bell(): void {
    const now = Date.now();
    if (now - this.lastBell < BELL_GAP_MS) return;
    this.lastBell = now;
    this.bellPending = true;
    this.schedule();
  }

  statusChanged(): void {
    this.schedule();
  }

  /** Ask on the input line with nothing echoed; Enter gives the text, Ctrl-C cancels (null). */
  askSecret(prompt: string): Promise<string | null> {
    const answer = this.secret.ask(prompt);
    this.schedule();
    return answer;
  }

  // ---- the run ----

  /**
   * Take over the terminal until the session ends. Resolves with the exit code: 0 after /quit,
   * Ctrl-D or a double Ctrl-C, 1 when the session gave up (bad password...), 128+n on signal n.
   */
  run(
    controller: ChatController,
    session: ClientSession,
    input: NodeJS.ReadStream,
  ): Promise<number> {
    this.controller = controller;
    this.editor = new LineEditor({
      complete: (word) => controller.completions(word),
      isChannel: (name) => session.isChannel(name),
    });
    return new Promise((resolve) => {
      const cleanups: Array<() => void> = [];
      const finish = (code: number): void => {
        if (this.stopped) return;
        this.flush();
        this.stopped = true;
        this.secret.cancel();
        this.unsentAtEnd = this.inChain + this.guard.stop();
        this.restoreTerminal(input);
        // The session gave up (a bad password...): its last words stay readable on the screen.
        if (code !== 0) for (const line of this.surface.lastWords()) this.term.write(line + '\r\n');
        for (const undo of cleanups) undo();
        input.pause();
        resolve(code);
      };
      this.finish = finish;

      const onKey = (_s: string | undefined, key: Key | undefined): void => {
        if (key !== undefined && !this.stopped) this.key(key);
      };
      const onResize = (): void => {
        this.surface.resized();
        this.flush();
      };
      const onExit = (): void => this.restoreTerminal(input);
      const onCrash = (err: unknown): void => {
        this.restoreTerminal(input);
        process.stderr.write(`parley: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
        process.exit(70);
      };
      const onSignal = (signal: keyof typeof SIGNALS): void => {
        this.flush();
        this.restoreTerminal(input);
        const timeout = new Promise((r) => setTimeout(r, SIGNAL_QUIT_MS).unref());
        void Promise.race([controller.quit(`Killed (${signal})`), timeout]).then(() =>
          finish(128 + SIGNALS[signal]),
        );
      };
      const tick = setInterval(() => this.refreshStatus(), TICK_MS);
      const unsubscribe = session.onEvent((e) => {
        if (e.type !== 'state' || e.state !== 'disconnected' || e.final !== true) return;
        if (!controller.leaving) finish(1);
      });

      emitKeypressEvents(input);
      input.on('keypress', onKey);
      this.out.on('resize', onResize);
      process.on('exit', onExit);
      process.on('uncaughtException', onCrash);
      for (const s of Object.keys(SIGNALS) as Array<keyof typeof SIGNALS>) process.on(s, onSignal);
      cleanups.push(
        () => input.off('keypress', onKey),
        () => this.out.off('resize', onResize),
        () => process.off('exit', onExit),
        () => process.off('uncaughtException', onCrash),
        () => clearInterval(tick),
        unsubscribe,
        ...(Object.keys(SIGNALS) as Array<keyof typeof SIGNALS>).map(
          (s) => () => process.off(s, onSignal),
        ),
      );
      this.takeTerminal(input);
      this.flush();
    });
  }

  /** Set by run(): end the run with this exit code. */
  private finish: (code: number) => void = () => {};

  private takeTerminal(input: NodeJS.ReadStream): void {
    if (this.terminalTaken) return;
    this.terminalTaken = true;
    input.setRawMode(true);
    input.resume();
    this.surface.start();
  }

  /**
   * Raw mode off, bracketed paste off, cursor shown; the normal screen back (windows) or the
   * status and input rows erased (inline). Idempotent.
   */
  private restoreTerminal(input: NodeJS.ReadStream): void {
    if (!this.terminalTaken) return;
    this.terminalTaken = false;
    this.surface.stop();
    try {
      input.setRawMode(false);
    } catch {
      // the terminal is gone
    }
  }

  // ---- drawing ----

  private schedule(): void {
    if (this.scheduled || this.controller === null) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Draw what changed now. */
  private flush(): void {
    this.scheduled = false;
    if (this.stopped || !this.terminalTaken || this.controller === null) return;
    const frame = this.frame();
    this.surface.render(frame, this.controller);
    this.lastStatus = frame.status;
    if (this.bellPending) this.term.write('\x07');
    this.bellPending = false;
  }

  private refreshStatus(): void {
    if (this.notice !== null && Date.now() >= this.notice.until) this.notice = null;
    if (this.terminalTaken && this.frame().status !== this.lastStatus) this.flush();
  }

  private frame(): Frame {
    const c = this.controller;
    if (c === null) return { status: '', prompt: '', text: '', cursor: 0 };
    const st = c.status();
    const secret = this.secret.prompt;
    if (secret !== null) {
      const status = formatStatus(st, {
        color: this.color,
        notice: 'Enter to send, Ctrl-C to cancel',
        nowhere: this.surface.nowhere,
      });
      return { status, prompt: secret, text: '', cursor: 0, question: true };
    }
    let notice: string | null = null;
    const waiting = this.guard.waiting;
    if (waiting !== null) {
      const where = st.current === null ? '(nowhere)' : stripControls(st.current);
      notice = `Send ${waiting} lines to ${where}? (y/n)`;
    } else if (c.leaving) notice = 'leaving… (Ctrl-C to quit now)';
    else if (this.notice !== null && Date.now() < this.notice.until) notice = this.notice.text;
    return {
      status: formatStatus(st, { color: this.color, notice, nowhere: this.surface.nowhere }),
      prompt: promptFor(st.current, this.surface.columns),
      text: this.editor.text,
      cursor: this.editor.cursor,
    };
  }

  private say(text: string): void {
    this.notice = { text, until: Date.now() + NOTICE_MS };
  }

  // ---- keys ----

  private key(key: Key): void {
    if (this.secret.prompt !== null) {
      this.secret.key(key);
      return this.schedule();
    }
    if (this.guard.key(key, this.editor)) {
      if (!this.guard.inPaste) this.schedule();
      return;
    }
    const c = this.controller;
    if (key.ctrl === true && key.meta !== true && key.name === 'c') this.ctrlC();
    else if (c === null || !this.surface.key(key, c)) {
      // Not the surface's (switching, scrolling). Ctrl-L inline lands here too: the editor
      // ignores it, and the redraw below repairs the screen.
      if (c?.leaving !== true) {
        const r = this.editor.press(key);
        if (r.kind === 'submit') this.entered(r.line);
        else if (r.kind === 'eof') this.leave();
      }
    }
    // Drawn once per chunk of input, not per key: a burst of typed-ahead keys costs one frame.
    this.schedule();
  }

  /** Ctrl-C: clear the line; twice within QUIT_WINDOW_MS, quit; while quitting, stop waiting. */
  private ctrlC(): void {
    if (this.controller?.leaving === true) return this.finish(0);
    const now = Date.now();
    if (now - this.lastCtrlC < QUIT_WINDOW_MS) return this.leave();
    this.lastCtrlC = now;
    const had = this.editor.text !== '';
    this.editor.clear();
    this.say(
      had ? 'Line cleared (Ctrl-Y brings it back) — Ctrl-C again to quit' : 'Ctrl-C again to quit',
    );
  }

  /** Ctrl-D on an empty line, or Ctrl-C twice: QUIT, wait for the server, end. */
  private leave(reason: string | null = null): void {
    const c = this.controller;
    if (c === null || c.leaving) return;
    void c.quit(reason).then(() => this.finish(0));
    this.flush();
  }

  // ---- sending ----

  /** A line completed with Enter. */
  private entered(line: string): void {
    const st = this.controller?.status();
    if (st !== undefined && st.state !== 'connected' && line.trim() !== '') {
      // Lines wait for the registration (ChatController.submit); /quit must not, or it would
      // hang for as long as the server stays unreachable.
      const action = parseInput(line, { current: st.current });
      if (action.kind === 'quit') return this.leave(action.reason);
      this.say('Not connected: what you type is sent once the connection is back');
    }
    this.guard.entered(line);
  }

  /**
   * Lines the user entered that never reached the session: still held or queued here when the
   * run ended (a quit while they waited for a registration, or for the paste detector).
   */
  get unsent(): number {
    return this.unsentAtEnd;
  }

  /** Hand one line to the controller; lines are handled strictly in order. */
  private send(line: string): void {
    const c = this.controller;
    if (c === null) return;
    const counted = line.trim() !== '' ? 1 : 0;
    this.inChain += counted;
    this.chain = this.chain.then(async () => {
      if (this.stopped || c.leaving) return; // stays counted: never sent
      try {
        const result = await c.submit(line);
        if (result !== 'unsent') this.inChain -= counted;
        if (result === 'quit') this.finish(0);
      } catch (err) {
        this.inChain -= counted;
        this.say(`Could not send: ${(err as Error).message}`);
      }
    });
  }
}
