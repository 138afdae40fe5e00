// What the bearer check costs per MCP request, measured in-process: BearerGuard.check with a
// verified token in its cache (the path every request after the first takes), against the time
// a whole request takes in the benchmark. Run by run.sh; prints one JSON line.
//   bun bench/guard-cost.ts
import { BearerGuard, type ProtectedServer, type TokenSource } from "../src/oauth/bearer-guard.ts";
import { randomToken, sha256Hex } from "../src/oauth/crypto.ts";
import { TokenCache } from "../src/oauth/token-cache.ts";

const server: ProtectedServer = {
  name: "bench",
  resource: "http://127.0.0.1:18000/mcp",
  legacyResource: "http://127.0.0.1:18000/sse",
  scope: "mcp:bench",
  metadataUrl: "http://127.0.0.1:18000/.well-known/oauth-protected-resource/mcp",
  legacyMetadataUrl: "http://127.0.0.1:18000/.well-known/oauth-protected-resource/sse",
};
const token = randomToken("mcp_at_");
const hash = sha256Hex(token);
const source: TokenSource = {
  accessToken: (h, now) =>
    h === hash ? { clientId: "bench", grantId: "g", resource: server.resource, scope: "mcp:bench", expiresAt: now + 3_600_000 } : undefined,
  staticToken: () => undefined,
};
const guard = new BearerGuard(source, new TokenCache());
const header = `Bearer ${token}`;

function perCallMicros(n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) if (!guard.check(header, server, Date.now()).ok) throw new Error("refused");
  return ((performance.now() - start) * 1000) / n;
}
perCallMicros(50_000); // warm-up: JIT tiers
const samples = Array.from({ length: 5 }, () => perCallMicros(200_000)).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    target: "guard",
    phase: "guard-cost",
    us_per_check: Math.round(samples[2]! * 1000) / 1000,
    samples_us: samples.map((s) => Math.round(s * 1000) / 1000),
  }),
);
