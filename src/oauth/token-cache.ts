// Verified access tokens kept in memory in front of the store, so the check on every MCP
// request costs a hash and a map lookup. Bounded (least recently used out first), never past a
// token's own expiry, and emptied of a grant's tokens the moment the grant is revoked.

import { BoundedMap } from "../common/bounded-map.ts";

/** What the guard needs to know of an access token. */
export interface ActiveToken {
  clientId: string;
  grantId: string;
  resource: string;
  scope: string;
  expiresAt: number;
}

export class TokenCache {
  private readonly entries = new BoundedMap<string, ActiveToken>(10_000);

  get(hash: string, now: number): ActiveToken | undefined {
    const token = this.entries.get(hash);
    if (!token) return undefined;
    if (token.expiresAt <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return token;
  }

  set(hash: string, token: ActiveToken): void {
    this.entries.set(hash, token);
  }

  forgetToken(hash: string): void {
    this.entries.delete(hash);
  }

  forgetGrant(grantId: string): void {
    for (const [hash, token] of this.entries.entries()) if (token.grantId === grantId) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }
}
