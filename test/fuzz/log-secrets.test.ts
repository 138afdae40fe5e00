// Log secrecy: a whole working day of the appliance — the official SDK client's OAuth flow and
// tool calls, a confidential and a pre-registered client, a static token, the legacy transport,
// failed and throttled logins, registrations, refresh rotation and reuse, a replayed code,
// revocations, and requests with spent, foreign and malformed credentials — then everything the
// appliance logged is searched for every secret, token, code, code_verifier, password, CSRF token
// and client secret the suite used or obtained, and for the tool arguments and results it sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { eventually } from "../helpers/appliance.ts";
import { initializeRequest } from "../helpers/mcp-raw.ts";
import { formField, MemoryOAuthProvider, OWNER_PASSWORD, OwnerBrowser } from "../helpers/oauth.ts";
import { authorizeUrl, basicAuth, pkce, postForm, postJson } from "../helpers/oauth-http.ts";
import { SecretBook, secretsInLog } from "./harness.ts";
import { ACCEPT_BOTH, collectIssued, type FuzzTarget, startFuzzTarget } from "./target.ts";

let target: FuzzTarget;
/** Tool arguments and results the suite sent and received: message bodies, never to be logged. */
const bodies = new Map<string, string>();

function marker(label: string): string {
  const value = `BODY_${label}_${randomBytes(12).toString("hex")}`;
  bodies.set(value, label);
  return value;
}

/** A request whose answer is kept: its credentials join the book. */
async function remember(response: Response): Promise<{ status: number; text: string; headers: Headers }> {
  const text = await response.text();
  collectIssued(target.book, response.status, response.headers, text);
  return { status: response.status, text, headers: response.headers };
}

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join("");

beforeAll(async () => {
  target = await startFuzzTarget({ registrationRate: { count: 50, windowMs: 3_600_000 } });
  const { base, book } = target;
  book.add("client A's login-form CSRF token", target.pending.csrf);

  // 1. The official SDK client: discovery from the 401, DCR, PKCE, the owner's login and consent.
  const provider = new MemoryOAuthProvider("http://localhost:47999/callback");
  const first = new StreamableHTTPClientTransport(new URL(target.mcpUrl), { authProvider: provider });
  try {
    await new Client({ name: "log-secrets", version: "1" }).connect(first);
    throw new Error("expected the first connect to need authorization");
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  const redirect = await new OwnerBrowser(base).approve(provider.authorizationUrl!);
  const sdkCode = redirect.searchParams.get("code")!;
  book.add("the SDK client's authorization code", sdkCode);
  book.add("the SDK client's code_verifier", provider.codeVerifier());
  await first.finishAuth(sdkCode);
  const sdkTokens = provider.tokens()!;
  book.add("the SDK client's access token", sdkTokens.access_token);
  book.add("the SDK client's refresh token", sdkTokens.refresh_token);
  const client = new Client({ name: "log-secrets", version: "1" });
  const transport = new StreamableHTTPClientTransport(new URL(target.mcpUrl), { authProvider: provider });
  await client.connect(transport);
  const argument = marker("tool argument");
  if (textOf(await client.callTool({ name: "echo", arguments: { text: argument } })) !== argument) throw new Error("echo failed");
  await client.callTool({ name: "log", arguments: { message: marker("logging notification") } });
  await client.listTools();
  await client.callTool({ name: "nope", arguments: { text: marker("argument of an unknown tool") } }).catch(() => undefined);
  await transport.terminateSession();
  await client.close();

  // 2. Streamable HTTP by hand with each kind of credential: B's token, C's token, the static token.
  for (const [name, token] of [
    ["B", target.b.tokens.access_token],
    ["C", target.c.tokens.access_token],
    ["static", target.staticToken],
  ] as const) {
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", accept: ACCEPT_BOTH };
    const init = await fetch(target.mcpUrl, {
      method: "POST",
      headers,
      body: JSON.stringify(initializeRequest({ client: name })),
    });
    await init.text();
    const session = init.headers.get("mcp-session-id")!;
    const call = await fetch(target.mcpUrl, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "echo", arguments: { text: marker(`argument sent with ${name}'s token`) } },
      }),
    });
    await call.text();
    await fetch(target.mcpUrl, { method: "DELETE", headers: { authorization: `Bearer ${token}`, "mcp-session-id": session } });
  }

  // 3. The legacy HTTP+SSE transport.
  const stream = await fetch(new URL("/vault/sse", base), {
    headers: { authorization: `Bearer ${target.a.tokens.access_token}`, accept: "text/event-stream" },
  });
  const reader = stream.body!.getReader();
  let events = "";
  while (!events.includes("sessionId=")) events += new TextDecoder().decode((await reader.read()).value);
  const endpoint = /data: (\S+)/.exec(events)![1]!;
  await fetch(new URL(endpoint, base), {
    method: "POST",
    headers: { authorization: `Bearer ${target.a.tokens.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 9,
      method: "tools/call",
      params: { name: "echo", arguments: { text: marker("legacy transport argument") } },
    }),
  });
  while (!events.includes('"id":9')) events += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();

  // 4. Failed logins (wrong, empty, oversized), then throttled ones, on a fresh login page.
  const loginPage = await fetch(
    authorizeUrl(base, {
      response_type: "code",
      client_id: target.a.clientId,
      redirect_uri: target.a.redirectUri,
      code_challenge: pkce().challenge,
      code_challenge_method: "S256",
    }),
  );
  const html = await loginPage.text();
  const request = formField(html, "request");
  const csrf = formField(html, "csrf");
  book.add("a login-form CSRF token", csrf);
  for (const password of [
    `wrong-${randomBytes(9).toString("hex")}`,
    `${OWNER_PASSWORD} `,
    `x${"y".repeat(2000)}`,
    `wrong-${randomBytes(9).toString("hex")}`,
    `wrong-${randomBytes(9).toString("hex")}`,
  ]) {
    book.add("a wrong owner password", password);
    await postForm(base, "/authorize", { action: "login", request, csrf, password }, { origin: base }).then((r) => r.text());
  }

  // 5. Registrations: public, client_secret_post, client_secret_basic; one refused.
  for (const method of ["none", "client_secret_post", "client_secret_basic"]) {
    await remember(
      await postJson(base, "/register", {
        client_name: `log ${method}`,
        redirect_uris: ["https://log.example/cb"],
        token_endpoint_auth_method: method,
        grant_types: ["authorization_code", "refresh_token"],
      }),
    );
  }
  await remember(
    await postJson(base, "/register", { redirect_uris: ["javascript:alert(1)"], client_secret: `asked-${randomBytes(9).toString("hex")}` }),
  );

  // 6. The token endpoint: rotation, reuse within the grace window, a replayed code, wrong
  //    secrets, a foreign refresh token, a wrong verifier, an unknown code.
  const rotated = await remember(
    await postForm(base, "/token", {
      grant_type: "refresh_token",
      refresh_token: target.a.tokens.refresh_token!,
      client_id: target.a.clientId,
    }),
  );
  const newRefresh = (JSON.parse(rotated.text) as { refresh_token: string }).refresh_token;
  await remember(
    await postForm(base, "/token", {
      grant_type: "refresh_token",
      refresh_token: target.a.tokens.refresh_token!,
      client_id: target.a.clientId,
    }),
  );
  await remember(
    await postForm(base, "/token", {
      grant_type: "authorization_code",
      code: target.codes[0]!.code,
      code_verifier: target.codes[0]!.verifier,
      client_id: target.a.clientId,
    }),
  );
  const wrongSecret = `wrong-secret-${randomBytes(9).toString("hex")}`;
  book.add("a wrong client secret", wrongSecret);
  await remember(
    await postForm(base, "/token", {
      grant_type: "refresh_token",
      refresh_token: target.b.tokens.refresh_token!,
      client_id: target.b.clientId,
      client_secret: wrongSecret,
    }),
  );
  await remember(
    await postForm(
      base,
      "/token",
      { grant_type: "refresh_token", refresh_token: target.c.tokens.refresh_token! },
      { authorization: basicAuth(target.c.clientId, wrongSecret) },
    ),
  );
  await remember(
    await postForm(base, "/token", {
      grant_type: "refresh_token",
      refresh_token: newRefresh,
      client_id: target.b.clientId,
      client_secret: target.b.secret!,
    }),
  );
  const pair = pkce();
  const fresh = await fetch(
    authorizeUrl(base, {
      response_type: "code",
      client_id: target.c.clientId,
      redirect_uri: target.c.redirectUri,
      code_challenge: pair.challenge,
      code_challenge_method: "S256",
    }),
    { redirect: "manual" },
  );
  const freshCode = new URL(fresh.headers.get("location")!).searchParams.get("code")!;
  book.add("a fresh code", freshCode);
  book.add("a fresh code_verifier", pair.verifier);
  const wrongVerifier = pkce().verifier;
  book.add("a wrong code_verifier", wrongVerifier);
  await remember(
    await postForm(
      base,
      "/token",
      { grant_type: "authorization_code", code: freshCode, code_verifier: wrongVerifier },
      { authorization: basicAuth(target.c.clientId, target.c.secret!) },
    ),
  );
  const unknownCode = `mcpc_${randomBytes(32).toString("base64url")}`;
  book.add("an unknown code", unknownCode);
  await remember(
    await postForm(
      base,
      "/token",
      { grant_type: "authorization_code", code: unknownCode, code_verifier: pair.verifier },
      { authorization: basicAuth(target.c.clientId, target.c.secret!) },
    ),
  );

  // 7. Revocations: an access token, a refresh token, one by the wrong client, an unknown one.
  await remember(
    await postForm(base, "/revoke", { token: target.b.tokens.access_token, client_id: target.b.clientId, client_secret: target.b.secret! }),
  );
  await remember(await postForm(base, "/revoke", { token: newRefresh, client_id: target.a.clientId }));
  await remember(await postForm(base, "/revoke", { token: target.c.tokens.access_token, client_id: target.a.clientId }));
  await remember(await postForm(base, "/revoke", { token: unknownCode, client_id: target.a.clientId }));

  // 8. MCP with spent, foreign, malformed and misplaced credentials.
  for (const authorization of [
    `Bearer ${target.b.tokens.access_token}`,
    `Bearer ${target.a.tokens.refresh_token}`,
    `Bearer ${target.c.secret}`,
    `Bearer ${target.b.secret}`,
    `Basic ${Buffer.from(`${target.c.clientId}:${target.c.secret}`).toString("base64")}`,
    `Bearer ${target.staticToken} extra`,
    `Bearer ${unknownCode}`,
  ]) {
    await fetch(target.mcpUrl, {
      method: "POST",
      headers: { authorization, "content-type": "application/json", accept: ACCEPT_BOTH },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    }).then((r) => r.text());
  }
  // Credentials in the query string, where a careless client might put them.
  await fetch(`${target.mcpUrl}?access_token=${target.a.tokens.access_token}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
    body: "{}",
  }).then((r) => r.text());
  await fetch(`${base}/authorize?client_id=${target.a.clientId}&client_secret=${target.c.secret}&code_verifier=${pair.verifier}`, {
    redirect: "manual",
  }).then((r) => r.text());

  // Lines may still follow the last answer (sessions ending, children exiting), and no single
  // event marks the last of them: wait until the log has been quiet for a while (bounded).
  await eventually(quietFor(target.appliance.logs, 300), "the log is quiet", 10_000);
});

/** A check that holds once `lines` has not grown for `ms`. */
function quietFor(lines: string[], ms: number): () => boolean {
  let length = lines.length;
  let changed = Date.now();
  return () => {
    if (lines.length !== length) {
      length = lines.length;
      changed = Date.now();
    }
    return Date.now() - changed >= ms;
  };
}
afterAll(async () => {
  await target?.stop();
});

describe("log secrecy", () => {
  test("the search finds a secret in each spelling, and skips what a request carried itself", () => {
    const book = new SecretBook();
    book.add("a password", "correct horse battery staple");
    book.add("a token", "mcpa_0123456789abcdef");
    expect(book.foundIn('{"reason":"correct horse battery staple"}')).toEqual([["a password", "correct horse battery staple"]]);
    expect(book.foundIn("location: /x?p=correct+horse+battery+staple")).toEqual([["a password", "correct+horse+battery+staple"]]);
    expect(book.foundIn("p=correct%20horse%20battery%20staple")).toEqual([["a password", "correct%20horse%20battery%20staple"]]);
    expect(book.foundIn("www-authenticate: Bearer mcpa_0123456789abcdef")).toEqual([["a token", "mcpa_0123456789abcdef"]]);
    expect(book.foundIn("echo mcpa_0123456789abcdef", '{"text":"mcpa_0123456789abcdef"}')).toEqual([]);
    expect(book.foundIn("mcpa_0123456789abcde and correct horse")).toEqual([]);
    expect(secretsInLog(book, ['{"msg":"ok"}', '{"token":"mcpa_0123456789abcdef"}'])).toEqual([
      'a token: {"token":"mcpa_0123456789abcdef"}',
    ]);
  });

  test("the suite used every kind of credential it searches for", () => {
    const labels = target.book.labels().join("\n");
    for (const kind of [
      "owner password",
      "wrong owner password",
      "signing key",
      "client_secret",
      "access token",
      "refresh token",
      "authorization code",
      "code_verifier",
      "CSRF",
      "static API token",
      "owner's session cookie",
      "MCP server's API key",
    ]) {
      expect(labels).toContain(kind);
    }
    expect(target.appliance.logs.length).toBeGreaterThan(50);
    // The events the searched log must hold, so that a silent log cannot pass for a clean one.
    const messages = new Set(target.appliance.logs.map((line) => (JSON.parse(line) as { msg: string }).msg));
    for (const event of [
      "request",
      "client registered",
      "authorization granted",
      "oauth request refused",
      "authorization code replayed; its grant was revoked",
      "token revoked",
      "session started",
      "session ended",
      "legacy SSE session ended",
    ]) {
      expect(messages).toContain(event);
    }
  });

  test("no log line holds a secret, token, code, code_verifier, password or client secret", () => {
    expect(secretsInLog(target.book, target.appliance.logs)).toEqual([]);
  });

  test("no log line holds a tool argument or result (message bodies), at info level or any other", () => {
    const leaks = target.appliance.logs.flatMap((line) =>
      [...bodies].filter(([value]) => line.includes(value)).map(([, label]) => `${label}: ${line.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);
  });
});
