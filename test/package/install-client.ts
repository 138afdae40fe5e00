// The HTTP client of the install tests, run by Bun on the host inside a container's network
// namespace (Container.inNetwork): it reaches the appliance at the container's 127.0.0.1 while it
// still sees this repository's helpers. Prints one JSON object on stdout.
//
//   bun test/package/install-client.ts oauth '{"base":"http://127.0.0.1:3001","server":"vault","password":"..."}'
//     dynamic registration, the owner's login and consent (the real pages, through OwnerBrowser),
//     the code exchanged with PKCE → { client_id, access_token, refresh_token, scope }
//   bun test/package/install-client.ts refresh '{"base":...,"client_id":...,"refresh_token":...}'
//     → the new token pair
//   bun test/package/install-client.ts mcp '{"url":"http://127.0.0.1:3001/vault/mcp","token":"...","calls":[...]}'
//     initialize, notifications/initialized, then each call in order (a JSON-RPC method and its
//     params) → { initialize: { status, session, body }, results: [{ status, message }] }
import { createHash, randomBytes } from "node:crypto";
import { OwnerBrowser } from "../helpers/oauth.ts";

const PROTOCOL = "2025-11-25";
const REDIRECT = "http://127.0.0.1:53682/callback";

type Json = Record<string, unknown>;

async function oauth({ base, server, password }: { base: string; server: string; password: string }): Promise<Json> {
  const registration = await fetch(new URL("/register", base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "install test",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    }),
  });
  const client = (await registration.json()) as { client_id?: string };
  if (registration.status !== 201 || !client.client_id) throw new Error(`registration: ${registration.status} ${JSON.stringify(client)}`);

  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const resource = new URL(`/${server}/mcp`, base).href;
  const state = randomBytes(8).toString("hex");
  const authorize = new URL("/authorize", base);
  for (const [key, value] of Object.entries({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    resource,
  })) {
    authorize.searchParams.set(key, value);
  }
  const redirect = await new OwnerBrowser(base).approve(authorize, password);
  if (redirect.searchParams.get("state") !== state) throw new Error(`state not returned: ${redirect.href}`);
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error(`no code: ${redirect.href}`);

  const tokens = await tokenRequest(base, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    code_verifier: verifier,
    resource,
  });
  return { client_id: client.client_id, ...tokens };
}

async function tokenRequest(base: string, fields: Record<string, string>): Promise<Json> {
  const response = await fetch(new URL("/token", base), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  const body = (await response.json()) as Json;
  if (response.status !== 200) throw new Error(`token request: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** A JSON-RPC answer in a JSON body or as the last data: line of an SSE stream. */
function message(text: string, contentType: string): unknown {
  if (contentType.startsWith("text/event-stream")) {
    const data = text.split("\n").filter((line) => line.startsWith("data:"));
    return data.length > 0 ? JSON.parse(data.at(-1)!.slice(5)) : null;
  }
  return text ? JSON.parse(text) : null;
}

async function mcp({ url, token, calls }: { url: string; token: string; calls: { method: string; params?: unknown }[] }): Promise<Json> {
  const headers = (session?: string): Record<string, string> => ({
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${token}`,
    ...(session ? { "mcp-session-id": session, "mcp-protocol-version": PROTOCOL } : {}),
  });
  const opened = await fetch(url, {
    method: "POST",
    headers: headers(),
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "install-test", version: "1" } },
    }),
  });
  const session = opened.headers.get("mcp-session-id") ?? undefined;
  const initialize = {
    status: opened.status,
    session: session ?? null,
    challenge: opened.headers.get("www-authenticate"),
    body: await opened.text(),
  };
  const results: Json[] = [];
  if (opened.status === 200 && session) {
    await (
      await fetch(url, {
        method: "POST",
        headers: headers(session),
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      })
    ).text();
    let id = 2;
    for (const call of calls) {
      const response = await fetch(url, {
        method: "POST",
        headers: headers(session),
        body: JSON.stringify({ jsonrpc: "2.0", id: id++, ...call }),
      });
      const text = await response.text();
      results.push({
        status: response.status,
        message: response.status === 200 ? message(text, response.headers.get("content-type") ?? "") : text,
      });
    }
    await (await fetch(url, { method: "DELETE", headers: headers(session) })).text();
  }
  return { initialize, results };
}

const [command, argument] = process.argv.slice(2);
const input = JSON.parse(argument ?? "{}");
let output: Json;
if (command === "oauth") output = await oauth(input);
else if (command === "refresh")
  output = await tokenRequest(input.base, { grant_type: "refresh_token", client_id: input.client_id, refresh_token: input.refresh_token });
else if (command === "mcp") output = await mcp(input);
else throw new Error(`unknown command ${command} (oauth | refresh | mcp)`);
console.log(JSON.stringify(output));
