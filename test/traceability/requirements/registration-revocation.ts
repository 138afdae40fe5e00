// RFC 7591 (dynamic client registration at /register) and RFC 7009 (token revocation at /revoke).
import { type Requirement, testRef } from "../requirement.ts";

const reg = (describe: string, title: string) => testRef("test/oauth-flow/registration.test.ts", describe, title);
const RESPONSES = "registration responses";
const REFUSED = "registration metadata that is refused";
const REDIRECTS = "redirect URIs real clients register";
const unit = (describe: string, title: string) => testRef("test/oauth/client-registration.test.ts", describe, title);
const revoke = (title: string) => testRef("test/oauth-flow/revocation.test.ts", "revocation", title);
const mediaTypes = (title: string) =>
  testRef("test/oauth-flow/error-vocabulary.test.ts", "request media types: forms at /token and /revoke, JSON at /register", title);

export const RFC_7591: readonly Requirement[] = [
  {
    id: "rfc7591.created",
    source: "RFC 7591 §3, §3.2.1",
    level: "MUST",
    text: "A registration is a POST of JSON metadata; success is 201 Created with a JSON body holding client_id and the registered metadata.",
    tests: [
      reg(RESPONSES, "a public client: 201, the registered metadata, no secret fields, no null anywhere"),
      mediaTypes("/register: anything but application/json is 400 invalid_request naming the type, and registers nothing"),
    ],
  },
  {
    id: "rfc7591.ignore-unknown",
    source: "RFC 7591 §2, §3.1",
    level: "MUST",
    text: "Metadata the server does not understand is ignored (and not echoed).",
    tests: [
      reg(RESPONSES, "unknown metadata is ignored and not echoed"),
      unit("real clients' registration requests are accepted", "Claude.ai (client_secret_post, unknown fields ignored and not kept)"),
    ],
  },
  {
    id: "rfc7591.defaults",
    source: "RFC 7591 §2",
    level: "MUST",
    text: "Omitted fields take the RFC defaults: token_endpoint_auth_method client_secret_basic, grant_types [authorization_code], response_types [code].",
    tests: [
      unit("defaults and normalisation (RFC 7591 §2)", "a minimal request gets the RFC defaults"),
      reg(RESPONSES, "a confidential client (the RFC 7591 default method): a secret, expires_at 0, and it authenticates"),
    ],
  },
  {
    id: "rfc7591.secret-expiry",
    source: "RFC 7591 §3.2.1",
    level: "MUST",
    text: "client_secret_expires_at is REQUIRED when a client_secret is issued (0: never); a public client gets neither.",
    tests: [
      unit("registrationResponse (RFC 7591 §3.2.1)", "a confidential client: secret with client_secret_expires_at 0, times in seconds"),
      unit("registrationResponse (RFC 7591 §3.2.1)", "a public client: no client_secret and no client_secret_expires_at keys; never null"),
    ],
  },
  {
    id: "rfc7591.registered-values",
    source: "RFC 7591 §3.2.1",
    level: "MUST",
    text: "The response holds the metadata as registered, including values the server replaced (unknown scopes dropped).",
    tests: [
      reg(RESPONSES, "scopes: known ones kept, unknown ones (offline_access, openid) dropped, none left means no scope field"),
      reg(RESPONSES, "fields sent as null or empty strings are treated as not sent and are not echoed"),
      unit("defaults and normalisation (RFC 7591 §2)", "unknown scopes are dropped, known ones kept (RFC 7591 §3.2.1)"),
    ],
  },
  {
    id: "rfc7591.invalid-redirect-uri",
    source: "RFC 7591 §2, §3.2.2",
    level: "MUST",
    text: "Redirect URIs must be registered; a missing or bad one fails the registration with 400 invalid_redirect_uri.",
    tests: [
      reg(REDIRECTS, "redirect_uris missing, empty, not an array or too many: invalid_redirect_uri"),
      reg(REDIRECTS, "every kind of bad redirect URI: invalid_redirect_uri"),
      reg(REDIRECTS, "one bad URI (javascript:) among good ones fails the whole registration: invalid_redirect_uri"),
    ],
  },
  {
    id: "rfc7591.invalid-client-metadata",
    source: "RFC 7591 §2.1, §3.2.2",
    level: "MUST",
    text: "Metadata the server cannot accept (unsupported grant, response type or auth method; not an object) is 400 invalid_client_metadata.",
    tests: [
      reg(REFUSED, "unsupported grant types, response types or auth methods: invalid_client_metadata"),
      reg(REFUSED, "JSON that is not an object: invalid_client_metadata; a body that is not JSON: invalid_request"),
      unit("other metadata problems: invalid_client_metadata (RFC 7591 §3.2.2)", "every problem is listed"),
    ],
  },
];

export const RFC_7009: readonly Requirement[] = [
  {
    id: "rfc7009.request",
    source: "RFC 7009 §2.1",
    level: "MUST",
    text: "A form POST with token REQUIRED and token_type_hint OPTIONAL: no token is invalid_request; an unknown hint value is unsupported_token_type.",
    tests: [
      revoke("an unsupported token_type_hint: 400 unsupported_token_type; a missing token: 400 invalid_request"),
      mediaTypes("/revoke: anything but application/x-www-form-urlencoded is 400 invalid_request naming the type"),
    ],
  },
  {
    id: "rfc7009.hint-is-a-hint",
    source: "RFC 7009 §2.1",
    level: "MUST",
    text: "When the token is not found under the hint, the search extends to every token type.",
    tests: [revoke("a wrong token_type_hint is only a hint: the token is revoked anyway")],
  },
  {
    id: "rfc7009.client-auth",
    source: "RFC 7009 §2.1",
    level: "MUST",
    text: "Client credentials are validated as at /token, and the token must have been issued to the requesting client.",
    tests: [
      revoke("client authentication as at /token: wrong secret, unknown client, none at all → 401 invalid_client"),
      revoke("another client's token: 400 invalid_request, and the token keeps working"),
      revoke("a public DCR client revokes its own token with client_id only, but not a confidential client's"),
    ],
  },
  {
    id: "rfc7009.refresh-and-access",
    source: "RFC 7009 §2",
    level: "MUST",
    text: "Refresh tokens can be revoked (MUST) and access tokens too (SHOULD); a revoked access token is refused at once.",
    tests: [
      revoke("a revoked refresh token ends the grant: its access tokens 401, the refresh token invalid_grant"),
      revoke("a revoked access token: MCP 401 invalid_token at once; its refresh token is not affected"),
    ],
  },
  {
    id: "rfc7009.refresh-ends-grant",
    source: "RFC 7009 §2.1",
    level: "SHOULD",
    text: "Revoking a refresh token also invalidates the access tokens of the same grant.",
    tests: [revoke("a revoked refresh token ends the grant: its access tokens 401, the refresh token invalid_grant")],
  },
  {
    id: "rfc7009.200",
    source: "RFC 7009 §2.2",
    level: "MUST",
    text: "200 when the token was revoked and when the client sent an invalid or unknown token.",
    tests: [revoke("an unknown token: 200 (RFC 7009 §2.2); revoking twice: 200 twice")],
  },
  {
    id: "rfc7009.errors",
    source: "RFC 7009 §2.2.1",
    level: "MUST",
    text: "Errors use the RFC 6749 §5.2 response: a repeated parameter is invalid_request; an oversized body 413.",
    tests: [revoke("a repeated parameter or an oversized body: invalid_request (413 for the size)")],
  },
];
