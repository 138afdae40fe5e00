// The bearer check every MCP request passes (RFC 6750 §2.1, §3.1; RFC 8707 audience; scope).
import { describe, expect, test } from "bun:test";
import { type ActiveToken, BearerGuard, type ProtectedServer, type TokenSource } from "../../src/oauth/bearer-guard.ts";
import { sha256Hex } from "../../src/oauth/crypto.ts";
import { bearerChallenge, InsufficientScope, InvalidRequest, InvalidToken } from "../../src/oauth/errors.ts";
import { TokenCache } from "../../src/oauth/token-cache.ts";

const server: ProtectedServer = {
  name: "vault",
  resource: "https://mcp.example.com/vault/mcp",
  legacyResource: "https://mcp.example.com/vault/sse",
  scope: "mcp:vault",
  metadataUrl: "https://mcp.example.com/.well-known/oauth-protected-resource/vault/mcp",
  legacyMetadataUrl: "https://mcp.example.com/.well-known/oauth-protected-resource/vault/sse",
};
const NOW = 1_000_000;

function guardWith(tokens: Record<string, Partial<ActiveToken>>, statics: Record<string, string[]> = {}) {
  const lookups: string[] = [];
  const source: TokenSource = {
    accessToken(hash) {
      lookups.push(hash);
      const entry = Object.entries(tokens).find(([value]) => sha256Hex(value) === hash);
      if (!entry) return undefined;
      return { clientId: "c1", grantId: "g1", resource: server.resource, scope: "mcp:vault", expiresAt: NOW + 60_000, ...entry[1] };
    },
    staticToken(hash) {
      const entry = Object.entries(statics).find(([value]) => sha256Hex(value) === hash);
      return entry ? { name: `static-${entry[0].length}`, servers: entry[1] } : undefined;
    },
  };
  return { guard: new BearerGuard(source, new TokenCache()), lookups };
}

describe("BearerGuard", () => {
  test("no credentials: 401 with a challenge naming the metadata and scope, and no error code", () => {
    const { guard } = guardWith({});
    for (const header of [null, "", "   ", "Basic abc"]) {
      const decision = guard.check(header, server, NOW);
      expect(decision).toEqual({
        ok: false,
        status: 401,
        challenge: `Bearer resource_metadata="${server.metadataUrl}", scope="mcp:vault"`,
      });
    }
    const legacy = guard.check(null, server, NOW, true);
    expect(!legacy.ok && legacy.challenge).toContain(server.legacyMetadataUrl);
  });

  test("a malformed Bearer credential: 400 invalid_request", () => {
    const { guard } = guardWith({});
    for (const header of ["Bearer", "Bearer a b", "Bearer é", `Bearer ${"a".repeat(5000)}`]) {
      const decision = guard.check(header, server, NOW);
      expect(decision.ok).toBe(false);
      if (!decision.ok) {
        expect(decision.status).toBe(400);
        expect(decision.error).toBeInstanceOf(InvalidRequest);
        expect(decision.challenge).toBe(
          `Bearer resource_metadata="${server.metadataUrl}", scope="mcp:vault", error="invalid_request", error_description="the Authorization header is not a well-formed Bearer credential"`,
        );
      }
    }
  });

  test("an active token for this resource and scope is accepted; the store is asked once", () => {
    const { guard, lookups } = guardWith({ good: {} });
    for (let i = 0; i < 3; i++)
      expect(guard.check("Bearer good", server, NOW)).toEqual({
        ok: true,
        principal: { kind: "oauth", id: "c1" },
        credential: expect.stringMatching(/^oauth:[0-9a-f]{64}$/),
      });
    expect(guard.check("bearer   good", server, NOW).ok).toBe(true);
    expect(lookups).toHaveLength(1);
  });

  test("unknown token → 401 invalid_token; another resource → 401; the legacy resource is the same server", () => {
    const { guard } = guardWith({ other: { resource: "https://mcp.example.com/blog/mcp" }, legacy: { resource: server.legacyResource } });
    const unknown = guard.check("Bearer nope", server, NOW);
    expect(!unknown.ok && [unknown.status, unknown.error?.code]).toEqual([401, "invalid_token"]);
    const other = guard.check("Bearer other", server, NOW);
    expect(!other.ok && [other.status, other.error?.code]).toEqual([401, "invalid_token"]);
    expect(guard.check("Bearer legacy", server, NOW).ok).toBe(true);
  });

  test("refusals are the taxonomy's errors, and the challenge is the one bearerChallenge builds for them", () => {
    const { guard } = guardWith({ narrow: { scope: "mcp:blog" } });
    const unknown = guard.check("Bearer nope", server, NOW);
    expect(!unknown.ok && unknown.error).toBeInstanceOf(InvalidToken);
    expect(!unknown.ok && unknown.challenge).toBe(
      `Bearer resource_metadata="${server.metadataUrl}", scope="mcp:vault", error="invalid_token", error_description="the access token is invalid, expired or revoked"`,
    );
    const narrow = guard.check("Bearer narrow", server, NOW, true);
    expect(!narrow.ok && narrow.error).toBeInstanceOf(InsufficientScope);
    expect(!narrow.ok && narrow.challenge).toBe(
      bearerChallenge({
        resourceMetadata: server.legacyMetadataUrl,
        error: new InsufficientScope("mcp:vault", "the access token lacks the scope mcp:vault"),
      }),
    );
  });

  test("the scope must be one whole entry of the token's space-separated scope", () => {
    const cases: [string, boolean][] = [
      ["mcp:vault", true],
      ["openid mcp:vault", true],
      ["mcp:vault offline_access", true],
      ["mcp:vault2 mcp:vault", true],
      ["mcp:vaultx", false],
      ["xmcp:vault", false],
      ["mcp:vault2", false],
      ["", false],
      ["mcp:blog", false],
    ];
    const tokens = Object.fromEntries(cases.map(([scope], i) => [`t${i}`, { scope }]));
    const { guard } = guardWith(tokens);
    cases.forEach(([scope, allowed], i) => {
      const decision = guard.check(`Bearer t${i}`, server, NOW);
      expect([scope, decision.ok]).toEqual([scope, allowed]);
      if (!decision.ok) expect([decision.status, decision.error?.code]).toEqual([403, "insufficient_scope"]);
    });
  });

  test("static tokens: allowed only for the servers they list", () => {
    const { guard } = guardWith({}, { "static-a": ["vault"], "static-bb": ["blog"] });
    expect(guard.check("Bearer static-a", server, NOW)).toEqual({
      ok: true,
      principal: { kind: "static", id: "static-8" },
      credential: expect.stringMatching(/^static:[0-9a-f]{64}$/),
    });
    const denied = guard.check("Bearer static-bb", server, NOW);
    expect(!denied.ok && [denied.status, denied.error?.code]).toEqual([403, "insufficient_scope"]);
  });
});
