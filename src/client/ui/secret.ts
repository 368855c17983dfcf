// A secret asked for at the input line (a password): its own editor, never drawn, never in the input history.
import { LineEditor, type Key } from './editor.js';

export class SecretPrompt {
  private asked: {
    prompt: string;
    editor: LineEditor;
    resolve: (value: string | null) => void;
  } | null = null;

  /** The prompt shown while a secret is asked for, or null when none is. */
  get prompt(): string | null {
    return this.asked?.prompt ?? null;
  }

  /** Ask for a secret; one asked before and not yet answered gets null. */
  ask(prompt: string): Promise<string | null> {
    this.cancel();
    return new Promise((resolve) => {
      // An editor of its own: the secret never enters the input history or the kill ring.
      this.asked = { prompt, editor: new LineEditor(), resolve };
    });
  }

  /** A key while a secret is asked for: Enter answers, Ctrl-C and Ctrl-D answer null. */
  key(key: Key): void {
    const s = this.asked;
    if (s === null) return;
    const done = (value: string | null): void => {
      this.asked = null;
      s.resolve(value);
    };
    if (key.ctrl === true && key.name === 'c') return done(null);
    const r = s.editor.press(key);
    if (r.kind === 'submit') done(r.line);
    else if (r.kind === 'eof') done(null);
  }

  /** Stop asking: the pending question, if any, gets null. */
  cancel(): void {
    const s = this.asked;
    this.asked = null;
    s?.resolve(null);
  }
}
