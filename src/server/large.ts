// When a channel counts as large (+u): the thresholds (--large-channel, --large-lobby) and the switch as members come and go.
import type { Channel } from './channel.js';

export class LargeChannels {
  /** Members past which a channel is large (+u); 0: never (--large-channel). */
  at = 0;
  /** The same for the default channel (--large-lobby). */
  lobbyAt = 0;
  /** The default channel's folded name. */
  lobby = '';
  /** Told when a channel becomes large or stops being large (the server announces the mode). */
  changed: (channel: Channel) => void = () => {};

  /** Members past which `channel` is large: the default channel has its own threshold. */
  atFor(channel: Channel): number {
    return channel.folded === this.lobby ? this.lobbyAt : this.at;
  }

  /** Someone joins `channel`, which has `size` members: at the threshold it becomes large. */
  joining(channel: Channel, size: number): void {
    if (channel.large) return;
    const at = this.atFor(channel);
    if (at > 0 && size >= at) {
      channel.large = true;
      this.changed(channel);
    }
  }

  /** Someone left `channel`, which has `size` members now: halved, it is large no more. */
  left(channel: Channel, size: number): void {
    if (channel.large && size <= this.atFor(channel) >> 1) {
      channel.large = false;
      this.changed(channel);
    }
  }
}
