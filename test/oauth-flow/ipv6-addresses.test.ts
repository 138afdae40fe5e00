// Client addresses over IPv6 (issue 13): an appliance listening on [::1] behind a proxy named by
// an IPv6 CIDR in trust_proxy. The forwarded address must be believed from that proxy, and the
// per-address limits must count what a client cannot change for free.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { expectOAuthError, postJson } from "../helpers/oauth-http.ts";

const REGISTRATION = { redirect_uris: ["http://localhost/cb"], token_endpoint_auth_method: "none" };

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    listen: { host: "::1", port: 0 },
    // The proxy on the same machine, written as an IPv6 prefix (a /128 is one address).
    trustProxy: ["::1/128"],
    oauthOverrides: { registrationRate: { count: 2, windowMs: 3_600_000 } },
  });
});
afterAll(async () => {
  await appliance?.stop();
});

function register(forwardedFor: string): Promise<Response> {
  return postJson(appliance.url, "/register", REGISTRATION, { "x-forwarded-for": forwardedFor });
}

async function expectCreated(response: Response): Promise<void> {
  const text = await response.text();
  if (response.status !== 201) throw new Error(`expected 201, got ${response.status}: ${text}`);
}

describe("trust_proxy with an IPv6 prefix", () => {
  test("a request via the trusted IPv6 proxy is counted under its forwarded address, not the proxy's", async () => {
    expect(new URL(appliance.url).hostname).toBe("[::1]");
    await expectCreated(await register("2001:db8:1:1::1"));
    await expectCreated(await register("2001:db8:1:1::1"));
    await expectOAuthError(await register("2001:db8:1:1::1"), 429, "temporarily_unavailable");
    // Had the proxy not been believed, every request would be ::1's and this one refused too.
    await expectCreated(await register("2001:db8:2:2::1"));
    await expectCreated(await register("198.51.100.7"));
  });
});
