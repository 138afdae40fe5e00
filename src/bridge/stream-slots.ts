// The SSE streams one session has open, against [limits] max_streams_per_session. Each open
// stream may hold a slow reader's backlog (up to SESSION_LIMITS.streamBufferBytes), so their
// number is what bounds the memory one session can make the appliance hold.
import type { SseConnection } from "./sse.ts";

export class StreamSlots {
  private open = 0;

  constructor(readonly max: number) {}

  get full(): boolean {
    return this.open >= this.max;
  }

  /** Counts `connection` until it closes; false, counting nothing, when every slot is taken. */
  claim(connection: SseConnection): boolean {
    if (this.full) return false;
    this.open++;
    connection.onClose(() => this.open--);
    return true;
  }
}
