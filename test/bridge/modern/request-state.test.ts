import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type CallBinding, paramsDigest, RequestStateSealer } from "../../../src/bridge/modern/request-state.ts";

const KEY = new Uint8Array(32).fill(7);
const BINDING: CallBinding = { principal: "oauth:client-a", server: "vault", method: "tools/call", paramsDigest: "d1" };
const NOW = 1_800_000_000_000;

describe("RequestStateSealer", () => {
  test("a sealed state opens to its call id for the same binding before it expires", () => {
    const sealer = new RequestStateSealer(60_000, KEY);
    const state = sealer.seal("call-1.0", BINDING, NOW);
    expect(sealer.open(state, { ...BINDING }, NOW + 59_999)).toEqual({ ok: true, value: "call-1.0" });
  });

  test("expired at now + ttl and after", () => {
    const sealer = new RequestStateSealer(1000, KEY);
    const state = sealer.seal("c", BINDING, NOW);
    expect(sealer.open(state, BINDING, NOW + 1000)).toEqual({ ok: false, error: "expired" });
    expect(sealer.open(state, BINDING, NOW + 10_000_000)).toEqual({ ok: false, error: "expired" });
  });

  test("foreign for another principal, server, method or params (mrtr §Server Requirements 5)", () => {
    const sealer = new RequestStateSealer(60_000, KEY);
    const state = sealer.seal("c", BINDING, NOW);
    for (const field of ["principal", "server", "method", "paramsDigest"] as const) {
      expect(sealer.open(state, { ...BINDING, [field]: `${BINDING[field]}x` }, NOW)).toEqual({ ok: false, error: "foreign" });
    }
    // The fields are kept apart: moving a character from one to the next is another binding.
    const shifted = { ...BINDING, principal: "oauth:client-", server: "avault" };
    expect(sealer.open(state, shifted, NOW)).toEqual({ ok: false, error: "foreign" });
  });

  test("forged when made with another key, or when either part is changed", () => {
    const sealer = new RequestStateSealer(60_000, KEY);
    const state = sealer.seal("c", BINDING, NOW);
    expect(new RequestStateSealer(60_000, new Uint8Array(32).fill(8)).open(state, BINDING, NOW)).toEqual({ ok: false, error: "forged" });
    expect(new RequestStateSealer(60_000).open(state, BINDING, NOW)).toEqual({ ok: false, error: "forged" });
    // The conformance suite's tampering (input-required-result-tampered-state).
    expect(sealer.open(`${state}-TAMPERED`, BINDING, NOW)).toEqual({ ok: false, error: "forged" });
    const [body, mac] = state.split(".") as [string, string];
    const payload = JSON.parse(Buffer.from(body, "base64url").toString());
    const longer = Buffer.from(JSON.stringify({ ...payload, x: payload.x + 1e9 })).toString("base64url");
    expect(sealer.open(`${longer}.${mac}`, BINDING, NOW)).toEqual({ ok: false, error: "forged" });
    const otherCall = Buffer.from(JSON.stringify({ ...payload, c: "d" })).toString("base64url");
    expect(sealer.open(`${otherCall}.${mac}`, BINDING, NOW)).toEqual({ ok: false, error: "forged" });
  });

  test("malformed for text that is not a sealed state at all", () => {
    const sealer = new RequestStateSealer(60_000, KEY);
    for (const state of ["", ".", "a.", ".b", "a.b.c", "a b.c", "ä.b", "x".repeat(20_000), "a=.b"]) {
      expect(sealer.open(state, BINDING, NOW)).toEqual({ ok: false, error: "malformed" });
    }
    expect(sealer.open(42 as unknown as string, BINDING, NOW)).toEqual({ ok: false, error: "malformed" });
  });

  test("each round gets a new state, even for the same call at the same moment (multi-round)", () => {
    const sealer = new RequestStateSealer(60_000, KEY);
    const states = new Set(Array.from({ length: 50 }, () => sealer.seal("c", BINDING, NOW)));
    expect(states.size).toBe(50);
  });

  test("property: any call id and binding round-trip; states are URL-safe text", () => {
    const sealer = new RequestStateSealer(5000, KEY);
    const binding = fc.record({ principal: fc.string(), server: fc.string(), method: fc.string(), paramsDigest: fc.string() });
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), binding, fc.integer({ min: 0, max: 4999 }), (callId, bound, elapsed) => {
        const state = sealer.seal(callId, bound, NOW);
        expect(state).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
        expect(sealer.open(state, bound, NOW + elapsed)).toEqual({ ok: true, value: callId });
      }),
    );
  });

  test("property: no other text opens — changing, cutting or extending a state is never accepted", () => {
    const sealer = new RequestStateSealer(60_000, KEY);
    const state = sealer.seal("call", BINDING, NOW);
    fc.assert(
      fc.property(fc.nat(state.length - 1), fc.string({ minLength: 1, maxLength: 3 }), fc.nat(3), (at, insert, cut) => {
        const changed = state.slice(0, at) + insert + state.slice(at + cut);
        fc.pre(changed !== state);
        expect(sealer.open(changed, BINDING, NOW).ok).toBe(false);
      }),
    );
  });

  test("property: never throws on any input", () => {
    const sealer = new RequestStateSealer(60_000, KEY);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "binary" }),
          fc.base64String(),
          fc.stringMatching(/^[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}$/),
        ),
        (state) => {
          expect(sealer.open(state, BINDING, NOW).ok).toBe(false);
        },
      ),
    );
  });
});

describe("paramsDigest", () => {
  test("ignores key order, _meta, inputResponses and requestState", () => {
    const first = {
      name: "t",
      arguments: { a: 1, b: [1, { y: 2, x: 1 }] },
      _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" },
    };
    const retry = {
      inputResponses: { k: { action: "accept" } },
      arguments: { b: [1, { x: 1, y: 2 }], a: 1 },
      requestState: "s",
      name: "t",
    };
    expect(paramsDigest(retry)).toBe(paramsDigest(first));
    expect(paramsDigest(undefined)).toBe(paramsDigest({ _meta: {} }));
    expect(paramsDigest(first)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("differs when the tool, its arguments or the URI differ", () => {
    const base = paramsDigest({ name: "t", arguments: { a: 1 } });
    expect(paramsDigest({ name: "u", arguments: { a: 1 } })).not.toBe(base);
    expect(paramsDigest({ name: "t", arguments: { a: "1" } })).not.toBe(base);
    expect(paramsDigest({ name: "t", arguments: { a: [1] } })).not.toBe(base);
    expect(paramsDigest({ name: "t", arguments: { a: 1 }, extra: null })).not.toBe(base);
    expect(paramsDigest({ uri: "test://a" })).not.toBe(paramsDigest({ uri: "test://b" }));
  });

  test("a deeply nested body does not overflow the stack", () => {
    const depth = 200_000;
    const deep = JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown;
    expect(paramsDigest({ arguments: { deep } })).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("property: equal JSON values digest alike, whatever their key order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 })), (params) => {
        const reversed = Object.fromEntries(Object.entries(params).reverse());
        expect(paramsDigest(reversed)).toBe(paramsDigest(params));
      }),
    );
  });
});
