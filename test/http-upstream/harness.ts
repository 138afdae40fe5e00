// The appliance with auth = "oauth" in front of HTTP MCP servers, and the two ways a test gets
// through its front door: the SDK client's own OAuth flow (a 401, discovery, registration,
// PKCE, the owner's consent), or the SDK's auth() for a bare access token to use with fetch.
import { expect } from "bun:test";
import { auth, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parseConfig } from "../../src/config/load.ts";
import type { HttpServerConfig } from "../../src/config/types.ts";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance.ts";
import { initializeRequest } from "../helpers/mcp-raw.ts";
import { MemoryOAuthProvider, OwnerBrowser, ownerPasswordHash } from "../helpers/oauth.ts";

/** [servers.*] tables through the real loader (secrets resolved from `env`), as the appliance would read them. */
export async function httpServersFrom(toml: string, env: Record<string, string> = {}): Promise<HttpServerConfig[]> {
  const config = await parseConfig(`auth = "none"\n${toml}`, "<http-upstream test>", env);
  return config.httpServers;
}

export async function startOAuthAppliance(httpServers: HttpServerConfig[]): Promise<TestAppliance> {
  return startTestAppliance([], { auth: "oauth", httpServers, oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() } });
}

export function publicUrl(appliance: TestAppliance, server: string): URL {
  return new URL(appliance.config.httpServers.find((s) => s.name === server)!.path, appliance.url);
}

/** The SDK client connects; when it is told to authorize, the owner approves and it connects again. */
export async function connectWithOAuth(appliance: TestAppliance, url: URL, provider = new MemoryOAuthProvider(), capabilities = {}) {
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  try {
    await new Client({ name: "upstream-test", version: "1" }, { capabilities }).connect(first);
    throw new Error("the first connection should have needed authorization");
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
  }
  const redirect = await new OwnerBrowser(appliance.url).approve(provider.authorizationUrl!);
  await first.finishAuth(redirect.searchParams.get("code")!);
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const client = new Client({ name: "upstream-test", version: "1" }, { capabilities });
  await client.connect(transport);
  return { client, transport, provider };
}

/** An access token for the resource at `url`, through the SDK's auth() and the owner's consent. */
export async function accessToken(appliance: TestAppliance, url: URL, provider = new MemoryOAuthProvider()): Promise<string> {
  expect(await auth(provider, { serverUrl: url })).toBe("REDIRECT");
  const redirect = await new OwnerBrowser(appliance.url).approve(provider.authorizationUrl!);
  expect(await auth(provider, { serverUrl: url, authorizationCode: redirect.searchParams.get("code")! })).toBe("AUTHORIZED");
  return provider.tokens()!.access_token;
}

export const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join("");

export const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

export function initializeBody(id: number | string = 1): string {
  return JSON.stringify(initializeRequest({ id, client: "raw" }));
}

/** initialize + notifications/initialized with plain fetch: the session id. */
export async function rawSession(url: URL, token: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
    body: initializeBody(),
  });
  expect(response.status).toBe(200);
  await response.text();
  const session = response.headers.get("mcp-session-id")!;
  expect(session).toBeTruthy();
  const initialized = await fetch(url, {
    method: "POST",
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  expect(initialized.status).toBe(202);
  return session;
}
