import { describe, expect, test } from "bun:test";
import { authorizationServerMetadata, protectedResourceMetadata, protectedResourceMetadataUrl } from "../../src/oauth/metadata.ts";

const issuer = "https://mcp.example.com";

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  return Object.values(value as object).some(hasNull);
}

describe("authorizationServerMetadata (RFC 8414 §2)", () => {
  const full = authorizationServerMetadata({
    issuer,
    scopes: ["mcp:vault", "mcp:notes"],
    dynamicRegistration: true,
    clientIdMetadataDocuments: true,
  });

  test("the whole document", () => {
    expect(full).toEqual({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      registration_endpoint: `${issuer}/register`,
      revocation_endpoint: `${issuer}/revoke`,
      scopes_supported: ["mcp:vault", "mcp:notes", "offline_access"],
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic", "private_key_jwt"],
      token_endpoint_auth_signing_alg_values_supported: ["ES256", "ES384", "PS256", "RS256", "EdDSA"],
      revocation_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic", "private_key_jwt"],
      revocation_endpoint_auth_signing_alg_values_supported: ["ES256", "ES384", "PS256", "RS256", "EdDSA"],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    });
  });
  test("the issuer is byte-identical to the one given and prefixes every endpoint", () => {
    for (const [key, value] of Object.entries(full)) {
      if (key.endsWith("_endpoint")) expect((value as string).startsWith(`${issuer}/`)).toBe(true);
    }
    expect(full.issuer).toBe(issuer);
  });
  test("DCR off: no registration_endpoint key at all; CIMD off: false", () => {
    const document = authorizationServerMetadata({
      issuer,
      scopes: ["mcp:vault"],
      dynamicRegistration: false,
      clientIdMetadataDocuments: false,
    });
    expect("registration_endpoint" in document).toBe(false);
    expect(document.client_id_metadata_document_supported).toBe(false);
    // RFC 7523 assertions need keys from a metadata document: not offered without them.
    expect(document.token_endpoint_auth_methods_supported).not.toContain("private_key_jwt");
    expect("token_endpoint_auth_signing_alg_values_supported" in document).toBe(false);
  });
  test("no scopes: scopes_supported omitted; never a null anywhere", () => {
    const document = authorizationServerMetadata({ issuer, scopes: [], dynamicRegistration: false, clientIdMetadataDocuments: false });
    expect("scopes_supported" in document).toBe(false);
    expect(hasNull(JSON.parse(JSON.stringify(document)))).toBe(false);
    expect(JSON.stringify(document)).not.toContain("undefined");
  });
  test("service_documentation only when given", () => {
    const document = authorizationServerMetadata({
      issuer,
      scopes: [],
      dynamicRegistration: true,
      clientIdMetadataDocuments: true,
      serviceDocumentation: "https://example.com/docs",
    });
    expect(document.service_documentation).toBe("https://example.com/docs");
    expect("service_documentation" in full).toBe(false);
  });
  test("documents do not share arrays (a caller mutating one cannot change the next)", () => {
    const scopes = ["mcp:vault"];
    const a = authorizationServerMetadata({ issuer, scopes, dynamicRegistration: true, clientIdMetadataDocuments: true });
    a.grant_types_supported.push("password");
    a.scopes_supported?.push("mcp:evil");
    const b = authorizationServerMetadata({ issuer, scopes, dynamicRegistration: true, clientIdMetadataDocuments: true });
    expect(b.grant_types_supported).toEqual(["authorization_code", "refresh_token"]);
    expect(scopes).toEqual(["mcp:vault"]);
  });
});

describe("protectedResourceMetadata (RFC 9728 §2)", () => {
  test("one served MCP URL", () => {
    expect(protectedResourceMetadata({ issuer, resource: `${issuer}/vault/mcp`, scopes: ["mcp:vault"], resourceName: "vault" })).toEqual({
      resource: `${issuer}/vault/mcp`,
      authorization_servers: [issuer],
      scopes_supported: ["mcp:vault"],
      bearer_methods_supported: ["header"],
      resource_name: "vault",
    });
  });
  test("resource_name omitted when unset or empty", () => {
    expect("resource_name" in protectedResourceMetadata({ issuer, resource: `${issuer}/mcp`, scopes: ["mcp:x"] })).toBe(false);
    expect("resource_name" in protectedResourceMetadata({ issuer, resource: `${issuer}/mcp`, scopes: ["mcp:x"], resourceName: "" })).toBe(
      false,
    );
  });
});

describe("well-known URLs", () => {
  test.each([
    ["/vault/mcp", `${issuer}/.well-known/oauth-protected-resource/vault/mcp`],
    ["/vault/mcp/", `${issuer}/.well-known/oauth-protected-resource/vault/mcp`],
    ["/mcp", `${issuer}/.well-known/oauth-protected-resource/mcp`],
    ["vault/mcp", `${issuer}/.well-known/oauth-protected-resource/vault/mcp`],
    ["/", `${issuer}/.well-known/oauth-protected-resource`],
    ["", `${issuer}/.well-known/oauth-protected-resource`],
  ])("RFC 9728 §3.1 path insertion: %p -> %p", (path, url) => {
    expect(protectedResourceMetadataUrl(issuer, path)).toBe(url);
  });
});
