// Owner-login guesses sent all at once (issue 13: "300 concurrent guesses from one address were
// all checked"): each attempt is charged before its password check, so after the free failures
// the rest are refused with 429 unchecked. The log's "owner sign-in refused" lines with reason
// "wrong" count the passwords that were checked.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { formField, ownerPasswordHash } from "../helpers/oauth.ts";
import { authorizeUrl, pkce, postForm } from "../helpers/oauth-http.ts";

const GUESSES = 300;
/** Three free failures and the one that starts the back-off. */
const ALLOWANCE = 4;

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    trustProxy: ["127.0.0.1"],
    oauthOverrides: {
      ownerPasswordHash: await ownerPasswordHash(),
      clients: [{ name: "Desktop", clientId: "desktop", redirectUris: ["http://127.0.0.1/callback"], autoApprove: false }],
    },
  });
});
afterAll(async () => {
  await appliance?.stop();
});

async function loginForm(): Promise<{ request: string; csrf: string }> {
  const url = authorizeUrl(appliance.url, {
    response_type: "code",
    client_id: "desktop",
    redirect_uri: "http://127.0.0.1/callback",
    code_challenge: pkce().challenge,
    code_challenge_method: "S256",
  });
  const page = await (await fetch(url)).text();
  return { request: formField(page, "request"), csrf: formField(page, "csrf") };
}

async function guess(form: { request: string; csrf: string }, address: string): Promise<number> {
  const response = await postForm(
    appliance.url,
    "/authorize",
    { action: "login", ...form, password: "a wrong guess" },
    { origin: appliance.url, "x-forwarded-for": address },
  );
  await response.arrayBuffer();
  return response.status;
}

function checkedPasswords(): number {
  return appliance.logs
    .map((line) => JSON.parse(line) as { msg?: string; reason?: string })
    .filter((entry) => entry.msg === "owner sign-in refused" && entry.reason === "wrong").length;
}

describe("concurrent owner-login guesses", () => {
  test(`${GUESSES} guesses at once from one address: the allowance is checked, the rest get 429 unchecked`, async () => {
    const form = await loginForm();
    const statuses = await Promise.all(Array.from({ length: GUESSES }, () => guess(form, "198.51.100.20")));
    const wrong = statuses.filter((s) => s === 401).length;
    const throttled = statuses.filter((s) => s === 429).length;
    expect(wrong + throttled).toBe(GUESSES);
    expect(wrong).toBeGreaterThanOrEqual(1);
    // The allowance, plus at most one per back-off step should the burst outlast a wait (1 s, 2 s, …).
    expect(wrong).toBeLessThanOrEqual(ALLOWANCE + 2);
    expect(checkedPasswords()).toBe(wrong);
  });

  test("the throttled address does not block another one", async () => {
    const form = await loginForm();
    expect(await guess(form, "198.51.100.21")).toBe(401);
  });
});
