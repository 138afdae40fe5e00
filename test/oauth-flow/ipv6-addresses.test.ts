// Client addresses over IPv6 (issue 13): an appliance listening on [::1] behind a proxy named by
// an IPv6 CIDR in trust_proxy. The forwarded address must be believed from that proxy, and the
// per-address limits must count what a client cannot change for free.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";
import { authorizeUrl, expectOAuthError, pkce, postForm, postJson } from "../helpers/oauth-http.ts";

const REGISTRATION = { redirect_uris: ["http://localhost/cb"], token_endpoint_auth_method: "none" };

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    listen: { host: "::1", port: 0 },
    // The proxy on the same machine, written as an IPv6 prefix (a /128 is one address).
    trustProxy: ["::1/128"],
    oauthOverrides: {
      ownerPasswordHash: await ownerPasswordHash(),
      registrationRate: { count: 2, windowMs: 3_600_000 },
      tokenRate: { count: 3, windowMs: 3_600_000 },
      clients: [{ name: "Desktop", clientId: "desktop", redirectUris: ["http://127.0.0.1/callback"], autoApprove: false }],
    },
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

/** `count` addresses of one /64, each with a different interface identifier. */
function addressesOf(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}:${(0x1000 + i * 0x2f).toString(16)}:${i + 1}:beef:${(i * 7919).toString(16)}`);
}

/** The login page's hidden fields, to post password guesses with. */
async function loginForm(): Promise<{ request: string; csrf: string }> {
  const page = await (
    await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "desktop",
        redirect_uri: "http://127.0.0.1/callback",
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
      }),
    )
  ).text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)![1]!.replaceAll("&amp;", "&");
  return { request: field("request"), csrf: field("csrf") };
}

async function guess(form: { request: string; csrf: string }, forwardedFor: string): Promise<number> {
  const response = await postForm(
    appliance.url,
    "/authorize",
    { action: "login", ...form, password: "a wrong guess" },
    { origin: appliance.url, "x-forwarded-for": forwardedFor },
  );
  await response.arrayBuffer();
  return response.status;
}

// RFC 6177 §2: a site gets a /64 at least and picks interface identifiers at will, so limits
// keyed on the whole IPv6 address cost an attacker nothing.
describe("per-address limits count an IPv6 client's /64", () => {
  test("login guesses from many addresses of one /64 are throttled together; another /64 is not", async () => {
    const form = await loginForm();
    const statuses: number[] = [];
    for (const address of addressesOf("2001:db8:a:b", 8)) statuses.push(await guess(form, address));
    // Three free failures, then back-off: the guesses that follow wait (429), whatever the address.
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(4)).toContain(429);
    expect(await guess(form, "2001:db8:a:c::1")).toBe(401);
  });

  test("registrations from many addresses of one /64 share one rate; another /64 has its own", async () => {
    const [first, second, third] = addressesOf("2001:db8:5:5", 3);
    await expectCreated(await register(first!));
    await expectCreated(await register(second!));
    await expectOAuthError(await register(third!), 429, "temporarily_unavailable");
    await expectCreated(await register("2001:db8:5:6::1"));
  });

  test("token requests from many addresses of one /64 share one token_rate; another /64 has its own", async () => {
    const bogus = { grant_type: "authorization_code", code: "mcpc_not-a-code", code_verifier: "v".repeat(43), client_id: "desktop" };
    const token = (address: string) => postForm(appliance.url, "/token", bogus, { "x-forwarded-for": address });
    for (const address of addressesOf("2001:db8:7:7", 3)) expect((await token(address)).status).toBe(400);
    await expectOAuthError(await token("2001:db8:7:7:ffff::1"), 429, "temporarily_unavailable");
    expect((await token("2001:db8:7:8::1")).status).toBe(400);
  });
});
