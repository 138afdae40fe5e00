// MCP 2025-11-25 authorization: what the MCP server (the bearer guard and the discovery documents)
// and the authorization server must do. The clients' own MUSTs are the clients' business.
import { type Requirement, testRef } from "../requirement.ts";

const A = "MCP 2025-11-25 authorization";
const discovery = (describe: string, title: string) => testRef("test/oauth-flow/discovery.test.ts", describe, title);
const AS_METADATA = "RFC 8414 authorization server metadata";
const PRM = "RFC 9728 protected resource metadata";
const guard = (title: string) =>
  testRef(
    "test/oauth-flow/negative-matrix.test.ts",
    "the bearer guard on the MCP endpoint",
    "malformed and foreign Authorization headers",
    title,
  );
const onEndpoint = (title: string) => testRef("test/oauth-flow/negative-matrix.test.ts", "the bearer guard on the MCP endpoint", title);
const cimd = (describe: string, title: string) => testRef("test/oauth-flow/metadata-document-client.test.ts", describe, title);
const resolver = (title: string) => testRef("test/oauth/cimd/resolver.test.ts", "ClientMetadataResolver", title);
const sdkOAuth = (title: string) => testRef("test/oauth-flow/sdk-oauth.test.ts", "the SDK client's OAuth flow", title);
const staticTokens = (title: string) => testRef("test/oauth-flow/static-tokens.test.ts", "static API tokens", title);
const autoApproval = (title: string) => testRef("test/oauth-flow/preregistered.test.ts", "auto-approval", title);
const golden = (name: string) => testRef("test/config/golden.test.ts", "config goldens", name);

export const MCP_AUTHORIZATION: readonly Requirement[] = [
  {
    id: "authorization.prm",
    source: `${A} §Authorization Server Location`,
    level: "MUST",
    text: "MCP servers implement RFC 9728; the document names at least one authorization server in authorization_servers.",
    tests: [
      discovery(PRM, "at the path-suffixed URL: resource is the canonical MCP URL"),
      discovery(PRM, "at the root URL (clients try it second): with one server, that server's document"),
    ],
  },
  {
    id: "authorization.prm-discovery",
    source: `${A} §Protected Resource Metadata Discovery Requirements`,
    level: "MUST",
    text: "At least one of: resource_metadata in the 401's WWW-Authenticate, or the well-known URI (path-suffixed or root). Both are served.",
    tests: [
      sdkOAuth("an MCP request without a token gets 401 naming the protected resource metadata"),
      discovery(PRM, "the document named in each 401 is the one for the URL that was called"),
      discovery(PRM, "at the root URL (clients try it second): with one server, that server's document"),
    ],
  },
  {
    id: "authorization.challenge-scope",
    source: `${A} §Protected Resource Metadata Discovery Requirements`,
    level: "SHOULD",
    text: "The 401 challenge carries a scope parameter (RFC 6750 §3) naming the scope the resource needs.",
    tests: [
      discovery(PRM, "the document named in each 401 is the one for the URL that was called"),
      sdkOAuth("an MCP request without a token gets 401 naming the protected resource metadata"),
    ],
  },
  {
    id: "authorization.as-discovery",
    source: `${A} §Overview, §Authorization Server Metadata Discovery`,
    level: "MUST",
    text: "The authorization server provides RFC 8414 metadata (and the same document at /.well-known/openid-configuration).",
    tests: [
      discovery(AS_METADATA, "every field MCP clients need, with the issuer byte-identical to the appliance URL"),
      discovery(AS_METADATA, "/.well-known/openid-configuration answers the very same document"),
    ],
  },
  {
    id: "authorization.pkce-methods-advertised",
    source: `${A} §Authorization Code Protection`,
    level: "MUST",
    text: "code_challenge_methods_supported is in the metadata (S256 only), in the OpenID Connect discovery document too.",
    tests: [
      discovery(AS_METADATA, "every field MCP clients need, with the issuer byte-identical to the appliance URL"),
      discovery(AS_METADATA, "/.well-known/openid-configuration answers the very same document"),
    ],
  },
  {
    id: "authorization.pkce-required",
    source: `${A} §Authorization Code Protection; OAuth 2.1 §4.1.1`,
    level: "MUST",
    text: "PKCE with S256 is required of every client (plain and a missing challenge are refused; the verifier must match).",
    tests: [
      testRef(
        "test/oauth-flow/negative-matrix.test.ts",
        "/authorize errors after the redirect URI: redirected with error, state and iss",
        "PKCE missing: invalid_request (the auto-approved client too)",
      ),
      testRef(
        "test/oauth-flow/negative-matrix.test.ts",
        "/authorize errors after the redirect URI: redirected with error, state and iss",
        "code_challenge_method plain, absent (means plain), lower-case s256 or unknown: invalid_request",
      ),
      testRef("test/oauth-flow/negative-matrix.test.ts", "/token: the authorization code", "a wrong code_verifier: invalid_grant"),
      testRef("test/oauth/pkce.test.ts", "checkCodeVerifier (token request)", "the right verifier passes"),
    ],
  },
  {
    id: "authorization.cimd.fetch",
    source: `${A} §Client ID Metadata Documents`,
    level: "SHOULD",
    text: "Authorization servers support client ID metadata documents: an https client_id URL is fetched and used as the client.",
    tests: [
      cimd(
        "a client ID metadata document client with the SDK",
        "the SDK uses the URL as client_id without registering; consent names the document's client; tools work; the document is fetched once",
      ),
      cimd(
        "a client ID metadata document client with the SDK",
        "the authorization server metadata advertises client ID metadata documents",
      ),
    ],
  },
  {
    id: "authorization.cimd.client-id-match",
    source: `${A} §Client ID Metadata Documents`,
    level: "MUST",
    text: "The fetched document's client_id matches the URL exactly.",
    tests: [
      cimd(
        "a client ID metadata document client with the SDK",
        "a document whose client_id is not its own URL gets an error page, not a redirect",
      ),
      testRef("test/oauth/cimd/validate-document.test.ts", "validateMetadataDocument", "refused (row %#): %s"),
    ],
  },
  {
    id: "authorization.cimd.request-redirect-uri",
    source: `${A} §Client ID Metadata Documents`,
    level: "MUST",
    text: "For a metadata-document client, the authorization request's redirect_uri must be one the document lists; another is refused on the appliance's page, without a redirect.",
    tests: [
      testRef(
        "test/http/cimd-redirect-uri.test.ts",
        "the redirect_uri of a metadata-document client",
        "one the document does not list is refused on the appliance's page, without a redirect",
      ),
      testRef(
        "test/http/cimd-redirect-uri.test.ts",
        "the redirect_uri of a metadata-document client",
        "one the document lists starts the authorization",
      ),
    ],
  },
  {
    id: "authorization.cimd.structure",
    source: `${A} §Client ID Metadata Documents`,
    level: "MUST",
    text: "The document is valid JSON with the required fields (client_id, redirect_uris), else the client is refused.",
    tests: [
      testRef("test/oauth/cimd/validate-document.test.ts", "parseMetadataDocument", "%s -> invalid_json, without the body"),
      testRef("test/oauth/cimd/validate-document.test.ts", "validateMetadataDocument", "every problem is reported at once"),
      resolver("%s is refused"),
    ],
  },
  {
    id: "authorization.cimd.cache",
    source: `${A} §Client ID Metadata Documents`,
    level: "SHOULD",
    text: "Documents are cached respecting HTTP cache headers (max-age, no-store, Expires), within bounds.",
    tests: [
      resolver("max-age is respected (clock injected)"),
      resolver("no-store: never cached"),
      resolver("Expires is used when there is no max-age"),
      resolver("a valid document is returned normalised, and cached: the second call makes no request"),
    ],
  },
  {
    id: "authorization.cimd.ssrf",
    source: `${A} §Authorization Server Abuse Protection`,
    level: "SHOULD",
    text: "SSRF is considered: private, loopback and special-use addresses are refused before any connection; no redirects.",
    tests: [
      testRef("test/oauth/cimd/ssrf.test.ts", "SSRF guard (strict default)", "cimd.test -> %p is refused without any connection attempt"),
      testRef(
        "test/oauth/cimd/ssrf.test.ts",
        "SSRF guard (strict default)",
        "refused when ANY resolved address is refused, even if another is allowed",
      ),
      testRef("test/oauth/cimd/fetch.test.ts", "fetchMetadataDocument", "a redirect is refused, not followed"),
      cimd("the strict default refuses private addresses", "metadata.test: an error page, and the document server saw no connection"),
    ],
  },
  {
    id: "authorization.redirect-host-shown",
    source: `${A} §Localhost Redirect URI Risks`,
    level: "MUST",
    text: "The redirect URI's host name is clearly displayed during authorization (the consent page's \"Returns to\").",
    tests: [
      testRef(
        "test/oauth-flow/consent.test.ts",
        "what the pages show",
        "the consent page: escaped client name, redirect host, scope and resource; framing refused",
      ),
      testRef(
        "test/oauth-flow/consent.test.ts",
        "what the pages show",
        "a private-use redirect: the consent page names the scheme and host; form-action allows that scheme",
      ),
    ],
  },
  {
    id: "authorization.token-validation",
    source: `${A} §Token Handling; OAuth 2.1 §5.2`,
    level: "MUST",
    text: "Access tokens are validated on every request; invalid or expired tokens get 401.",
    tests: [
      guard("an unknown token: 401 invalid_token"),
      guard("a refresh token or a code used as an access token: 401 invalid_token"),
      onEndpoint("an expired access token (access_token_ttl 1 ms): 401 invalid_token"),
      testRef(
        "test/oauth-flow/clocked.test.ts",
        "what only time can show",
        "an access token past its lifetime: 401 invalid_token (also once it sat in the guard's cache)",
      ),
    ],
  },
  {
    id: "authorization.audience",
    source: `${A} §Token Handling, §Access Token Privilege Restriction; RFC 8707 §2`,
    level: "MUST",
    text: "Only tokens issued for this MCP server (its resource) are accepted; a token of another server's resource gets 401.",
    tests: [
      onEndpoint("a token for /alpha/mcp used at /beta/mcp: 401 invalid_token naming beta's metadata"),
      testRef(
        "test/oauth/bearer-guard.test.ts",
        "BearerGuard",
        "unknown token → 401 invalid_token; another resource → 401; the legacy resource is the same server",
      ),
    ],
  },
  {
    id: "authorization.every-request",
    source: `${A} §Token Requirements`,
    level: "MUST",
    text: "Authorization is checked on every HTTP request, within a session too: a session only takes tokens of the client that opened it.",
    tests: [
      testRef(
        "test/oauth-flow/revocation.test.ts",
        "revocation",
        "an access token revoked while its MCP session is open: the next request in that session is 401",
      ),
      sdkOAuth("a session can only be used with tokens of the client that opened it"),
      staticTokens("a session opened with one static token cannot be used with another"),
    ],
  },
  {
    id: "authorization.no-query-token",
    source: `${A} §Token Requirements`,
    level: "MUST NOT",
    text: "Access tokens are never taken from the URI query string (header only).",
    tests: [guard("a token in the query string is not accepted (header only): 401 with no error")],
  },
  {
    id: "authorization.no-passthrough",
    source: `${A} §Access Token Privilege Restriction`,
    level: "MUST NOT",
    text: "The client's token is never passed through to an upstream server.",
    tests: [
      testRef(
        "test/http-upstream/sdk-proxy.test.ts",
        "an HTTP MCP server behind the appliance",
        "no client's token (access or refresh) is anywhere in what the upstream received",
      ),
    ],
  },
  {
    id: "authorization.error-statuses",
    source: `${A} §Error Handling`,
    level: "MUST",
    text: "401 when authorization is required or the token is invalid, 403 for insufficient scope, 400 for a malformed request.",
    tests: [
      guard("no Authorization header: 401 with a challenge but no error"),
      guard('"Bearer", "Bearer  ", "Bearer a b", "Bearer a,b": 400 invalid_request'),
      staticTokens("the same token on another server: 403 insufficient_scope naming that server's scope"),
    ],
  },
  {
    id: "authorization.insufficient-scope",
    source: `${A} §Runtime Insufficient Scope Errors`,
    level: "SHOULD",
    text: 'Insufficient scope: 403 with WWW-Authenticate Bearer error="insufficient_scope", scope and resource_metadata.',
    tests: [staticTokens("the same token on another server: 403 insufficient_scope naming that server's scope")],
  },
  {
    id: "authorization.short-lived-tokens",
    source: `${A} §Token Theft`,
    level: "SHOULD",
    text: "Access tokens are short-lived: access_token_ttl defaults to 1 hour.",
    tests: [golden("defaults")],
  },
  {
    id: "authorization.refresh-rotation",
    source: `${A} §Token Theft; OAuth 2.1 §4.3.1`,
    level: "MUST",
    text: "Refresh tokens of public clients are rotated; reuse of a rotated one past a short grace window revokes the family.",
    tests: [
      sdkOAuth("DCR + PKCE + login + consent, then tools work; refresh rotates; revocation ends access"),
      testRef(
        "test/oauth-flow/clocked.test.ts",
        "what only time can show",
        "a rotated refresh token reused after the grace window: invalid_grant and the whole family revoked",
      ),
    ],
  },
  {
    id: "authorization.https",
    source: `${A} §Communication Security`,
    level: "MUST",
    text: "Authorization server endpoints are served over HTTPS: public_url must be https (http only for loopback).",
    tests: [golden("public-url-http")],
  },
  {
    id: "authorization.exact-redirect-uri",
    source: `${A} §Open Redirection`,
    level: "MUST",
    text: "Redirect URIs are matched exactly against the registered ones (loopback: any port, RFC 8252 §7.3).",
    tests: [
      testRef(
        "test/oauth-flow/negative-matrix.test.ts",
        "/authorize errors before the redirect URI is trusted: a page, never a redirect",
        "a redirect URI that does not match exactly: 400 error page (even for the auto-approved client)",
      ),
      testRef(
        "test/oauth-flow/negative-matrix.test.ts",
        "/authorize errors before the redirect URI is trusted: a page, never a redirect",
        "loopback redirects: other path, other loopback host or a look-alike host are pages",
      ),
      testRef("test/oauth/redirect-uris.test.ts", "redirectUriMatches", "%p refuses %p"),
    ],
  },
  {
    id: "authorization.untrusted-redirect",
    source: `${A} §Open Redirection`,
    level: "SHOULD",
    text: "Only trusted redirect URIs are redirected to automatically: self-registered clients always see the owner's login and consent first.",
    tests: [
      autoApproval("every DCR client, whatever its metadata, sees the login page first"),
      autoApproval("a DCR client can never be auto-approved: asking for it at registration changes nothing"),
    ],
  },
  {
    id: "authorization.consent-per-client",
    source: `${A} §Confused Deputy Problem`,
    level: "MUST",
    text: "User consent is obtained for each dynamically registered client (remembered consent is per client).",
    tests: [
      testRef(
        "test/oauth-flow/consent.test.ts",
        "the forms",
        "remember: the next request of that client skips consent; another client still gets it",
      ),
    ],
  },
  {
    id: "authorization.canonical-uri-case",
    source: `${A} §Canonical Server URI`,
    level: "SHOULD",
    text: "Upper-case scheme and host (and a trailing slash) in resource are accepted as the canonical URI.",
    tests: [
      testRef(
        "test/oauth-flow/negative-matrix.test.ts",
        "/authorize errors after the redirect URI: redirected with error, state and iss",
        "a resource with a trailing slash or an upper-case scheme and host is the same resource",
      ),
      discovery(
        "every absolute URL derives from public_url, never from the request's Host",
        "iss in the redirect is the public URL; an upper-case host and trailing slash in resource are the same resource",
      ),
      testRef(
        "test/oauth-flow/resource-normalisation.test.ts",
        "a normalised resource opens the MCP endpoint (served at its public_url)",
        "spelled differently at /authorize and /token: the token opens /alpha/mcp, not /beta/mcp",
      ),
    ],
  },
];
