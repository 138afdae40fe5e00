// RFC 7523 §3 claim rules and the jti replay store of ClientAssertionVerifier, on a clock the
// test moves (the end-to-end flow is test/oauth-flow/metadata-document-hardening.test.ts).
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { ClientAssertionVerifier } from "../../src/oauth/client-assertion.ts";
import type { PublicJwkSet } from "../../src/oauth/client-metadata-document/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { freshStore, type TestStore } from "../store/fixtures.ts";

const CLIENT = "https://app.example/client.json";
const ISSUER = "https://mcp.example.com";
const TOKEN_ENDPOINT = `${ISSUER}/token`;
let clock = Date.UTC(2026, 11, 2, 12, 0, 0);
let privateKey: CryptoKey;
let keySet: PublicJwkSet;

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  privateKey = pair.privateKey;
  keySet = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1" }] };
});

const keysOf = async () => ({ ok: true as const, value: keySet });

function sign(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(clock / 1000);
  return new SignJWT({ iss: CLIENT, sub: CLIENT, aud: TOKEN_ENDPOINT, exp: now + 60, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: "ES256", kid: "k1", ...header })
    .sign(privateKey);
}

const stores: TestStore[] = [];
afterEach(() => {
  for (const t of stores.splice(0)) t.cleanup();
});

/** A verifier over a store of its own, or over `store` (another process on the same state). */
function verifier(maxRemembered?: number, store: Store = remember(freshStore()).store) {
  return new ClientAssertionVerifier(
    [TOKEN_ENDPOINT, ISSUER],
    () => clock,
    (key, until, now, most) => store.usedAssertions.useOnce(key, until, now, most),
    maxRemembered,
  );
}

function remember(t: TestStore): TestStore {
  stores.push(t);
  return t;
}

async function code(v: ClientAssertionVerifier, assertion: string, alg?: string) {
  const outcome = await v.verify(assertion, CLIENT, keysOf, alg);
  return outcome.ok ? "ok" : `${outcome.error.code} ${outcome.error.status}`;
}

describe("ClientAssertionVerifier (RFC 7523 §3)", () => {
  test("aud: the token endpoint or the issuer; anything else refused", async () => {
    const v = verifier();
    expect(await code(v, await sign())).toBe("ok");
    expect(await code(v, await sign({ aud: ISSUER }))).toBe("ok");
    expect(await code(v, await sign({ aud: `${ISSUER}/revoke` }))).toBe("invalid_client 401");
    expect(await code(v, await sign({ aud: undefined }))).toBe("invalid_client 401");
  });

  test("iss and sub must both be the client_id; exp and jti are required", async () => {
    const v = verifier();
    expect(await code(v, await sign({ iss: "https://other.example/c.json" }))).toBe("invalid_client 401");
    expect(await code(v, await sign({ sub: "https://other.example/c.json" }))).toBe("invalid_client 401");
    expect(await code(v, await sign({ exp: undefined }))).toBe("invalid_client 401");
    expect(await code(v, await sign({ jti: undefined }))).toBe("invalid_client 401");
    expect(await code(v, await sign({ jti: "x".repeat(257) }))).toBe("invalid_client 401");
  });

  test("expiry: 30 s of leeway; at most five minutes ahead", async () => {
    const v = verifier();
    const now = Math.floor(clock / 1000);
    expect(await code(v, await sign({ exp: now - 20 }))).toBe("ok");
    expect(await code(v, await sign({ exp: now - 40 }))).toBe("invalid_client 401");
    expect(await code(v, await sign({ exp: now + 300 }))).toBe("ok");
    expect(await code(v, await sign({ exp: now + 3600 }))).toBe("invalid_client 401");
  });

  test("algorithms: asymmetric only, and the document's token_endpoint_auth_signing_alg when it names one", async () => {
    const v = verifier();
    expect(await code(v, await sign(), "RS256")).toBe("invalid_client 401");
    expect(await code(v, await sign(), "HS256")).toBe("invalid_client 401");
    expect(await code(v, await sign(), "ES256")).toBe("ok");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(
      JSON.stringify({ iss: CLIENT, sub: CLIENT, aud: TOKEN_ENDPOINT, exp: Math.floor(clock / 1000) + 60, jti: "n" }),
    ).toString("base64url")}.`;
    expect(await code(v, unsigned)).toBe("invalid_client 401");
  });

  test("a jti is single-use until its exp; the store is bounded and never forgets an unexpired one", async () => {
    const v = verifier(2);
    const first = await sign({ jti: "a" });
    expect(await code(v, first)).toBe("ok");
    expect(await code(v, first)).toBe("invalid_client 401");
    expect(await code(v, await sign({ jti: "b" }))).toBe("ok");
    // Full of unexpired assertions: a new one waits (503), the old ones stay refused.
    expect(await code(v, await sign({ jti: "c" }))).toBe("temporarily_unavailable 503");
    expect(await code(v, first)).toBe("invalid_client 401");
    // Once they expired (plus the leeway), there is room again.
    clock += 120_000;
    expect(await code(v, await sign({ jti: "c" }))).toBe("ok");
  });

  test("a used assertion stays used across a restart (the jti is kept in the state)", async () => {
    const t = remember(freshStore());
    const assertion = await sign({ jti: "kept" });
    expect(await code(verifier(undefined, t.store), assertion)).toBe("ok");
    const restarted = openStore(t.dir);
    try {
      expect(await code(verifier(undefined, restarted), assertion)).toBe("invalid_client 401");
    } finally {
      restarted.close();
    }
  });

  test("an unknown key id asks for the key set again once", async () => {
    const asked: boolean[] = [];
    const v = verifier();
    const outcome = await v.verify(await sign({}, { kid: "rotated" }), CLIENT, async (refresh) => {
      asked.push(refresh);
      return { ok: true, value: refresh ? { keys: [{ ...keySet.keys[0]!, kid: "rotated" }] } : keySet };
    });
    expect(outcome.ok).toBe(true);
    expect(asked).toEqual([false, true]);
  });
});
