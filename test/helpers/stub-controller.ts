// Test helpers: a stand-in for the client's ChatController with what the full-screen surface asks of it, so the surface can be drawn without a session.
import type { ChatController } from '../../src/client/app.js';
import type { Member } from '../../src/client/state.js';
import type { ConversationInfo, Status } from '../../src/client/view.js';

/** The part of a ChatController the full-screen surface reads: conversations and a nick list, no session. */
export class StubController {
  current = 0;
  readonly convs: ConversationInfo[];

  constructor(
    names: string[],
    readonly nick: string,
    readonly nicks: Member[],
  ) {
    this.convs = names.map((name, k) => ({ id: k + 1, name, unread: k, highlight: k === 1 }));
  }

  status(): Status {
    const current = this.convs.find((c) => c.id === this.current)?.name ?? null;
    const others = this.convs.filter((c) => c.id !== this.current);
    return {
      state: 'connected',
      nick: this.nick,
      current,
      others,
      lagMs: 12,
      retryInS: null,
      away: false,
    };
  }

  isChannel = (name: string) => name.startsWith('#');
  markRead(): void {}
  members = (): readonly Member[] => this.nicks;
  currentWindow = () => this.current;
  conversations = (): readonly ConversationInfo[] => this.convs;
  showServer(): void {
    this.current = 0;
  }
  switchTo(name: string): boolean {
    this.current = this.convs.find((c) => c.name === name)?.id ?? this.current;
    return true;
  }
  note(): void {}

  /** As the surface's argument: it calls only the methods above, so the rest is not needed. */
  controller(): ChatController {
    return this as unknown as ChatController;
  }
}
