import { describe, expect, test } from "bun:test";
import { isConfidential, parseClientRegistration, registrationResponse } from "../../src/oauth/client-registration.ts";

const knownScopes = ["mcp:vault", "mcp:notes"];

function accepted(body: unknown) {
  const result = parseClientRegistration(body, { knownScopes });
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.description}`);
  return result.value;
}

function refused(body: unknown) {
  const result = parseClientRegistration(body, { knownScopes });
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe("real clients' registration requests are accepted", () => {
  test("Cursor: a private-use scheme next to https and localhost (RFC 8252 §7.1)", () => {
    const metadata = accepted({
      client_name: "Cursor",
      redirect_uris: [
        "cursor://anysphere.cursor-mcp/oauth/callback",
        "https://cursor.com/oauth/callback",
        "http://localhost:3000/callback",
      ],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    });
    expect(metadata.redirect_uris).toHaveLength(3);
    expect(metadata.token_endpoint_auth_method).toBe("none");
    expect(isConfidential(metadata)).toBe(false);
  });
  test("VS Code", () => {
    const metadata = accepted({
      client_name: "Visual Studio Code",
      redirect_uris: ["https://vscode.dev/redirect", "http://127.0.0.1/", "http://127.0.0.1:33418/"],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
    });
    expect(metadata.redirect_uris).toEqual(["https://vscode.dev/redirect", "http://127.0.0.1/", "http://127.0.0.1:33418/"]);
  });
  test("Claude.ai (client_secret_post, unknown fields ignored and not kept)", () => {
    const metadata = accepted({
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
      contacts: ["a@example.com"],
      jwks_uri: "https://claude.ai/jwks",
      software_statement: "eyJ...",
    });
    expect(isConfidential(metadata)).toBe(true);
    expect(Object.keys(metadata).sort()).toEqual([
      "application_type",
      "client_name",
      "grant_types",
      "redirect_uris",
      "response_types",
      "token_endpoint_auth_method",
    ]);
  });
  test("MCP Inspector / SDK shape, with client_uri and scope", () => {
    const metadata = accepted({
      redirect_uris: ["http://localhost:6274/oauth/callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      client_name: "MCP Inspector",
      client_uri: "https://github.com/modelcontextprotocol/inspector",
      scope: "mcp:vault",
    });
    expect(metadata.client_uri).toBe("https://github.com/modelcontextprotocol/inspector");
    expect(metadata.scope).toBe("mcp:vault");
  });
});

describe("application_type (OpenID Connect Registration §2), every redirect URI judged on its own", () => {
  const CURSOR = ["cursor://anysphere.cursor-mcp/oauth/callback", "https://cursor.com/oauth/callback", "http://localhost:3000/callback"];
  test("absent: native when any URI is loopback or a private-use scheme, else web", () => {
    expect(accepted({ redirect_uris: CURSOR }).application_type).toBe("native");
    expect(accepted({ redirect_uris: ["http://127.0.0.1/cb"] }).application_type).toBe("native");
    expect(accepted({ redirect_uris: ["https://claude.ai/api/mcp/auth_callback"] }).application_type).toBe("web");
  });
  test("native: private-use, loopback and claimed https (RFC 8252 §7.2) URIs, as Cursor and VS Code send them", () => {
    expect(accepted({ application_type: "native", redirect_uris: CURSOR }).redirect_uris).toEqual(CURSOR);
    const vscode = ["https://vscode.dev/redirect", "http://127.0.0.1/", "http://127.0.0.1:33418/"];
    expect(accepted({ application_type: "native", redirect_uris: vscode }).application_type).toBe("native");
  });
  test("web: https and loopback (the Inspector) accepted; a private-use scheme refused, named by index", () => {
    expect(accepted({ application_type: "web", redirect_uris: ["http://localhost:6274/oauth/callback"] }).application_type).toBe("web");
    const error = refused({ application_type: "web", redirect_uris: CURSOR });
    expect(error.code).toBe("invalid_redirect_uri");
    expect(error.description).toContain("redirect_uris[0] 'cursor://anysphere.cursor-mcp/oauth/callback'");
    expect(error.description).toContain("application_type native");
    expect(error.description).not.toContain("redirect_uris[1]");
    expect(error.description).not.toContain("redirect_uris[2]");
  });
  test("any other value: invalid_client_metadata", () => {
    const error = refused({ application_type: "desktop", redirect_uris: ["https://a.example/cb"] });
    expect(error.code).toBe("invalid_client_metadata");
    expect(error.description).toContain("application_type");
  });
});

describe("defaults and normalisation (RFC 7591 §2)", () => {
  test("a minimal request gets the RFC defaults", () => {
    expect(accepted({ redirect_uris: ["https://app.example.com/cb"] })).toEqual({
      redirect_uris: ["https://app.example.com/cb"],
      application_type: "web",
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code"],
      response_types: ["code"],
    });
  });
  test("null and empty-string fields are treated as not sent", () => {
    const metadata = accepted({
      redirect_uris: ["https://app.example.com/cb"],
      client_name: null,
      logo_uri: "",
      token_endpoint_auth_method: null,
      grant_types: null,
      scope: "",
    });
    expect(metadata).toEqual({
      redirect_uris: ["https://app.example.com/cb"],
      application_type: "web",
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code"],
      response_types: ["code"],
    });
  });
  test("duplicates are dropped", () => {
    const metadata = accepted({
      redirect_uris: ["https://a.example/cb", "https://a.example/cb"],
      grant_types: ["authorization_code", "refresh_token", "authorization_code"],
      response_types: ["code", "code"],
    });
    expect(metadata.redirect_uris).toEqual(["https://a.example/cb"]);
    expect(metadata.grant_types).toEqual(["authorization_code", "refresh_token"]);
    expect(metadata.response_types).toEqual(["code"]);
  });
  test("unknown scopes are dropped, known ones kept (RFC 7591 §3.2.1)", () => {
    expect(accepted({ redirect_uris: ["https://a.example/cb"], scope: "offline_access mcp:vault openid mcp:vault" }).scope).toBe(
      "mcp:vault",
    );
    expect("scope" in accepted({ redirect_uris: ["https://a.example/cb"], scope: "offline_access openid" })).toBe(false);
  });
  test("unicode client names are fine", () => {
    expect(accepted({ redirect_uris: ["https://a.example/cb"], client_name: "Café ☕ クライアント" }).client_name).toBe(
      "Café ☕ クライアント",
    );
  });
});

describe("redirect URI problems: invalid_redirect_uri, every bad one named (RFC 7591 §3.2.2)", () => {
  test.each([
    [{}, /redirect_uris is required/],
    [{ redirect_uris: [] }, /redirect_uris is required/],
    [{ redirect_uris: "https://a.example/cb" }, /redirect_uris is required/],
    [{ redirect_uris: null }, /redirect_uris is required/],
    [{ redirect_uris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) }, /at most 20/],
  ])("%j", (body, description) => {
    const error = refused(body);
    expect(error.code).toBe("invalid_redirect_uri");
    expect(error.status).toBe(400);
    expect(error.description).toMatch(description);
  });
  test("one bad URI fails the whole registration and the answer lists all of them", () => {
    const error = refused({
      redirect_uris: ["https://ok.example/cb", "javascript:alert(1)", "http://evil.example/cb", "https://good.com@evil.com/", 7],
      client_name: "x",
    });
    expect(error.code).toBe("invalid_redirect_uri");
    expect(error.description).toContain("redirect_uris[1] 'javascript:alert(1)'");
    expect(error.description).toContain("redirect_uris[2]");
    expect(error.description).toContain("redirect_uris[3]");
    expect(error.description).toContain("redirect_uris[4] '7': it is not a string");
    expect(error.description).not.toContain("redirect_uris[0]");
  });
  test("a huge or hostile URI is previewed, not echoed in full", () => {
    const error = refused({ redirect_uris: [`javascript:${"a".repeat(100_000)}`] });
    expect(error.description.length).toBeLessThan(300);
    const quoted = refused({ redirect_uris: ['https://a.example/"\\ü'] });
    expect(quoted.description).not.toMatch(/["\\ü]/);
  });
});

describe("other metadata problems: invalid_client_metadata (RFC 7591 §3.2.2)", () => {
  const base = { redirect_uris: ["https://a.example/cb"] };
  test.each([
    [{ ...base, token_endpoint_auth_method: "private_key_jwt" }, /token_endpoint_auth_method/],
    [{ ...base, token_endpoint_auth_method: "NONE" }, /token_endpoint_auth_method/],
    [{ ...base, grant_types: ["implicit"] }, /grant_types/],
    [{ ...base, grant_types: ["client_credentials"] }, /grant_types/],
    [{ ...base, grant_types: ["refresh_token"] }, /must include authorization_code/],
    [{ ...base, grant_types: [] }, /must include authorization_code/],
    [{ ...base, grant_types: "authorization_code" }, /grant_types/],
    [{ ...base, response_types: ["token"] }, /only code/],
    [{ ...base, response_types: [] }, /response_types/],
    [{ ...base, client_name: "x".repeat(201) }, /client_name: expected at most 200/],
    [{ ...base, client_name: 42 }, /client_name: expected a string/],
    [{ ...base, client_name: "Good\u202eevil" }, /bidirectional/],
    [{ ...base, client_name: "line\nbreak" }, /control/],
    [{ ...base, client_name: "lone \ud800 surrogate" }, /control/],
    [{ ...base, client_uri: "http://a.example" }, /client_uri: expected an https URL/],
    [{ ...base, logo_uri: "javascript:alert(1)" }, /logo_uri/],
    [{ ...base, tos_uri: "https://good.com@evil.com/tos" }, /tos_uri/],
    [{ ...base, policy_uri: "not a url" }, /policy_uri/],
    [{ ...base, policy_uri: `https://a.example/${"p".repeat(3000)}` }, /policy_uri/],
    [{ ...base, scope: 'mcp:"vault"' }, /scope/],
    [{ ...base, scope: ["mcp:vault"] }, /scope/],
    [{ ...base, software_id: "s".repeat(201) }, /software_id/],
    [{ ...base, software_version: {} }, /software_version/],
  ])("%j", (body, description) => {
    const error = refused(body);
    expect(error.code).toBe("invalid_client_metadata");
    expect(error.description).toMatch(description);
  });
  test("every problem is listed", () => {
    const error = refused({ ...base, client_name: 1, grant_types: ["implicit"], logo_uri: "http://x" });
    expect(error.description).toContain("client_name");
    expect(error.description).toContain("grant_types");
    expect(error.description).toContain("logo_uri");
  });
  test.each([
    ["null", null],
    ["an array", [{ redirect_uris: ["https://a.example/cb"] }]],
    ["a string", "redirect_uris=https://a.example/cb"],
    ["a number", 1],
  ])("a body that is %s is invalid_client_metadata", (_, body) => {
    expect(refused(body).code).toBe("invalid_client_metadata");
  });
});

describe("registrationResponse (RFC 7591 §3.2.1)", () => {
  const metadata = accepted({
    redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
    client_name: "Claude",
    token_endpoint_auth_method: "client_secret_post",
    grant_types: ["authorization_code", "refresh_token"],
  });
  test("a confidential client: secret with client_secret_expires_at 0, times in seconds", () => {
    expect(registrationResponse(metadata, { clientId: "abc", clientSecret: "mcps_xyz", issuedAtMs: 1_700_000_000_999 })).toEqual({
      client_id: "abc",
      client_secret: "mcps_xyz",
      client_id_issued_at: 1_700_000_000,
      client_secret_expires_at: 0,
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      application_type: "web",
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      client_name: "Claude",
    });
  });
  test("a public client: no client_secret and no client_secret_expires_at keys; never null", () => {
    const publicClient = accepted({ redirect_uris: ["http://localhost/callback"], token_endpoint_auth_method: "none" });
    const response = registrationResponse(publicClient, { clientId: "pub", issuedAtMs: 1_000 });
    expect("client_secret" in response).toBe(false);
    expect("client_secret_expires_at" in response).toBe(false);
    expect(JSON.stringify(response)).not.toContain("null");
    expect(Object.keys(response)).toEqual([
      "client_id",
      "client_id_issued_at",
      "redirect_uris",
      "application_type",
      "token_endpoint_auth_method",
      "grant_types",
      "response_types",
    ]);
  });
  test("client_id first, then the secret fields, then the metadata", () => {
    const keys = Object.keys(registrationResponse(metadata, { clientId: "abc", clientSecret: "s", issuedAtMs: 0 }));
    expect(keys.slice(0, 4)).toEqual(["client_id", "client_secret", "client_id_issued_at", "client_secret_expires_at"]);
  });
});
