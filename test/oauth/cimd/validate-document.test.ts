// CIMD §4.1, §6.2 and the MCP 2025-11-25 requirements on the document's content.
import { describe, expect, test } from "bun:test";
import { parseMetadataDocument } from "../../../src/oauth/client-metadata-document/validate-document.ts";

const ID = "https://app.example.com/oauth/client-metadata.json";
const acceptAll = () => [];

/** A document as a client would serve it: the content rules are checked on the parsed JSON. */
function validateMetadataDocument(document: unknown, clientId: string, validate: (uris: readonly string[]) => readonly string[]) {
  return parseMetadataDocument(new TextEncoder().encode(JSON.stringify(document)), clientId, validate);
}
const base = {
  client_id: ID,
  client_name: "Example MCP Client",
  client_uri: "https://app.example.com",
  logo_uri: "https://app.example.com/logo.png",
  redirect_uris: ["http://127.0.0.1:3000/callback", "http://localhost:3000/callback"],
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
};

function problemOf(document: unknown, validate: (uris: readonly string[]) => readonly string[] = acceptAll) {
  const outcome = validateMetadataDocument(document, ID, validate);
  if (outcome.ok) throw new Error("expected a refusal");
  expect(outcome.error.kind).toBe("invalid_document");
  return outcome.error;
}

describe("validateMetadataDocument", () => {
  test("the MCP specification's example document is accepted and normalised", () => {
    const outcome = validateMetadataDocument({ ...base, extra_member: 1 }, ID, acceptAll);
    expect(outcome).toEqual({
      ok: true,
      value: {
        client_id: ID,
        client_name: "Example MCP Client",
        redirect_uris: base.redirect_uris,
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "none",
        token_endpoint_auth_methods: ["none"],
        client_uri: "https://app.example.com",
        logo_uri: "https://app.example.com/logo.png",
      },
    });
  });

  test("a minimal document: token_endpoint_auth_method defaults to none", () => {
    const outcome = validateMetadataDocument({ client_id: ID, redirect_uris: ["https://a.example/cb"] }, ID, acceptAll);
    expect(outcome).toEqual({
      ok: true,
      value: {
        client_id: ID,
        redirect_uris: ["https://a.example/cb"],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none",
        token_endpoint_auth_methods: ["none"],
      },
    });
  });

  test("declared grant_types are the grants it may use; without them, both (a refresh token too)", () => {
    const only = validateMetadataDocument(
      { client_id: ID, redirect_uris: ["https://a.example/cb"], grant_types: ["authorization_code"] },
      ID,
      acceptAll,
    );
    expect(only.ok && only.value.grant_types).toEqual(["authorization_code"]);
    const both = validateMetadataDocument(
      { client_id: ID, redirect_uris: ["https://a.example/cb"], grant_types: ["refresh_token", "authorization_code", "urn:other"] },
      ID,
      acceptAll,
    );
    expect(both.ok && both.value.grant_types).toEqual(["authorization_code", "refresh_token"]);
  });

  test("optional members set to null are read as absent", () => {
    const outcome = validateMetadataDocument({ ...base, client_name: null, logo_uri: null, grant_types: null }, ID, acceptAll);
    expect(outcome.ok && outcome.value.client_name).toBeUndefined();
  });

  test("private_key_jwt with a public jwks_uri is accepted", () => {
    const outcome = validateMetadataDocument(
      { ...base, token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://app.example.com/jwks.json" },
      ID,
      acceptAll,
    );
    expect(outcome.ok && outcome.value.token_endpoint_auth_method).toBe("private_key_jwt");
    expect(outcome.ok && outcome.value.token_endpoint_auth_methods).toEqual(["private_key_jwt"]);
    expect(outcome.ok && outcome.value.jwks_uri).toBe("https://app.example.com/jwks.json");
  });

  test("ChatGPT's shape: private_key_jwt preferred, none also offered (token_endpoint_auth_methods_supported)", () => {
    const outcome = validateMetadataDocument(
      {
        ...base,
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_methods_supported: ["none", "private_key_jwt"],
        token_endpoint_auth_signing_alg: "RS256",
        jwks_uri: "https://app.example.com/jwks.json",
      },
      ID,
      acceptAll,
    );
    expect(outcome.ok && outcome.value.token_endpoint_auth_methods).toEqual(["private_key_jwt", "none"]);
    expect(outcome.ok && outcome.value.token_endpoint_auth_signing_alg).toBe("RS256");
  });

  test("private_key_jwt without keys but none offered: negotiated down to none", () => {
    const outcome = validateMetadataDocument(
      { ...base, token_endpoint_auth_method: "private_key_jwt", token_endpoint_auth_methods_supported: ["private_key_jwt", "none"] },
      ID,
      acceptAll,
    );
    expect(outcome.ok && outcome.value.token_endpoint_auth_methods).toEqual(["none"]);
    expect(outcome.ok && outcome.value.token_endpoint_auth_method).toBe("none");
  });

  test("a list offering only shared-secret or unknown methods is refused", () => {
    const error = problemOf({
      ...base,
      token_endpoint_auth_method: "tls_client_auth",
      token_endpoint_auth_methods_supported: ["client_secret_post"],
    });
    expect(error.description).toContain("not supported");
  });

  test.each([
    ["not a JSON object", []],
    ["not a JSON object", null],
    ["not a JSON object", "text"],
    ["client_id is missing", { ...base, client_id: undefined }],
    ["client_id does not match", { ...base, client_id: `${ID}/` }],
    ["client_id does not match", { ...base, client_id: ID.toUpperCase() }],
    ["client_id does not match", { ...base, client_id: "https://app.example.com:443/oauth/client-metadata.json" }],
    ["redirect_uris must be a non-empty array", { ...base, redirect_uris: undefined }],
    ["redirect_uris must be a non-empty array", { ...base, redirect_uris: [] }],
    ["redirect_uris must be a non-empty array", { ...base, redirect_uris: "https://a.example/cb" }],
    ["redirect_uris must be a non-empty array", { ...base, redirect_uris: ["https://a.example/cb", 7] }],
    ["client_secret_post needs a shared secret", { ...base, token_endpoint_auth_method: "client_secret_post" }],
    ["client_secret_basic needs a shared secret", { ...base, token_endpoint_auth_method: "client_secret_basic" }],
    ["client_secret_jwt needs a shared secret", { ...base, token_endpoint_auth_method: "client_secret_jwt" }],
    ["not supported", { ...base, token_endpoint_auth_method: "tls_client_auth" }],
    ["not a string", { ...base, token_endpoint_auth_method: 1 }],
    ["client_secret must not appear", { ...base, client_secret: "s3cret" }],
    ["client_secret must not appear", { ...base, client_secret_expires_at: 0 }],
    ["private_key_jwt needs jwks or jwks_uri", { ...base, token_endpoint_auth_method: "private_key_jwt" }],
    ["must not both be present", { ...base, jwks_uri: "https://a.example/jwks", jwks: { keys: [] } }],
    ["jwks_uri must be an https URL", { ...base, jwks_uri: "http://a.example/jwks" }],
    ["public keys only", { ...base, jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y", d: "private" }] } }],
    ["public keys only", { ...base, jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } }],
    ["JWK Set", { ...base, jwks: [] }],
    ["grant_types", { ...base, grant_types: ["client_credentials"] }],
    ["response_types", { ...base, response_types: ["token"] }],
    ["client_name is not a string", { ...base, client_name: 5 }],
    ["longer than 200", { ...base, client_name: "x".repeat(201) }],
    ["text-direction", { ...base, client_name: "Good App\u202Egnp.exe" }],
    ["control", { ...base, client_name: "Line\nbreak" }],
    ["client_uri must be an https URL", { ...base, client_uri: "javascript:alert(1)" }],
    ["logo_uri must be an https URL", { ...base, logo_uri: "http://app.example.com/logo.png" }],
    ["logo_uri must be an https URL", { ...base, logo_uri: "not a url" }],
  ])("refused (row %#): %s", (problem, document) => {
    const failure = problemOf(document);
    expect(failure.description).toContain(problem);
  });

  test("a client_name of exactly 200 characters (code points) is accepted", () => {
    expect(validateMetadataDocument({ ...base, client_name: "é".repeat(200) }, ID, acceptAll).ok).toBe(true);
    expect(validateMetadataDocument({ ...base, client_name: "😀".repeat(200) }, ID, acceptAll).ok).toBe(true);
  });

  test("every problem is reported at once", () => {
    const failure = problemOf({ client_id: "x", token_endpoint_auth_method: "client_secret_post" });
    expect(failure.description).toContain("client_id does not match");
    expect(failure.description).toContain("client_secret_post");
    expect(failure.description).toContain("redirect_uris");
  });

  test("redirect URIs go through the injected validator; what it says stays internal", () => {
    const seen: (readonly string[])[] = [];
    const validate = (uris: readonly string[]) => {
      seen.push(uris);
      return uris.filter((uri) => uri.includes("evil")).map((uri) => `${uri} is not allowed`);
    };
    expect(validateMetadataDocument(base, ID, validate).ok).toBe(true);
    expect(seen).toEqual([base.redirect_uris]);
    const failure = problemOf({ ...base, redirect_uris: ["https://evil.example/<script>"] }, validate);
    expect(failure.description).toContain("redirect_uris lists a redirect URI this server does not accept");
    expect(failure.description).not.toContain("evil");
    expect(failure.reason).toContain("https://evil.example/<script> is not allowed");
  });

  test("document values never reach the public description", () => {
    const failure = problemOf({
      ...base,
      client_id: "https://attacker.example/<b>marker</b>",
      token_endpoint_auth_method: "<b>marker</b>",
    });
    expect(failure.description).not.toContain("marker");
    expect(failure.reason).not.toContain("marker");
  });
});

describe("parseMetadataDocument", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  test("UTF-8 JSON is parsed and validated", () => {
    expect(parseMetadataDocument(bytes(JSON.stringify(base)), ID, acceptAll).ok).toBe(true);
  });

  test.each([
    ["not json", bytes("<html>marker</html>")],
    ["truncated", bytes('{"client_id": "marker')],
    ["bad UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ["empty", bytes("")],
  ])("%s -> invalid_json, without the body", (_name, body) => {
    const outcome = parseMetadataDocument(body, ID, acceptAll);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe("invalid_json");
    expect(`${outcome.error.description} ${outcome.error.reason}`).not.toContain("marker");
  });
});
