// The official MCP SDK client's OAuth flow end to end against the running appliance:
// discovery from a 401, dynamic registration, PKCE, the owner's login and consent, tokens,
// tool calls, refresh, revocation, and a restart in the middle.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { initializeRequest } from "../helpers/mcp-raw.ts";
import { MemoryOAuthProvider, OwnerBrowser, ownerPasswordHash } from "../helpers/oauth.ts";

let appliance: TestAppliance;

async function start(stateDir?: string, port = 0) {
  return startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    listen: { host: "127.0.0.1", port },
    ...(stateDir ? { stateDir } : {}),
    oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() },
  });
}

beforeAll(async () => {
  appliance = await start();
});
afterAll(async () => {
  await appliance.stop();
});

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join("");

/** Connect, and when the SDK asks for authorization, play the owner and finish it. */
async function connectWithOAuth(url: URL, provider: MemoryOAuthProvider, origin: string) {
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const client = new Client({ name: "oauth-test", version: "1" });
  let authorized = false;
  try {
    await client.connect(first);
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    const redirect = await new OwnerBrowser(origin).approve(provider.authorizationUrl!);
    expect(redirect.searchParams.get("iss")).toBe(origin);
    await first.finishAuth(redirect.searchParams.get("code")!);
    authorized = true;
  }
  if (!authorized) return { client, transport: first };
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const again = new Client({ name: "oauth-test", version: "1" });
  await again.connect(transport);
  return { client: again, transport };
}

describe("the SDK client's OAuth flow", () => {
  test("an MCP request without a token gets 401 naming the protected resource metadata", async () => {
    const response = await fetch(appliance.mcpUrl("vault"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate")!;
    expect(challenge).toContain(`resource_metadata="${appliance.url}/.well-known/oauth-protected-resource/vault/mcp"`);
    expect(challenge).toContain('scope="mcp:vault"');
    expect(challenge).not.toContain("error=");
  });

  test("DCR + PKCE + login + consent, then tools work; refresh rotates; revocation ends access", async () => {
    const provider = new MemoryOAuthProvider();
    const { client, transport } = await connectWithOAuth(appliance.mcpUrl("vault"), provider, appliance.url);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "authorized" } }))).toBe("authorized");

    const tokens = provider.tokens()!;
    expect(tokens.access_token).toStartWith("mcpa_");
    expect(tokens.refresh_token).toStartWith("mcpr_");
    expect(tokens.scope).toBe("mcp:vault");

    // Refresh: a new pair, the old refresh token is spent.
    const clientId = provider.clientInformation()!.client_id;
    const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: clientId });
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(pair.refresh_token).not.toBe(tokens.refresh_token);
    expect(await callWith(pair.access_token)).toBe(200);

    // Revocation of the new refresh token revokes its whole grant, access tokens included.
    const revoked = await form("/revoke", { token: pair.refresh_token, client_id: clientId });
    expect(revoked.status).toBe(200);
    expect(await callWith(pair.access_token)).toBe(401);
    expect(await callWith(tokens.access_token)).toBe(401);
    await transport.close();
  });

  test("tokens survive a restart of the appliance", async () => {
    const local = await start();
    const provider = new MemoryOAuthProvider();
    const { client } = await connectWithOAuth(local.mcpUrl("vault"), provider, local.url);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "before" } }))).toBe("before");
    await client.close();
    const { stateDir, listen } = local.config;
    const port = local.port;
    await local.stop();
    const restarted = await start(stateDir, port);
    try {
      expect(listen.port).toBe(0);
      const transport = new StreamableHTTPClientTransport(restarted.mcpUrl("vault"), { authProvider: provider });
      const again = new Client({ name: "oauth-test", version: "1" });
      await again.connect(transport);
      expect(textOf(await again.callTool({ name: "echo", arguments: { text: "after" } }))).toBe("after");
      await transport.terminateSession();
      await again.close();
    } finally {
      await restarted.stop();
    }
  });

  test("a session can only be used with tokens of the client that opened it", async () => {
    const a = await connectWithOAuth(appliance.mcpUrl("vault"), new MemoryOAuthProvider(), appliance.url);
    const other = new MemoryOAuthProvider("http://127.0.0.1:47999/cb");
    const b = await connectWithOAuth(appliance.mcpUrl("vault"), other, appliance.url);
    const response = await fetch(appliance.mcpUrl("vault"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${other.tokens()!.access_token}`,
        "mcp-session-id": a.transport.sessionId!,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "ping" }),
    });
    expect(response.status).toBe(404);
    await a.transport.terminateSession();
    await b.transport.terminateSession();
  });
});

function form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(new URL(path, appliance.url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
}

function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return form("/token", fields, headers);
}

async function callWith(accessToken: string): Promise<number> {
  const response = await fetch(appliance.mcpUrl("vault"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(initializeRequest({ client: "t" })),
  });
  await response.text();
  const session = response.headers.get("mcp-session-id");
  if (session)
    await fetch(appliance.mcpUrl("vault"), {
      method: "DELETE",
      headers: { "mcp-session-id": session, authorization: `Bearer ${accessToken}` },
    });
  return response.status;
}
