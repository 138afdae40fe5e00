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

  test("replaceConfigTokens: config set made exact, state tokens kept, created_at kept on update", () => {
    t.store.staticTokens.insert({ name: "runtime", token_hash: hash("rt"), servers: ["vault"], source: "state" });
    t.store.staticTokens.replaceConfigTokens([
      { name: "backup", token_hash: hash("b1"), servers: ["vault"] },
      { name: "old", token_hash: hash("o1"), servers: ["notes"] },
    ]);
    t.clock.t = T0 + 9;
    t.store.staticTokens.replaceConfigTokens([{ name: "backup", token_hash: hash("b2"), servers: ["vault", "notes"] }]);
    expect(t.store.staticTokens.list()).toEqual([
      { name: "backup", token_hash: hash("b2"), servers: ["vault", "notes"], source: "config", created_at: T0 },
      { name: "runtime", token_hash: hash("rt"), servers: ["vault"], source: "state", created_at: T0 },
    ]);
    expect(t.store.staticTokens.findByHash(hash("b1"))).toBeUndefined();
    expect(t.store.staticTokens.findByHash(hash("o1"))).toBeUndefined();
  });

  test("a failing replaceConfigTokens changes nothing", () => {
    t.store.staticTokens.replaceConfigTokens([{ name: "a", token_hash: hash("a"), servers: [] }]);
    expect(() =>
      t.store.staticTokens.replaceConfigTokens([
        { name: "b", token_hash: hash("same"), servers: [] },
        { name: "c", token_hash: hash("same"), servers: [] },
      ]),
    ).toThrow(/UNIQUE/);
    expect(t.store.staticTokens.list().map((s) => s.name)).toEqual(["a"]);
  });
});
