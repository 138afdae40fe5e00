// Pre-registered confidential clients (the Claude.ai connector path: a client ID and secret typed
// into the connector's advanced settings), driven by hand over HTTP: the owner approves in the
// browser, the client redeems the code with the code_verifier it generated (S256 computed here
// with node:crypto), authenticating with client_secret_basic or client_secret_post. Auto-approval
// exists only for a pre-registered client whose configuration says so, never for DCR clients.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { OwnerBrowser, ownerPasswordHash } from "../helpers/oauth.ts";
import {
  authorizeUrl,
  authorizeWithOwner,
  basicAuth,
  expectErrorPage,
  expectErrorRedirect,
  expectHealthy,
  expectNoNull,
  expectOAuthError,
  mcpInitialize,
  mcpStatus,
  pkce,
  postForm,
  postJson,
  registerPublic,
  sha256Hex,
  tokens,
} from "../helpers/oauth-http.ts";
import { seedAuthorizationCode } from "../helpers/oauth-seed.ts";

const CLAUDE_SECRET = "mcps_claude-connector-secret-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
// Characters that RFC 6749 §2.3.1 form-urlencoding changes in a Basic header.
const TRUSTED_SECRET = "s3cr:t+with%and space/=&?";
const CLAUDE_AI = "https://claude.ai/api/mcp/auth_callback";
const CLAUDE_COM = "https://claude.com/api/mcp/auth_callback";
const TRUSTED_CB = "https://trusted.example/cb";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: {
      ownerPasswordHash: await ownerPasswordHash(),
      clients: [
        {
          name: "Claude",
          clientId: "claude-connector",
          clientSecretSha256: sha256Hex(CLAUDE_SECRET),
          redirectUris: [CLAUDE_AI, CLAUDE_COM],
          autoApprove: false,
        },
        {
          name: "Trusted",
          clientId: "trusted",
          clientSecretSha256: sha256Hex(TRUSTED_SECRET),
          redirectUris: [TRUSTED_CB],
          autoApprove: true,
        },
        { name: "Desktop", clientId: "desktop", redirectUris: ["http://127.0.0.1/callback"], autoApprove: false },
        // What the loader now refuses, as an older state or configuration may still hold it.
        { name: "Old public", clientId: "old-public", redirectUris: ["http://127.0.0.1/callback"], autoApprove: true },
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

/** The JSON-RPC message of a response that is either application/json or one SSE event. */
async function rpcResult(response: Response): Promise<{ result?: unknown; error?: unknown }> {
  const text = await response.text();
  if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    const data = text
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trim());
    return JSON.parse(data.at(-1)!);
  }
  return JSON.parse(text);
}

/** initialize, initialized, tools/call echo with this access token; the session is ended after. */
async function echoWith(accessToken: string, text: string): Promise<string> {
  const url = appliance.mcpUrl("vault");
  const opened = await mcpInitialize(url, `Bearer ${accessToken}`, {}, true);
  expect(opened.status).toBe(200);
  const session = opened.session!;
  const headers = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${accessToken}`,
    "mcp-session-id": session,
    "mcp-protocol-version": "2025-11-25",
  };
  const initialized = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  expect(initialized.status).toBe(202);
  const called = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { text } } }),
  });
  expect(called.status).toBe(200);
  const message = (await rpcResult(called)) as { result: { content: { text: string }[] } };
  await fetch(url, { method: "DELETE", headers });
  return message.result.content.map((c) => c.text).join("");
}

function expectTokenResponse(body: Record<string, unknown>) {
  expect(body.access_token).toStartWith("mcpa_");
  expect(body.refresh_token).toStartWith("mcpr_");
  expect(body.token_type).toBe("Bearer");
  expect(typeof body.expires_in).toBe("number");
  expect(body.expires_in as number).toBeGreaterThan(0);
  expect(body.scope).toBe("mcp:vault");
  expectNoNull(body);
}

describe("the Claude.ai connector path: a confidential client with a secret", () => {
  test("client_secret_basic end to end: login, consent, code + verifier, tools, refresh, revoke", async () => {
    const browser = new OwnerBrowser(appliance.url);
    const pair = pkce();
    // The owner's first sight is the login page: this client is not auto-approved.
    const first = await browser.get(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "claude-connector",
        redirect_uri: CLAUDE_AI,
        code_challenge: pair.challenge,
        code_challenge_method: "S256",
        state: "basic-1",
      }),
    );
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('value="login"');

    const { code, redirect } = await authorizeWithOwner(
      appliance.url,
      { clientId: "claude-connector", redirectUri: CLAUDE_AI, state: "basic-2", pkce: pair },
      browser,
    );
    expect(redirect.href.split("?")[0]).toBe(CLAUDE_AI);
    expect(redirect.searchParams.get("state")).toBe("basic-2");
    expect(redirect.searchParams.get("iss")).toBe(appliance.url);

    const basic = { authorization: basicAuth("claude-connector", CLAUDE_SECRET) };
    const response = await postForm(
      appliance.url,
      "/token",
      {
        grant_type: "authorization_code",
        code,
        code_verifier: pair.verifier,
        redirect_uri: CLAUDE_AI,
        resource: `${appliance.url}/vault/mcp`,
      },
      basic,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const issued = (await response.json()) as Record<string, string>;
    expectTokenResponse(issued);
    expect(await echoWith(issued.access_token!, "via basic")).toBe("via basic");

    const refreshed = await tokens(appliance.url, { grant_type: "refresh_token", refresh_token: issued.refresh_token! }, basic);
    expectTokenResponse(refreshed as unknown as Record<string, unknown>);
    expect(refreshed.refresh_token).not.toBe(issued.refresh_token);
    expect(await echoWith(refreshed.access_token, "refreshed")).toBe("refreshed");

    const revoked = await postForm(appliance.url, "/revoke", { token: refreshed.refresh_token! }, basic);
    expect(revoked.status).toBe(200);
    expect(await mcpStatus(appliance.mcpUrl("vault"), refreshed.access_token)).toBe(401);
  });

  test("client_secret_post end to end, with the second registered redirect URI", async () => {
    const { code, verifier, redirect } = await authorizeWithOwner(appliance.url, {
      clientId: "claude-connector",
      redirectUri: CLAUDE_COM,
      state: "post",
    });
    expect(redirect.href.split("?")[0]).toBe(CLAUDE_COM);
    const post = { client_id: "claude-connector", client_secret: CLAUDE_SECRET };
    const response = await postForm(appliance.url, "/token", {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: CLAUDE_COM,
      ...post,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const issued = (await response.json()) as Record<string, string>;
    expectTokenResponse(issued);
    expect(await echoWith(issued.access_token!, "via post")).toBe("via post");
    const refreshed = await tokens(appliance.url, { grant_type: "refresh_token", refresh_token: issued.refresh_token!, ...post });
    expect(await echoWith(refreshed.access_token, "refreshed via post")).toBe("refreshed via post");
  });

  test("the code is bound to the client: redeeming it with the right secret but public auth fails", async () => {
    const { code, verifier } = seedAuthorizationCode(appliance, { clientId: "claude-connector", redirectUri: CLAUDE_AI });
    // client_id alone (no secret) for a confidential client: invalid_client, and the code survives.
    await expectOAuthError(
      await postForm(appliance.url, "/token", {
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: "claude-connector",
      }),
      401,
      "invalid_client",
    );
    await tokens(appliance.url, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      client_id: "claude-connector",
      client_secret: CLAUDE_SECRET,
    });
  });

  test("two registered redirect URIs and none requested: an error page, not a redirect", async () => {
    const { challenge } = pkce();
    const response = await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "claude-connector",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { redirect: "manual" },
    );
    await expectErrorPage(response, 400);
  });

  test("a secret with characters that Basic form-urlencodes (: + % space / = & ?) works both ways", async () => {
    for (const auth of ["basic", "post"] as const) {
      const pair = pkce();
      const response = await fetch(
        authorizeUrl(appliance.url, {
          response_type: "code",
          client_id: "trusted",
          redirect_uri: TRUSTED_CB,
          code_challenge: pair.challenge,
          code_challenge_method: "S256",
        }),
        { redirect: "manual" },
      );
      const code = new URL(response.headers.get("location")!).searchParams.get("code")!;
      const fields = { grant_type: "authorization_code", code, code_verifier: pair.verifier };
      const issued =
        auth === "basic"
          ? await tokens(appliance.url, fields, { authorization: basicAuth("trusted", TRUSTED_SECRET) })
          : await tokens(appliance.url, { ...fields, client_id: "trusted", client_secret: TRUSTED_SECRET });
      expect(await mcpStatus(appliance.mcpUrl("vault"), issued.access_token)).toBe(200);
    }
  });

  test("a public pre-registered client (no secret) redeems with client_id and PKCE only", async () => {
    const { code, verifier } = await authorizeWithOwner(appliance.url, {
      clientId: "desktop",
      redirectUri: "http://127.0.0.1:50999/callback",
    });
    const issued = await tokens(appliance.url, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      client_id: "desktop",
      redirect_uri: "http://127.0.0.1:50999/callback",
    });
    expect(await mcpStatus(appliance.mcpUrl("vault"), issued.access_token)).toBe(200);
  });
});

describe("auto-approval", () => {
  test("auto_approve = true: GET /authorize answers 303 straight to the redirect URI, no login, no consent, no cookie", async () => {
    const pair = pkce();
    const response = await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "trusted",
        redirect_uri: TRUSTED_CB,
        code_challenge: pair.challenge,
        code_challenge_method: "S256",
        state: "auto",
      }),
      { redirect: "manual" },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("cache-control")).toContain("no-store");
    expect(await response.text()).toBe("");
    const location = new URL(response.headers.get("location")!);
    expect(location.href.split("?")[0]).toBe(TRUSTED_CB);
    expect(location.searchParams.get("code")).toStartWith("mcpc_");
    expect(location.searchParams.get("state")).toBe("auto");
    expect(location.searchParams.get("iss")).toBe(appliance.url);
    const issued = await tokens(appliance.url, {
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      code_verifier: pair.verifier,
      client_id: "trusted",
      client_secret: TRUSTED_SECRET,
    });
    expect(await echoWith(issued.access_token, "auto")).toBe("auto");
  });

  test("auto_approve = true with redirect_uri omitted (one registered): the registered one", async () => {
    const { challenge } = pkce();
    const response = await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "trusted",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { redirect: "manual" },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")!.split("?")[0]).toBe(TRUSTED_CB);
  });

  test("auto-approval skips no check: PKCE is still required, the redirect URI still exact", async () => {
    const noPkce = await fetch(
      authorizeUrl(appliance.url, { response_type: "code", client_id: "trusted", redirect_uri: TRUSTED_CB, state: "np" }),
      { redirect: "manual" },
    );
    expectErrorRedirect(noPkce, TRUSTED_CB, "invalid_request", "np", appliance.url);
    const { challenge } = pkce();
    const elsewhere = await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "trusted",
        redirect_uri: "https://trusted.example/cb2",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { redirect: "manual" },
    );
    await expectErrorPage(elsewhere, 400);
  });

  // RFC 8252 §8.6, RFC 6749 §10.2: a public client cannot authenticate, so anyone can send its
  // client_id with a loopback redirect of their own; auto-approval must not skip the owner.
  test("a public client marked auto_approve: a bare GET /authorize gets the login page, not a code", async () => {
    const { challenge } = pkce();
    const response = await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "old-public",
        redirect_uri: "http://127.0.0.1:51111/callback",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { redirect: "manual" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toStartWith("text/html");
    const page = await response.text();
    expect(page).toContain('name="password"');
    expect(page).not.toContain("mcpc_");
  });

  test("auto_approve = false for a pre-registered client: the login page (200, HTML)", async () => {
    const { challenge } = pkce();
    const response = await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: "claude-connector",
        redirect_uri: CLAUDE_AI,
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { redirect: "manual" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/html");
    expect(await response.text()).toContain('name="password"');
  });

  test("a DCR client can never be auto-approved: asking for it at registration changes nothing", async () => {
    const response = await postJson(appliance.url, "/register", {
      client_name: "wants auto approval",
      redirect_uris: ["http://localhost:47000/cb"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      auto_approve: true,
      autoApprove: true,
      "auto-approve": "yes",
      trusted: true,
    });
    expect(response.status).toBe(201);
    const client = (await response.json()) as Record<string, unknown>;
    for (const key of ["auto_approve", "autoApprove", "auto-approve", "trusted"]) expect(key in client).toBe(false);

    const browser = new OwnerBrowser(appliance.url);
    const url = () => {
      const { challenge } = pkce();
      return authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: client.client_id as string,
        redirect_uri: "http://localhost:47000/cb",
        code_challenge: challenge,
        code_challenge_method: "S256",
      });
    };
    const login = await browser.get(url());
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('value="login"');

    // Even with the owner signed in, it is the consent page, never a redirect.
    await authorizeWithOwner(appliance.url, { clientId: client.client_id as string, redirectUri: "http://localhost:47000/cb" }, browser);
    const consent = await browser.get(url());
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('value="approve"');
  });

  test("every DCR client, whatever its metadata, sees the login page first", async () => {
    for (const extra of [{}, { client_name: "Trusted" }, { client_id: "trusted" }, { scope: "mcp:vault" }]) {
      const client = await registerPublic(appliance.url, ["http://localhost:47001/cb"], extra);
      expect(client.client_id).not.toBe("trusted");
      const { challenge } = pkce();
      const response = await fetch(
        authorizeUrl(appliance.url, {
          response_type: "code",
          client_id: client.client_id,
          redirect_uri: "http://localhost:47001/cb",
          code_challenge: challenge,
          code_challenge_method: "S256",
        }),
        { redirect: "manual" },
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('value="login"');
    }
  });
});

test("the appliance is still up", async () => {
  await expectHealthy(appliance.url);
});
