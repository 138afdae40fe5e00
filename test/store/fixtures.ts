// Shared setup for the store tests: a fresh state directory, a settable clock, and records.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientRecord, Insert } from "../../src/store/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";

export const T0 = 1_700_000_000_000;
export const HOUR = 3_600_000;

export class Clock {
  constructor(public t = T0) {}
  readonly now = () => this.t;
}

export interface TestStore {
  store: Store;
  dir: string;
  clock: Clock;
  cleanup(): void;
}

export function tempDir(prefix = "mcp-store-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function freshStore(): TestStore {
  const dir = tempDir();
  const clock = new Clock();
  const store = openStore(dir, { now: clock.now });
  return {
    store,
    dir,
    clock,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stand-in for a SHA-256 hex digest, distinct per label. */
export const hash = (label: string) => new Bun.CryptoHasher("sha256").update(label).digest("hex");

export function client(id: string, extra: Partial<Insert<ClientRecord>> = {}): Insert<ClientRecord> {
  return {
    client_id: id,
    kind: "dynamic",
    name: `client ${id}`,
    redirect_uris: ["https://app.example/cb"],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "none",
    auto_approve: false,
    source: "state",
    ...extra,
  };
}

export const RESOURCE = "https://mcp.example.com/vault/mcp";
export const SCOPE = "mcp:vault";

/** A client, a grant of it, and that grant's access and refresh tokens, in one transaction. */
export function issue(store: Store, label: string, clientId = "c1", now = T0) {
  return store.transaction(() => {
    if (!store.clients.get(clientId)) store.clients.insert(client(clientId, { created_at: now }));
    const grant = store.grants.create({ client_id: clientId, resource: RESOURCE, scope: SCOPE, created_at: now });
    const common = { grant_id: grant.grant_id, client_id: clientId, resource: RESOURCE, scope: SCOPE, created_at: now };
    store.accessTokens.insert({ ...common, token_hash: hash(`a-${label}`), expires_at: now + HOUR });
    const refresh = store.refreshTokens.insert({
      ...common,
      token_hash: hash(`r-${label}`),
      family_id: grant.grant_id,
      expires_at: now + 30 * 24 * HOUR,
    });
    return { grant, access: hash(`a-${label}`), refresh: refresh.token_hash };
  });
}
