// The requests of a legacy HTTP+SSE session still waiting for the server's answer, counted for
// [limits] max_requests_per_session. Their answers travel on the session's one stream, so only
// the ids and deadlines are kept; one never answered expires after request_timeout.
import { idKey, type JsonRpcId } from "./jsonrpc.ts";

export class PendingRequests {
  private readonly deadlines = new Map<string, { id: JsonRpcId; deadline: number }>();

  get size(): number {
    return this.deadlines.size;
  }

  add(id: JsonRpcId, deadline: number): void {
    this.deadlines.set(idKey(id), { id, deadline });
  }

  /** Answered or cancelled; false when the id was not waiting (never sent, or already settled or expired). */
  settle(id: JsonRpcId): boolean {
    return this.deadlines.delete(idKey(id));
  }

  /** Forget the requests whose deadline has passed, and return their ids. */
  expire(now: number): JsonRpcId[] {
    const expired: JsonRpcId[] = [];
    for (const [key, { id, deadline }] of this.deadlines) {
      if (deadline > now) continue;
      this.deadlines.delete(key);
      expired.push(id);
    }
    return expired;
  }
}
