// Refresh rotation over HTTP (RFC 9700 §4.14.2): within the grace window the rotation is
// idempotent — a retried or concurrent refresh with the same token gets the same successor pair,
// so no independent branch is ever minted — and any other reuse of a rotated token (here: once
// its successor has itself been rotated) revokes the whole family, access tokens included.
// The reuse after the window, which needs a clock, is in clocked.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { openStore } from "../../src/store/index.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { expectHealthy, expectOAuthError, postForm, registerPublic, sha256Hex, tokens } from "../helpers/oauth-http.ts";
import { seededTokens } from "../helpers/oauth-seed.ts";

const CALLBACK = "http://127.0.0.1/callback";

let appliance: TestAppliance;
let clientId: string;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { tokenRate: { count: 100_000, windowMs: 60_000 }, registrationRate: { count: 100_000, windowMs: 60_000 } },
  });
  clientId = (await registerPublic(appliance.url, [CALLBACK])).client_id;
});
afterAll(async () => {
  await appliance?.stop();
});
afterEach(async () => {
  await expectHealthy(appliance.url);
});

const refreshFields = (refreshToken: string) => ({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId });

async function mcp(accessToken: string): Promise<number> {
  const response = await fetch(appliance.mcpUrl("vault"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await response.body?.cancel();
  return response.status;
}

describe("refresh rotation is idempotent within the grace window", () => {
  test("a retry with the rotated token gets the very same refresh and access token", async () => {
    const first = await seededTokens(appliance, clientId, CALLBACK);
    const second = await tokens(appliance.url, refreshFields(first.refresh_token!));
    const retry = await tokens(appliance.url, refreshFields(first.refresh_token!));
    expect(retry.refresh_token).toBe(second.refresh_token);
    expect(retry.access_token).toBe(second.access_token);
    expect(retry.scope).toBe(second.scope);
    expect(retry.expires_in).toBeLessThanOrEqual(second.expires_in);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    // The store holds one successor, by hash only.
    const store = openStore(appliance.config.stateDir);
    try {
      expect(store.refreshTokens.get(sha256Hex(first.refresh_token!))?.replaced_by).toBe(sha256Hex(second.refresh_token!));
      expect(store.refreshTokens.findActive(sha256Hex(second.refresh_token!))).toBeDefined();
    } finally {
      store.close();
    }
    // The chain goes on from the one successor.
    const third = await tokens(appliance.url, refreshFields(second.refresh_token!));
    expect(await mcp(third.access_token)).not.toBe(401);
  });

  test("two simultaneous refreshes with one token both get the same successor", async () => {
    const first = await seededTokens(appliance, clientId, CALLBACK);
    const answers = await Promise.all(Array.from({ length: 2 }, () => tokens(appliance.url, refreshFields(first.refresh_token!))));
    expect(answers[0]!.refresh_token).toBe(answers[1]!.refresh_token);
    expect(answers[0]!.access_token).toBe(answers[1]!.access_token);
    expect(await mcp(answers[0]!.access_token)).not.toBe(401);
  });
});

describe("any other reuse revokes the family", () => {
  test("a rotated token whose successor was itself rotated: invalid_grant, and every token of the grant dies", async () => {
    const first = await seededTokens(appliance, clientId, CALLBACK);
    const second = await tokens(appliance.url, refreshFields(first.refresh_token!));
    const third = await tokens(appliance.url, refreshFields(second.refresh_token!));
    expect(await mcp(third.access_token)).not.toBe(401);

    // Still inside the first token's window, but its successor has moved on: two parties hold it.
    await expectOAuthError(await postForm(appliance.url, "/token", refreshFields(first.refresh_token!)), 400, "invalid_grant");
    await expectOAuthError(await postForm(appliance.url, "/token", refreshFields(third.refresh_token!)), 400, "invalid_grant");
    for (const access of [first.access_token, second.access_token, third.access_token]) expect(await mcp(access)).toBe(401);
  });
});
