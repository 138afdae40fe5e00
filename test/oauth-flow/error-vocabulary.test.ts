// One error vocabulary over HTTP: a condition that can occur at several endpoints of the
// authorization server gets the same RFC 6749 §5.2 code at each of them — a repeated resource
// (RFC 8707 §2), an empty duplicate (RFC 6749 §3.1), a body of the wrong media type, too long,
// malformed or not UTF-8, an unknown client, two authentication methods at once.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import {
  authorizeUrl,
  basicAuth,
  expectErrorRedirect,
  expectHealthy,
  expectOAuthError,
  pkce,
  postForm,
  postJson,
  sha256Hex,
  tokens,
} from "../helpers/oauth-http.ts";

const SECRET = "vocabulary-secret-0123456789abcdef";
const CALLBACK = "https://claude.ai/api/mcp/auth_callback";

let appliance: TestAppliance;
let resource: string;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: {
      tokenRate: { count: 100_000, windowMs: 60_000 },
      registrationRate: { count: 100_000, windowMs: 60_000 },
      clients: [
        { name: "Connector", clientId: "connector", clientSecretSha256: sha256Hex(SECRET), redirectUris: [CALLBACK], autoApprove: true },
      ],
    },
  });
  resource = `${appliance.url}/vault/mcp`;
});
afterAll(async () => {
  await appliance?.stop();
});
afterEach(async () => {
  await expectHealthy(appliance.url);
});

const credentials = { client_id: "connector", client_secret: SECRET };

/** GET /authorize for the auto-approved connector; `edit` adds to or changes the query. */
function authorize(edit: (query: URLSearchParams) => void, state = "v"): Promise<Response> {
  const url = authorizeUrl(appliance.url, {
    response_type: "code",
    client_id: "connector",
    redirect_uri: CALLBACK,
    code_challenge: pkce().challenge,
    code_challenge_method: "S256",
    state,
  });
  edit(url.searchParams);
  return fetch(url, { redirect: "manual" });
}

/** A code of the connector and its verifier. */
async function connectorCode(): Promise<{ code: string; verifier: string }> {
  const pair = pkce();
  const response = await authorize((query) => query.set("code_challenge", pair.challenge));
  expect(response.status).toBe(303);
  const code = new URL(response.headers.get("location")!).searchParams.get("code");
  expect(code).not.toBeNull();
  return { code: code!, verifier: pair.verifier };
}

/** A POST with exactly this Content-Type (or none) and body. */
function post(path: string, contentType: string | undefined, body: string | Uint8Array, headers: Record<string, string> = {}) {
  return fetch(new URL(path, appliance.url), {
    method: "POST",
    headers: { ...(contentType === undefined ? {} : { "content-type": contentType }), ...headers },
    // A Blob has no type of its own, so fetch adds no Content-Type the test did not ask for.
    body: new Blob([body]),
  });
}

describe("a repeated resource is invalid_target everywhere (RFC 8707 §2)", () => {
  test("at /authorize (redirected with state and iss) and at /token", async () => {
    const repeated = await authorize((query) => {
      query.append("resource", resource);
      query.append("resource", resource);
    }, "rr");
    expectErrorRedirect(repeated, CALLBACK, "invalid_target", "rr", appliance.url);

    const { code, verifier } = await connectorCode();
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
      ...credentials,
    });
    form.append("resource", resource);
    form.append("resource", resource);
    await expectOAuthError(await postForm(appliance.url, "/token", form.toString()), 400, "invalid_target");
  });

  test("an empty duplicate is not a repeat (RFC 6749 §3.1), at /authorize and at /token", async () => {
    const pair = pkce();
    const approved = await authorize((query) => {
      query.set("code_challenge", pair.challenge);
      query.append("resource", "");
      query.append("resource", resource);
      query.append("scope", "");
    });
    expect(approved.status).toBe(303);
    const code = new URL(approved.headers.get("location")!).searchParams.get("code")!;
    expect(code).toBeTruthy();
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code,
      code_verifier: pair.verifier,
      redirect_uri: CALLBACK,
      ...credentials,
    });
    form.append("resource", "");
    form.append("resource", resource);
    const issued = await tokens(appliance.url, Object.fromEntries(form));
    expect(issued.token_type).toBe("Bearer");
    // URLSearchParams → Object.fromEntries kept the last resource; send the raw form too.
    const raw = await connectorCode();
    const rawForm = `grant_type=authorization_code&code=${raw.code}&code_verifier=${raw.verifier}&client_id=connector&client_secret=${SECRET}&resource=&resource=${encodeURIComponent(resource)}`;
    expect((await postForm(appliance.url, "/token", rawForm)).status).toBe(200);
  });
});

describe("the same resource and scope refusals at /authorize and at /token", () => {
  test("a resource not served here: invalid_target; a malformed scope: invalid_scope", async () => {
    const foreign = "https://evil.example/vault/mcp";
    expectErrorRedirect(await authorize((query) => query.set("resource", foreign), "t1"), CALLBACK, "invalid_target", "t1", appliance.url);
    expectErrorRedirect(await authorize((query) => query.set("scope", 'mcp:"vault'), "s1"), CALLBACK, "invalid_scope", "s1", appliance.url);

    const redeem = async () => {
      const { code, verifier } = await connectorCode();
      return { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: CALLBACK, ...credentials };
    };
    await expectOAuthError(await postForm(appliance.url, "/token", { ...(await redeem()), resource: foreign }), 400, "invalid_target");
    const issued = await tokens(appliance.url, await redeem());
    const refresh = { grant_type: "refresh_token", refresh_token: issued.refresh_token!, ...credentials };
    await expectOAuthError(await postForm(appliance.url, "/token", { ...refresh, resource: foreign }), 400, "invalid_target");
    await expectOAuthError(await postForm(appliance.url, "/token", { ...refresh, scope: 'mcp:"vault' }), 400, "invalid_scope");
  });
});

describe("request media types: forms at /token and /revoke, JSON at /register", () => {
  const form = `token=x&${new URLSearchParams(credentials)}`;
  const metadata = JSON.stringify({ redirect_uris: ["http://localhost/cb"], token_endpoint_auth_method: "none" });

  for (const path of ["/token", "/revoke"]) {
    test(`${path}: anything but application/x-www-form-urlencoded is 400 invalid_request naming the type`, async () => {
      for (const type of [
        "text/plain",
        "application/json",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencodedx",
        undefined,
      ]) {
        const body = await expectOAuthError(await post(path, type, form), 400, "invalid_request");
        expect(body.error_description).toContain("application/x-www-form-urlencoded");
      }
    });
  }

  test("/token and /revoke: the form type with a charset parameter, in any case, is read", async () => {
    for (const type of ["application/x-www-form-urlencoded; charset=UTF-8", "Application/X-WWW-Form-Urlencoded"]) {
      expect((await post("/revoke", type, form)).status).toBe(200);
      // The form was read: the grant type is what is wrong, not the body.
      await expectOAuthError(
        await post("/token", type, `grant_type=password&${new URLSearchParams(credentials)}`),
        400,
        "unsupported_grant_type",
      );
    }
  });

  test("/register: anything but application/json is 400 invalid_request naming the type, and registers nothing", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", undefined]) {
      const body = await expectOAuthError(await post("/register", type, metadata), 400, "invalid_request");
      expect(body.error_description).toContain("application/json");
    }
    expect((await post("/register", "application/json; charset=utf-8", metadata)).status).toBe(201);
  });
});

describe("bodies that cannot be read: the same invalid_request at /token, /revoke and /register", () => {
  const endpoints = [
    { path: "/token", type: "application/x-www-form-urlencoded" },
    { path: "/revoke", type: "application/x-www-form-urlencoded" },
    { path: "/register", type: "application/json" },
  ];

  for (const { path, type } of endpoints) {
    test(`${path}: a body over 64 KiB is 413 invalid_request, declared or chunked`, async () => {
      const long = path === "/register" ? JSON.stringify({ padding: "p".repeat(70_000) }) : `token=${"a".repeat(70_000)}`;
      await expectOAuthError(await post(path, type, long), 413, "invalid_request");
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("a".repeat(8000)));
          controller.close();
        },
      });
      const chunked = await fetch(new URL(path, appliance.url), {
        method: "POST",
        headers: { "content-type": type },
        body: stream,
        duplex: "half",
      } as RequestInit);
      await expectOAuthError(chunked, 413, "invalid_request");
    });

    test(`${path}: bytes that are not UTF-8 are 400 invalid_request`, async () => {
      const invalid =
        path === "/register" ? new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) : new Uint8Array([0x74, 0x3d, 0xff, 0xfe]);
      await expectOAuthError(await post(path, type, invalid), 400, "invalid_request");
    });
  }

  test("a malformed body (bad %-encoding, JSON that does not parse): 400 invalid_request", async () => {
    await expectOAuthError(await postForm(appliance.url, "/token", "grant_type=authorization_code&code=%zz"), 400, "invalid_request");
    await expectOAuthError(await postForm(appliance.url, "/revoke", "token=%zz&client_id=connector"), 400, "invalid_request");
    await expectOAuthError(await postJson(appliance.url, "/register", '{"redirect_uris": ['), 400, "invalid_request");
  });
});

describe("client authentication: the same answer at /token and /revoke", () => {
  for (const path of ["/token", "/revoke"]) {
    test(`${path}: an unknown client is 401 invalid_client; Basic and client_secret together are 400 invalid_request`, async () => {
      const fields = { grant_type: "refresh_token", refresh_token: "mcpr_x", token: "mcpr_x" };
      await expectOAuthError(
        await postForm(appliance.url, path, { ...fields, client_id: "nobody", client_secret: "x" }),
        401,
        "invalid_client",
      );
      const unknownBasic = await postForm(appliance.url, path, fields, { authorization: basicAuth("nobody", "x") });
      expect(unknownBasic.headers.get("www-authenticate")).toStartWith("Basic ");
      await expectOAuthError(unknownBasic, 401, "invalid_client");
      await expectOAuthError(
        await postForm(appliance.url, path, { ...fields, ...credentials }, { authorization: basicAuth("connector", SECRET) }),
        400,
        "invalid_request",
      );
    });
  }
});
