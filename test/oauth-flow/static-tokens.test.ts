// Static API tokens for headless clients ([[oauth.static_tokens]]: a name, the token's SHA-256,
// the servers it may use): accepted on their servers (Streamable HTTP and legacy SSE), refused
// with 403 insufficient_scope elsewhere, and an unknown token is 401 invalid_token.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { challengeParams, expectHealthy, mcpInitialize, sha256Hex } from "../helpers/oauth-http.ts";

const ALPHA_ONLY = "static-token-for-alpha-only-0123456789abcdef";
const BOTH = "static-token-for-alpha-and-beta-0123456789";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("alpha", "behaviour-server.mjs"), stdioServer("beta", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: {
      staticTokens: [
        { name: "ci", tokenSha256: sha256Hex(ALPHA_ONLY), servers: ["alpha"] },
        { name: "ops", tokenSha256: sha256Hex(BOTH), servers: ["alpha", "beta"] },
      ],
    },
  });
});
afterAll(async () => {
  await appliance?.stop();
});
afterEach(async () => {
  await expectHealthy(appliance.url);
});

function headers(token: string, session?: string): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${token}`,
    "mcp-protocol-version": "2025-11-25",
    ...(session ? { "mcp-session-id": session } : {}),
  };
}

async function rpc(response: Response): Promise<{ result?: { content?: { text: string }[] }; error?: unknown }> {
  const text = await response.text();
  if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    return JSON.parse(
      text
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .at(-1)!
        .slice(5),
    );
  }
  return JSON.parse(text);
}

/** The first bytes of a legacy SSE stream, then the stream is dropped. */
async function openLegacyStream(path: string, token?: string): Promise<{ status: number; challenge: string | null; first: string }> {
  const controller = new AbortController();
  const response = await fetch(new URL(path, appliance.url), {
    headers: { accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: controller.signal,
  });
  let first = "";
  if (response.status === 200) {
    const reader = response.body!.getReader();
    while (!first.includes("\n\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      first += new TextDecoder().decode(value);
    }
    controller.abort();
  } else {
    first = await response.text();
  }
  return { status: response.status, challenge: response.headers.get("www-authenticate"), first };
}

describe("static API tokens", () => {
  test("a token works on its server: initialize 200 with a session, then a tool call", async () => {
    const url = appliance.mcpUrl("alpha");
    const opened = await mcpInitialize(url, `Bearer ${ALPHA_ONLY}`, {}, true);
    expect(opened.status).toBe(200);
    expect(opened.session).toBeTruthy();
    const session = opened.session!;
    const initialized = await fetch(url, {
      method: "POST",
      headers: headers(ALPHA_ONLY, session),
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    expect(initialized.status).toBe(202);
    const called = await fetch(url, {
      method: "POST",
      headers: headers(ALPHA_ONLY, session),
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { text: "static" } } }),
    });
    expect(called.status).toBe(200);
    expect((await rpc(called)).result?.content?.[0]?.text).toBe("static");
    const ended = await fetch(url, { method: "DELETE", headers: headers(ALPHA_ONLY, session) });
    expect(ended.status).toBeLessThan(300);
  });

  test("the same token on another server: 403 insufficient_scope naming that server's scope", async () => {
    const answer = await mcpInitialize(appliance.mcpUrl("beta"), `Bearer ${ALPHA_ONLY}`);
    expect(answer.status).toBe(403);
    expect(answer.session).toBeNull();
    const params = challengeParams(answer.challenge);
    expect(params.error).toBe("insufficient_scope");
    expect(params.scope).toBe("mcp:beta");
    expect(params.resource_metadata).toBe(`${appliance.url}/.well-known/oauth-protected-resource/beta/mcp`);
    // On an MCP path the body is a JSON-RPC error with no id; the challenge carries the OAuth code.
    expect(JSON.parse(answer.body)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: "insufficient_scope: this API token is not allowed to use the server beta" },
    });
  });

  test("a token scoped to both servers works on both", async () => {
    for (const name of ["alpha", "beta"]) {
      const answer = await mcpInitialize(appliance.mcpUrl(name), `Bearer ${BOTH}`);
      expect(answer.status).toBe(200);
      expect(answer.session).toBeTruthy();
    }
  });

  test("the lower-case scheme works for a static token too", async () => {
    expect((await mcpInitialize(appliance.mcpUrl("alpha"), `bearer ${ALPHA_ONLY}`)).status).toBe(200);
  });

  test("an unknown token, a near miss and the configured hash itself: 401 invalid_token", async () => {
    for (const wrong of [
      "not-a-configured-token",
      `${ALPHA_ONLY}x`,
      ALPHA_ONLY.slice(0, -1),
      sha256Hex(ALPHA_ONLY),
      ALPHA_ONLY.toUpperCase(),
    ]) {
      const answer = await mcpInitialize(appliance.mcpUrl("alpha"), `Bearer ${wrong}`);
      expect(answer.status).toBe(401);
      expect(challengeParams(answer.challenge).error).toBe("invalid_token");
      expect(JSON.parse(answer.body).error.message).toStartWith("invalid_token: ");
    }
  });

  test("a session opened with one static token cannot be used with another", async () => {
    const url = appliance.mcpUrl("alpha");
    const opened = await mcpInitialize(url, `Bearer ${ALPHA_ONLY}`, {}, true);
    expect(opened.status).toBe(200);
    const foreign = await fetch(url, {
      method: "POST",
      headers: headers(BOTH, opened.session!),
      body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping" }),
    });
    expect(foreign.status).toBe(404);
    await foreign.text();
    const own = await fetch(url, {
      method: "POST",
      headers: headers(ALPHA_ONLY, opened.session!),
      body: JSON.stringify({ jsonrpc: "2.0", id: 4, method: "ping" }),
    });
    expect(own.status).toBe(200);
    await own.text();
    await fetch(url, { method: "DELETE", headers: headers(ALPHA_ONLY, opened.session!) });
  });

  test("the legacy SSE endpoint: the token opens its server's stream, not the other's; no token is 401", async () => {
    const opened = await openLegacyStream("/alpha/sse", ALPHA_ONLY);
    expect(opened.status).toBe(200);
    expect(opened.first).toContain("event: endpoint");

    const other = await openLegacyStream("/beta/sse", ALPHA_ONLY);
    expect(other.status).toBe(403);
    expect(challengeParams(other.challenge).error).toBe("insufficient_scope");

    const none = await openLegacyStream("/alpha/sse");
    expect(none.status).toBe(401);
    const params = challengeParams(none.challenge);
    expect(params.error).toBeUndefined();
    expect(params.resource_metadata).toBe(`${appliance.url}/.well-known/oauth-protected-resource/alpha/sse`);
  });

  test("a static token is not a client credential: /token does not know it, and it keeps working", async () => {
    const asClient = await fetch(new URL("/token", appliance.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${ALPHA_ONLY}` },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: ALPHA_ONLY }),
    });
    expect(asClient.status).toBe(401);
    expect(((await asClient.json()) as { error: string }).error).toBe("invalid_client");
    expect((await mcpInitialize(appliance.mcpUrl("alpha"), `Bearer ${ALPHA_ONLY}`)).status).toBe(200);
  });
});

test("the appliance is still up", async () => {
  await expectHealthy(appliance.url);
});
