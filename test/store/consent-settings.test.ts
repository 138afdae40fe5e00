import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { openStore } from "../../src/store/index.ts";
import { client, freshStore, RESOURCE, T0, type TestStore } from "./fixtures.ts";

let t: TestStore;
beforeEach(() => {
  t = freshStore();
  t.store.clients.insert(client("c1"));
});
afterEach(() => t.cleanup());

describe("remembered consent", () => {
  test("has: only for the remembered client and resource, when every asked scope is covered", () => {
    expect(t.store.consent.has("c1", RESOURCE, "mcp:vault")).toBe(false);
    t.store.consent.remember("c1", RESOURCE, "mcp:vault mcp:notes");
    expect(t.store.consent.has("c1", RESOURCE, "mcp:vault")).toBe(true);
    expect(t.store.consent.has("c1", RESOURCE, "mcp:notes  mcp:vault")).toBe(true);
    expect(t.store.consent.has("c1", RESOURCE, "mcp:vault mcp:admin")).toBe(false);
    expect(t.store.consent.has("c1", `${RESOURCE}/other`, "mcp:vault")).toBe(false);
    expect(t.store.consent.has("c2", RESOURCE, "mcp:vault")).toBe(false);
  });

  test("remembering more adds to what was remembered; created_at stays", () => {
    t.store.consent.remember("c1", RESOURCE, "mcp:vault", T0);
    t.store.consent.remember("c1", RESOURCE, "mcp:notes", T0 + 5);
    expect(t.store.consent.get("c1", RESOURCE)).toEqual({
      client_id: "c1",
      resource: RESOURCE,
      scope: "mcp:notes mcp:vault",
      created_at: T0,
      updated_at: T0 + 5,
    });
  });

  test("forget drops every resource of the client", () => {
    t.store.consent.remember("c1", RESOURCE, "mcp:vault");
    t.store.consent.remember("c1", "https://mcp.example.com/notes/mcp", "mcp:notes");
    expect(t.store.consent.forget("c1")).toBe(2);
    expect(t.store.consent.has("c1", RESOURCE, "mcp:vault")).toBe(false);
  });

  test("consent for an unknown client is refused", () => {
    expect(() => t.store.consent.remember("ghost", RESOURCE, "mcp:vault")).toThrow(/FOREIGN KEY/);
  });
});

describe("settings", () => {
  test("get, set (overwrites), delete", () => {
    expect(t.store.settings.get("owner_password_hash")).toBeUndefined();
    t.store.settings.set("owner_password_hash", "h1");
    t.store.settings.set("owner_password_hash", "h2");
    expect(t.store.settings.get("owner_password_hash")).toBe("h2");
    expect(t.store.settings.delete("owner_password_hash")).toBe(true);
    expect(t.store.settings.get("owner_password_hash")).toBeUndefined();
  });

  test("getOrCreateSecret makes the value once, then returns the stored one to every connection", () => {
    let made = 0;
    const make = () => `key-${++made}`;
    expect(t.store.settings.getOrCreateSecret("cookie_key", make)).toBe("key-1");
    expect(t.store.settings.getOrCreateSecret("cookie_key", make)).toBe("key-1");
    const other = openStore(t.dir);
    expect(other.settings.getOrCreateSecret("cookie_key", make)).toBe("key-1");
    other.close();
    expect(made).toBe(1);
  });

  test("getOrCreateSecret stores nothing when make throws", () => {
    expect(() =>
      t.store.settings.getOrCreateSecret("k", () => {
        throw new Error("no entropy");
      }),
    ).toThrow("no entropy");
    expect(t.store.settings.get("k")).toBeUndefined();
  });
});
