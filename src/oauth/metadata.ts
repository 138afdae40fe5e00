// Discovery documents: RFC 8414 authorization server metadata and RFC 9728 protected resource
// metadata, as pure functions of the issuer (the configured public_url origin, never the
// request's Host) and the served resources. Unset fields are omitted, never null: Claude Code
// fails on null fields.
import { OFFLINE_ACCESS } from "./scopes.ts";

export const WELL_KNOWN = {
  /** RFC 9728 §3 */
  protectedResource: "/.well-known/oauth-protected-resource",
  /** RFC 8414 §3 */
  authorizationServer: "/.well-known/oauth-authorization-server",
  /** OpenID Connect Discovery 1.0 §4; RFC 8414 §5: clients try it too, it gets the same document. */
  openidConfiguration: "/.well-known/openid-configuration",
} as const;

/**
 * Endpoints at fixed paths under the issuer: 2025-03-26 clients skip discovery and use exactly
 * <origin>/authorize, /token and /register.
 */
export function oauthEndpoints(issuer: string) {
  return {
    authorization: `${issuer}/authorize`,
    token: `${issuer}/token`,
    registration: `${issuer}/register`,
    revocation: `${issuer}/revoke`,
  };
}

export const TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];
/**
 * RFC 7523 §2.2 client assertions (private_key_jwt), for client ID metadata document clients
 * whose document asks for it; asymmetric JWS algorithms only (a document holds no secret).
 */
export const CLIENT_ASSERTION_ALGORITHMS = ["ES256", "ES384", "PS256", "RS256", "EdDSA"] as const;
export const GRANT_TYPES = ["authorization_code", "refresh_token"] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

interface AuthorizationServerOptions {
  issuer: string;
  /** scopes_supported: one per served server ("mcp:vault"); offline_access is added here. */
  scopes: readonly string[];
  /** RFC 7591 dynamic client registration is on: advertise registration_endpoint. */
  dynamicRegistration: boolean;
  /** Client ID metadata documents are accepted (MCP 2025-11-25 "Client ID Metadata Documents"). */
  clientIdMetadataDocuments: boolean;
  serviceDocumentation?: string;
}

export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint?: string;
  revocation_endpoint: string;
  scopes_supported?: string[];
  response_types_supported: string[];
  response_modes_supported: string[];
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported?: string[];
  revocation_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_signing_alg_values_supported?: string[];
  code_challenge_methods_supported: string[];
  authorization_response_iss_parameter_supported: boolean;
  client_id_metadata_document_supported: boolean;
  service_documentation?: string;
}

/** RFC 8414 §2, the same document at both well-known paths. */
export function authorizationServerMetadata(options: AuthorizationServerOptions): AuthorizationServerMetadata {
  const endpoints = oauthEndpoints(options.issuer);
  // private_key_jwt only where a client can declare its keys: in a metadata document.
  const assertions = options.clientIdMetadataDocuments;
  const authMethods = [...TOKEN_ENDPOINT_AUTH_METHODS, ...(assertions ? ["private_key_jwt"] : [])];
  const signingAlgs = assertions ? { values: [...CLIENT_ASSERTION_ALGORITHMS] } : undefined;
  return {
    // RFC 8414 §3.3: must be identical to the issuer the client derived the URL from.
    issuer: options.issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    // RFC 8414 §2: registration_endpoint only when registration is possible.
    ...(options.dynamicRegistration ? { registration_endpoint: endpoints.registration } : {}),
    revocation_endpoint: endpoints.revocation,
    // SEP-2207: offline_access is the authorization server's scope (refresh tokens), listed
    // here and never by a protected resource or in its WWW-Authenticate challenge.
    ...(options.scopes.length > 0 ? { scopes_supported: [...options.scopes, OFFLINE_ACCESS] } : {}),
    // OAuth 2.1: the authorization code flow only, answered in the query.
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [...GRANT_TYPES],
    token_endpoint_auth_methods_supported: authMethods,
    // RFC 8414 §2: required when private_key_jwt is listed.
    ...(signingAlgs ? { token_endpoint_auth_signing_alg_values_supported: signingAlgs.values } : {}),
    // RFC 8414 §2 / RFC 7009 §2.1: the same client authentication as the token endpoint.
    revocation_endpoint_auth_methods_supported: [...authMethods],
    ...(signingAlgs ? { revocation_endpoint_auth_signing_alg_values_supported: [...signingAlgs.values] } : {}),
    // RFC 7636 §4.3 / RFC 8414 §2: MCP clients refuse a server that does not list S256.
    code_challenge_methods_supported: ["S256"],
    // RFC 9207 §3: every authorization response carries iss.
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: options.clientIdMetadataDocuments,
    ...(options.serviceDocumentation !== undefined ? { service_documentation: options.serviceDocumentation } : {}),
  };
}

interface ProtectedResourceOptions {
  issuer: string;
  /** The canonical MCP URL, `${issuer}${server.path}`. */
  resource: string;
  /** That server's scope ("mcp:vault"); the root document of several servers lists them all. */
  scopes: readonly string[];
  /** RFC 9728 §2: human-readable name, e.g. the server's name. */
  resourceName?: string;
}

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
}

/** RFC 9728 §2 for one served MCP URL. */
export function protectedResourceMetadata(options: ProtectedResourceOptions): ProtectedResourceMetadata {
  return {
    // RFC 9728 §3.3: must be the resource whose well-known URL was fetched.
    resource: options.resource,
    authorization_servers: [options.issuer],
    scopes_supported: [...options.scopes],
    // MCP "Token Requirements": the Authorization header only, never the query string.
    bearer_methods_supported: ["header"],
    ...(options.resourceName !== undefined && options.resourceName !== "" ? { resource_name: options.resourceName } : {}),
  };
}

/**
 * RFC 9728 §3.1: the well-known suffix goes between the host and the resource's path:
 * ("https://h", "/vault/mcp") -> "https://h/.well-known/oauth-protected-resource/vault/mcp".
 * A terminating "/" is removed first (as RFC 8414 §3.1 does for issuers); "/" alone is the root.
 */
export function protectedResourceMetadataUrl(issuer: string, path: string): string {
  const trimmed = path.replace(/\/$/, "");
  if (trimmed === "") return `${issuer}${WELL_KNOWN.protectedResource}`;
  return `${issuer}${WELL_KNOWN.protectedResource}${trimmed.startsWith("/") ? trimmed : `/${trimmed}`}`;
}
