import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { client, freshStore, HOUR, hash, issue, RESOURCE, SCOPE, T0, type TestStore } from "./fixtures.ts";

let t: TestStore;
beforeEach(() => {
  t = freshStore();
});
afterEach(() => t.cleanup());

describe("clients", () => {
  test("insert and get round-trip every field; optional ones absent when unset", () => {
    const full = client("full", {
      kind: "preregistered",
      secret_hash: hash("mcps_secret"),
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1/cb"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "mcp:vault mcp:notes",
      metadata_json: '{"client_name":"Claude"}',
      auto_approve: true,
      source: "config",
      created_at: T0 - 5,
      last_used_at: T0 - 1,
      expires_at: T0 + HOUR,
    });
    t.store.clients.insert(full);
    expect(t.store.clients.get("full")).toEqual({ ...full, created_at: T0 - 5 });
    t.store.clients.insert(client("bare"));
    const bare = t.store.clients.get("bare")!;
    expect(bare.created_at).toBe(T0); // the store's clock
    expect(Object.keys(bare)).not.toContain("secret_hash");
    expect(Object.keys(bare)).not.toContain("last_used_at");
    expect(bare.auto_approve).toBe(false);
    expect(t.store.clients.get("nope")).toBeUndefined();
  });

  test("a taken client_id is refused", () => {
    t.store.clients.insert(client("dup"));
    expect(() => t.store.clients.insert(client("dup"))).toThrow();
  });

  test("list, by kind, in creation order; countByKind", () => {
    t.store.clients.insert(client("d2", { created_at: T0 + 2 }));
    t.store.clients.insert(client("p1", { kind: "preregistered", created_at: T0 + 1 }));
    t.store.clients.insert(client("d1", { created_at: T0 }));
    t.store.clients.insert(client("https://app.example/client.json", { kind: "metadata_document" }));
    expect(t.store.clients.list().map((c) => c.client_id)).toEqual(["d1", "https://app.example/client.json", "p1", "d2"]);
    expect(t.store.clients.list("dynamic").map((c) => c.client_id)).toEqual(["d1", "d2"]);
    expect(t.store.clients.countByKind("dynamic")).toBe(2);
    expect(t.store.clients.countByKind("preregistered")).toBe(1);
    expect(t.store.clients.countByKind("metadata_document")).toBe(1);
  });

  test("remove takes the client's grants, tokens and consent with it", () => {
    const { grant, access, refresh } = issue(t.store, "x", "gone");
    t.store.consent.remember("gone", RESOURCE, SCOPE);
    expect(t.store.clients.remove("gone")).toBe(true);
    expect(t.store.clients.remove("gone")).toBe(false);
    expect(t.store.grants.get(grant.grant_id)).toBeUndefined();
    expect(t.store.accessTokens.get(access)).toBeUndefined();
    expect(t.store.refreshTokens.get(refresh)).toBeUndefined();
    expect(t.store.consent.has("gone", RESOURCE, SCOPE)).toBe(false);
  });

  test("deleteOldestUnused: the oldest never-used dynamic registrations go, used and other kinds stay", () => {
    t.store.clients.insert(client("oldest-unused", { created_at: T0 - 3 * HOUR }));
    t.store.clients.insert(client("oldest-used", { created_at: T0 - 4 * HOUR }));
    t.store.clients.insert(client("older-unused", { created_at: T0 - 2 * HOUR }));
    t.store.clients.insert(client("new-unused", { created_at: T0 }));
    t.store.clients.insert(client("old-prereg", { kind: "preregistered", created_at: T0 - 10 * HOUR }));
    t.store.clients.touchLastUsed("oldest-used", T0 - HOUR);
    expect(t.store.clients.deleteOldestUnused("dynamic", 2)).toBe(2);
    expect(
      t.store.clients
        .list()
        .map((c) => c.client_id)
        .sort(),
    ).toEqual(["new-unused", "old-prereg", "oldest-used"]);
    expect(t.store.clients.deleteOldestUnused("dynamic", 5)).toBe(1);
    expect(t.store.clients.deleteOldestUnused("dynamic", 1)).toBe(0);
  });

  test("touchLastUsed, and expiry of dynamic registrations never used", () => {
    t.store.clients.insert(client("old-unused", { created_at: T0 - 10 * HOUR }));
    t.store.clients.insert(client("old-used", { created_at: T0 - 10 * HOUR }));
    t.store.clients.insert(client("new-unused", { created_at: T0 }));
    t.store.clients.insert(client("old-prereg", { kind: "preregistered", created_at: T0 - 10 * HOUR }));
    t.store.clients.touchLastUsed("old-used", T0 - HOUR);
    expect(t.store.clients.get("old-used")?.last_used_at).toBe(T0 - HOUR);
    expect(t.store.clients.deleteUnusedOlderThan("dynamic", T0 - HOUR)).toBe(1);
    expect(
      t.store.clients
        .list()
        .map((c) => c.client_id)
        .sort(),
    ).toEqual(["new-unused", "old-prereg", "old-used"]);
  });

  test("metadata-document clients have the bounds of registrations: expiry unused, makeRoomForOne per kind", () => {
    const doc = (id: string, created_at: number) => client(id, { kind: "metadata_document", created_at });
    t.store.clients.insert(doc("https://a.example/old-unused", T0 - 10 * HOUR));
    t.store.clients.insert(doc("https://a.example/old-used", T0 - 10 * HOUR));
    t.store.clients.insert(doc("https://a.example/new-unused", T0));
    t.store.clients.insert(client("dyn-old-unused", { created_at: T0 - 10 * HOUR }));
    t.store.clients.touchLastUsed("https://a.example/old-used", T0 - HOUR);
    expect(t.store.clients.deleteUnusedOlderThan("metadata_document", T0 - HOUR)).toBe(1);
    expect(t.store.clients.get("https://a.example/old-unused")).toBeUndefined();
    expect(t.store.clients.get("dyn-old-unused")).toBeDefined(); // another kind: untouched
    // Limit 2 with two rows: the never-used one gives way; the used one never does.
    expect(t.store.clients.makeRoomForOne("metadata_document", 2, T0 - 24 * HOUR)).toBe(true);
    expect(t.store.clients.get("https://a.example/new-unused")).toBeUndefined();
    expect(t.store.clients.get("https://a.example/old-used")).toBeDefined();
    // Limit 1 and only a used row: no room.
    expect(t.store.clients.makeRoomForOne("metadata_document", 1, T0 - 24 * HOUR)).toBe(false);
    expect(t.store.clients.countByKind("dynamic")).toBe(1);
  });

  test("upsert updates in place: created_at, last_used_at and the client's tokens stay", () => {
    const url = "https://app.example/client.json";
    const { access } = issue(t.store, "cimd", url);
    t.store.clients.touchLastUsed(url, T0 + 1);
    t.store.clients.upsert(client(url, { kind: "metadata_document", name: "renamed", created_at: T0 + 99 }));
    const after = t.store.clients.get(url)!;
    expect(after.name).toBe("renamed");
    expect(after.created_at).toBe(T0);
    expect(after.last_used_at).toBe(T0 + 1);
    expect(t.store.accessTokens.findActive(access, T0)).toBeDefined();
  });

  test("replaceConfigClients: adds, updates in place, removes those gone from the config, keeps state clients", () => {
    t.store.clients.insert(client("cli-added", { kind: "preregistered" }));
    t.store.clients.replaceConfigClients([
      client("claude", { kind: "preregistered", auto_approve: true }),
      client("dropped", { kind: "preregistered" }),
    ]);
    expect(t.store.clients.get("claude")?.source).toBe("config");
    const { access } = issue(t.store, "kept", "claude");
    const { access: dropped } = issue(t.store, "dropped", "dropped");

    t.clock.t = T0 + 5;
    t.store.clients.replaceConfigClients([client("claude", { kind: "preregistered", name: "Claude.ai" })]);
    expect(
      t.store.clients
        .list()
        .map((c) => c.client_id)
        .sort(),
    ).toEqual(["claude", "cli-added"]);
    const claude = t.store.clients.get("claude")!;
    expect(claude).toMatchObject({ name: "Claude.ai", auto_approve: false, source: "config", created_at: T0 });
    expect(t.store.accessTokens.findActive(access, T0)).toBeDefined();
    expect(t.store.accessTokens.get(dropped)).toBeUndefined();

    t.store.clients.replaceConfigClients([]);
    expect(t.store.clients.list().map((c) => c.client_id)).toEqual(["cli-added"]);
  });
});
