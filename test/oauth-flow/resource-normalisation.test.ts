// A resource indicator (RFC 8707 §2) spelled differently from the served URL — a trailing slash,
// an upper-case scheme or host (RFC 3986 §6.2.2.1: both are case-insensitive) — names the same
// protected resource. Not only is a token issued for it: the token opens that server's MCP
// endpoint (the official SDK client connects and calls a tool with it), and no other server's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { authorizeUrl, mcpInitialize, pkce, sha256Hex, tokens } from "../helpers/oauth-http.ts";

const CALLBACK = "https://trusted.example/cb";
const SECRET = "resource-normalisation-secret";
const PUBLIC_URL = "https://mcp.example.com";

let local: TestAppliance; // served at http://127.0.0.1:<port>
let published: TestAppliance; // public_url https://mcp.example.com, reached over 127.0.0.1

beforeAll(async () => {
  const servers = () => [stdioServer("alpha", "behaviour-server.mjs"), stdioServer("beta", "behaviour-server.mjs")];
  const oauthOverrides = {
    clients: [{ name: "Trusted", clientId: "trusted", clientSecretSha256: sha256Hex(SECRET), redirectUris: [CALLBACK], autoApprove: true }],
  };
  local = await startTestAppliance(servers(), { auth: "oauth", oauthOverrides });
  published = await startTestAppliance(servers(), { auth: "oauth", publicUrl: PUBLIC_URL, oauthOverrides });
});
afterAll(async () => {
  await Promise.all([local, published].map((appliance) => appliance?.stop()));
});

/** Where the test reaches the appliance: its port on 127.0.0.1 (a public_url names no local host). */
const reach = (appliance: TestAppliance, path = "/") => new URL(path, `http://127.0.0.1:${appliance.port}`);

/** The auto-approved client's access token, with `resource` at /authorize and/or at /token. */
async function accessToken(appliance: TestAppliance, at: { authorize?: string; token?: string }): Promise<string> {
  const pair = pkce();
  const response = await fetch(
    authorizeUrl(reach(appliance).href, {
      response_type: "code",
      client_id: "trusted",
      redirect_uri: CALLBACK,
      code_challenge: pair.challenge,
      code_challenge_method: "S256",
      resource: at.authorize,
    }),
    { redirect: "manual" },
  );
  if (response.status !== 303) throw new Error(`expected a redirect, got ${response.status}: ${await response.text()}`);
  const location = new URL(response.headers.get("location")!);
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location.href}`);
  const issued = await tokens(reach(appliance).href, {
    grant_type: "authorization_code",
    code,
    code_verifier: pair.verifier,
    redirect_uri: CALLBACK,
    client_id: "trusted",
    client_secret: SECRET,
    ...(at.token === undefined ? {} : { resource: at.token }),
  });
  expect(issued.scope).toBe("mcp:alpha");
  return issued.access_token;
}

/** A real MCP session with the token: the SDK client initializes and calls a tool. */
async function echoWith(url: URL, accessToken: string): Promise<string> {
  const client = new Client({ name: "resource-normalisation", version: "1" });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${accessToken}` } } });
  await client.connect(transport);
  try {
    const result = (await client.callTool({ name: "echo", arguments: { text: "opened" } })) as { content: { text: string }[] };
    return result.content.map((c) => c.text).join("");
  } finally {
    await transport.terminateSession();
    await client.close();
  }
}

// With two servers, /authorize requires a resource: where only /token spells it differently,
// /authorize names the served URL exactly.
for (const [name, appliance, served, spellings] of [
  [
    "served at its listen address",
    () => local,
    () => `${local.url}/alpha/mcp`,
    () => [`${local.url}/alpha/mcp/`, `HTTP://127.0.0.1:${local.port}/alpha/mcp`, `HTTP://127.0.0.1:${local.port}/alpha/mcp/`],
  ],
  [
    "served at its public_url",
    () => published,
    () => `${PUBLIC_URL}/alpha/mcp`,
    () => [`${PUBLIC_URL}/alpha/mcp/`, "HTTPS://MCP.EXAMPLE.COM/alpha/mcp", "HTTPS://Mcp.Example.Com/alpha/mcp/"],
  ],
] as const) {
  describe(`a normalised resource opens the MCP endpoint (${name})`, () => {
    for (const where of ["authorize", "token", "both"] as const) {
      test(`spelled differently at ${where === "both" ? "/authorize and /token" : `/${where}`}: the token opens /alpha/mcp, not /beta/mcp`, async () => {
        for (const resource of spellings()) {
          const at = {
            authorize: where === "token" ? served() : resource,
            token: where === "authorize" ? undefined : resource,
          };
          const token = await accessToken(appliance(), at);
          expect(await echoWith(reach(appliance(), "/alpha/mcp"), token)).toBe("opened");
          // The same token is no key to the other server on the same host.
          expect((await mcpInitialize(reach(appliance(), "/beta/mcp"), `Bearer ${token}`)).status).toBe(401);
        }
      });
    }
  });
}
