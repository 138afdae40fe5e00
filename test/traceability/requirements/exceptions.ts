// The two lists beside the table: what the appliance deliberately does not do (with the reason),
// and what it does that no test checks yet (known gaps, each naming where the behaviour lives).
import type { NotImplemented, Untested } from "../requirement.ts";

export const NOT_IMPLEMENTED: readonly NotImplemented[] = [
  {
    id: "rfc6749.token-redirect-uri-required",
    source: "RFC 6749 §4.1.3",
    level: "MUST",
    text: "Ensure redirect_uri is present at /token if it was included in the authorization request.",
    reason:
      "OAuth 2.1 (draft-ietf-oauth-v2-1-13 §4.1.3), which MCP builds on, drops redirect_uri from the token request: PKCE binds the code to the client that asked for it. A redirect_uri that is sent must still match (invalid_grant otherwise).",
  },
  {
    id: "rfc8707.several-resources",
    source: "RFC 8707 §2",
    level: "MUST",
    text: "The resource parameter may be repeated to ask for a token usable at several resources.",
    reason:
      "One audience per token: a token that opens one MCP server opens only that one. A repeated resource is refused with invalid_target; a client that needs two servers gets two tokens.",
  },
  {
    id: "rfc7591.software-statement",
    source: "RFC 7591 §2.3, §3.1.1",
    level: "MUST",
    text: "Validate a software_statement and let its claims take precedence.",
    reason:
      "No software publisher is trusted, so a statement could vouch for nothing: software_statement is ignored like any unknown metadata, and every self-registered client still needs the owner's consent.",
  },
  {
    id: "rfc7591.initial-access-token",
    source: "RFC 7591 §3",
    level: "SHOULD",
    text: "Protect the registration endpoint with an initial access token when registration is not open.",
    reason:
      "MCP clients register without one (MCP authorization §Dynamic Client Registration), so registration is open; it is rate-limited per address, capped in number, and can be switched off (dynamic_registration = false).",
  },
  {
    id: "rfc7592.management",
    source: "RFC 7591 §3.2.1 (registration_access_token, RFC 7592)",
    level: "SHOULD",
    text: "Return a registration_access_token and registration_client_uri for managing the registration.",
    reason:
      "Registration management (RFC 7592) is not offered: clients re-register instead, and registrations never used are evicted first at the cap. The owner removes clients with `mcp-appliance client remove`.",
  },
  {
    id: "oidc.provider",
    source: "OpenID Connect Discovery 1.0 §3",
    level: "MUST",
    text: "An OpenID Provider's configuration includes jwks_uri, subject_types_supported and id_token_signing_alg_values_supported.",
    reason:
      "The appliance is an OAuth authorization server, not an OpenID Provider (no id_token, no userinfo). It serves its RFC 8414 document at /.well-known/openid-configuration only because MCP clients probe that URL; MCP requires just code_challenge_methods_supported there, which it has.",
  },
  {
    id: "authorization.redirect-uri-localhost-or-https",
    source: "MCP 2025-11-25 authorization §Communication Security",
    level: "MUST",
    text: "All redirect URIs are either localhost or HTTPS.",
    reason:
      "Private-use schemes of native apps (RFC 8252 §7.1, e.g. cursor://) are accepted as well, because Cursor and VS Code register them; plain http to any host other than loopback is refused.",
  },
  {
    id: "authorization.localhost-warning",
    source: "MCP 2025-11-25 authorization §Localhost Redirect URI Risks",
    level: "SHOULD",
    text: "Display additional warnings for localhost-only redirect URIs.",
    reason:
      'Not done: the consent page names the redirect host ("Returns to localhost") but shows no separate warning. Only the owner approves clients, on an appliance they run for themselves.',
  },
];

export const UNTESTED: readonly Untested[] = [];
