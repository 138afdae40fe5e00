// Who opened each session of an HTTP upstream server. The upstream's Mcp-Session-Id is passed
// through unchanged, but a session belongs to the principal that created it: a request carrying
// an id opened by another principal (or one the appliance never saw) gets a 404 and never
// reaches the upstream, as with the stdio bridge's sessions. MCP 2025-11-25 security best
// practices §Session Hijacking: servers MUST NOT use sessions for authentication, and should
// bind session ids to user-specific information.

import { BoundedMap } from "../common/bounded-map.ts";

/** Sessions remembered per server; past this the least recently used are forgotten (their clients get a 404 and start again). */
const DEFAULT_MAX_TRACKED_SESSIONS = 10_000;

export class SessionOwners {
  private readonly owners: BoundedMap<string, string>;

  constructor(limit = DEFAULT_MAX_TRACKED_SESSIONS) {
    this.owners = new BoundedMap(limit);
  }

  get size(): number {
    return this.owners.size;
  }

  /** The session's owner, marking the session as recently used. */
  ownerOf(sessionId: string): string | undefined {
    return this.owners.get(sessionId);
  }

  bind(sessionId: string, owner: string): void {
    this.owners.set(sessionId, owner);
  }

  drop(sessionId: string): void {
    this.owners.delete(sessionId);
  }
}
