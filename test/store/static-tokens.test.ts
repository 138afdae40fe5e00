import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { freshStore, hash, T0, type TestStore } from "./fixtures.ts";

let t: TestStore;
beforeEach(() => {
  t = freshStore();
});
afterEach(() => t.cleanup());

describe("static tokens", () => {
  test("insert, findByHash, list, remove", () => {
    t.store.staticTokens.insert({ name: "ci", token_hash: hash("t1"), servers: ["vault", "notes"], source: "state" });
    expect(t.store.staticTokens.findByHash(hash("t1"))).toEqual({
      name: "ci",
      token_hash: hash("t1"),
      servers: ["vault", "notes"],
      source: "state",
      created_at: T0,
    });
    expect(t.store.staticTokens.findByHash(hash("other"))).toBeUndefined();
    expect(() => t.store.staticTokens.insert({ name: "ci2", token_hash: hash("t1"), servers: [], source: "state" })).toThrow(/UNIQUE/);
    expect(t.store.staticTokens.list().map((s) => s.name)).toEqual(["ci"]);
    expect(t.store.staticTokens.remove("ci")).toBe(true);
    expect(t.store.staticTokens.findByHash(hash("t1"))).toBeUndefined();
  });
});
