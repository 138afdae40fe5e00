// What each open stream and live session was opened with, checked again every second: a
// credential that ends (revoked, its client or static token removed, from this process or from
// the command line) ends everything it opened, and a stream ends when the token it was opened
// with expires (RFC 7009 §2.1; MCP authorization §Token Handling: servers MUST validate tokens,
// and a stream is one long request). A session outlives the expiry of a token: its client goes
// on with a refreshed one, which each request of the session brings.

import type { CredentialState } from "../common/credential-state.ts";

interface Holder {
  credential: string;
  /** A stream (ends at expiry too), or a session (ends only when its credential ended). */
  endsAtExpiry: boolean;
  end: () => void;
  alive: () => boolean;
}

/** A hold on a credential; a session's moves to the credential of its latest request. */
export interface CredentialHold {
  update(credential: string | undefined): void;
}

const NO_HOLD: CredentialHold = { update: () => {} };

export class CredentialWatch {
  private readonly holders = new Set<Holder>();

  /**
   * Watch `credential` (none without auth: nothing to watch) for as long as `alive()`; `end` is
   * called once if it ends first.
   */
  hold(credential: string | undefined, kind: "stream" | "session", end: () => void, alive: () => boolean): CredentialHold {
    if (credential === undefined) return NO_HOLD;
    const holder: Holder = { credential, endsAtExpiry: kind === "stream", end, alive };
    this.holders.add(holder);
    return {
      update: (next) => {
        if (next !== undefined) holder.credential = next;
      },
    };
  }

  /** About once a second: each credential in use is asked about once. */
  sweep(stateOf: (credential: string) => CredentialState): void {
    const states = new Map<string, CredentialState>();
    for (const holder of [...this.holders]) {
      if (!holder.alive()) {
        this.holders.delete(holder);
        continue;
      }
      let state = states.get(holder.credential);
      if (state === undefined) {
        state = stateOf(holder.credential);
        states.set(holder.credential, state);
      }
      if (state === "ended" || (state === "expired" && holder.endsAtExpiry)) {
        this.holders.delete(holder);
        holder.end();
      }
    }
  }
}
