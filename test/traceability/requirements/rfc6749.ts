// RFC 6749: the authorization code grant (§4.1), the token error response (§5.2), and the request
// rules around them (§2.3, §3.1–3.2, §6) the same endpoints enforce.
import { type Requirement, testRef } from "../requirement.ts";

const NM = "test/oauth-flow/negative-matrix.test.ts";
const afterRedirect = (title: string) =>
  testRef(NM, "/authorize errors after the redirect URI: redirected with error, state and iss", title);
const beforeRedirect = (title: string) =>
  testRef(NM, "/authorize errors before the redirect URI is trusted: a page, never a redirect", title);
const clientAuth = (title: string) => testRef(NM, "/token client authentication (a confidential pre-registered client)", title);
const code = (title: string) => testRef(NM, "/token: the authorization code", title);
const request = (title: string) => testRef(NM, "/token: the request itself", title);
const refresh = (title: string) => testRef(NM, "/token: refresh tokens", title);
const grants = (title: string) => testRef(NM, "/token: grants a client may not use, scopes that cannot be", title);
const clocked = (title: string) => testRef("test/oauth-flow/clocked.test.ts", "what only time can show", title);
const errors = (describe: string, title: string) => testRef("test/oauth/errors.test.ts", describe, title);
const claude = (title: string) =>
  testRef("test/oauth-flow/preregistered.test.ts", "the Claude.ai connector path: a confidential client with a secret", title);

export const RFC_6749: readonly Requirement[] = [
  {
    id: "rfc6749.response-type",
    source: "RFC 6749 §4.1.1, §4.1.2.1",
    level: "MUST",
    text: 'response_type is REQUIRED and must be "code"; otherwise unsupported_response_type, redirected.',
    tests: [afterRedirect("response_type missing or not code: unsupported_response_type")],
  },
  {
    id: "rfc6749.no-redirect-to-untrusted",
    source: "RFC 6749 §4.1.2.1",
    level: "MUST NOT",
    text: "A missing, invalid or mismatching redirect URI or client_id is shown to the owner and never redirected to.",
    tests: [
      beforeRedirect("a missing client_id, a repeated client_id: 400 error page"),
      beforeRedirect("an unknown client: 400 error page"),
      beforeRedirect("a redirect URI that does not match exactly: 400 error page (even for the auto-approved client)"),
      beforeRedirect("a repeated redirect_uri: 400 error page"),
      beforeRedirect("the redirect URI is checked before PKCE: a mismatch without PKCE is still a page"),
    ],
  },
  {
    id: "rfc6749.redirect-uri-required-if-several",
    source: "RFC 6749 §3.1.2.3; OAuth 2.1 §4.1.1",
    level: "MUST",
    text: "redirect_uri may be omitted only when exactly one is registered; with several and none requested, an error page.",
    tests: [
      claude("two registered redirect URIs and none requested: an error page, not a redirect"),
      testRef(
        "test/oauth-flow/preregistered.test.ts",
        "auto-approval",
        "auto_approve = true with redirect_uri omitted (one registered): the registered one",
      ),
      testRef(
        "test/oauth/redirect-uris.test.ts",
        "resolveRedirectUri",
        "an omitted redirect_uri needs exactly one registered (OAuth 2.1 §4.1.1)",
      ),
    ],
  },
  {
    id: "rfc6749.state",
    source: "RFC 6749 §4.1.2, §4.1.2.1",
    level: "MUST",
    text: "state is returned exactly as received, in success and error redirects; none when the request had none.",
    tests: [
      afterRedirect("state comes back byte for byte; without state there is none in the redirect"),
      afterRedirect("a long state (3000 characters) is returned exactly or the request is refused, never cut"),
      errors("toRedirectParams (RFC 6749 §4.1.2.1, RFC 9207)", "a hostile state travels encoded, as given"),
    ],
  },
  {
    id: "rfc6749.authorization-error-redirect",
    source: "RFC 6749 §4.1.2.1",
    level: "MUST",
    text: "Errors after the redirect URI is trusted go back to it as error (and error_description) query parameters, e.g. access_denied on Deny.",
    tests: [
      errors("toRedirectParams (RFC 6749 §4.1.2.1, RFC 9207)", "error, description, state and iss"),
      testRef(
        "test/oauth-flow/consent.test.ts",
        "the forms",
        "deny: 303 to the client with error=access_denied, state and iss, and no code",
      ),
      grants("a scope that is not RFC 6749 syntax at /authorize: invalid_scope, redirected"),
    ],
  },
  {
    id: "rfc6749.code-lifetime",
    source: "RFC 6749 §4.1.2",
    level: "SHOULD",
    text: "Authorization codes expire shortly after issue (a maximum of 10 minutes is RECOMMENDED).",
    tests: [
      clocked("an authorization code redeemed after its lifetime: invalid_grant"),
      clocked("a code redeemed just inside its lifetime works"),
    ],
  },
  {
    id: "rfc6749.code-single-use",
    source: "RFC 6749 §4.1.2",
    level: "MUST",
    text: "A code is used once; a second use is denied, and the tokens issued from it are revoked (SHOULD).",
    tests: [
      code("a replayed code: invalid_grant, and what the first redemption issued stops working"),
      testRef("test/oauth-flow/consent.test.ts", "the forms", "approve: 303 with code, state and iss; the code redeems once"),
    ],
  },
  {
    id: "rfc6749.code-bound",
    source: "RFC 6749 §4.1.3",
    level: "MUST",
    text: "The code was issued to the authenticated client, is valid, and the redirect_uri, when sent, is identical to the authorization request's.",
    tests: [
      code("a code issued to another client: invalid_grant"),
      code("a code this instance never issued (random, or issued by another appliance): invalid_grant"),
      code("a redirect_uri that differs from the authorization request's: invalid_grant"),
      claude("the code is bound to the client: redeeming it with the right secret but public auth fails"),
    ],
  },
  {
    id: "rfc6749.confidential-client-auth",
    source: "RFC 6749 §4.1.3, §2.3.1",
    level: "MUST",
    text: "Confidential clients must authenticate at /token; included credentials are always checked (Basic or client_secret_post).",
    tests: [
      clientAuth("a missing secret for a confidential client: 401 invalid_client"),
      clientAuth("a wrong 32-character secret in the body: 401 invalid_client without a Basic challenge"),
      clientAuth("near misses of the right secret (prefix, extension, other case) are refused alike"),
      clientAuth("a public client that presents a secret: 401 invalid_client"),
      clientAuth("the right secret authenticates either way (a bogus code then gets invalid_grant, not invalid_client)"),
    ],
  },
  {
    id: "rfc6749.basic-form-encoding",
    source: "RFC 6749 §2.3.1",
    level: "MUST",
    text: "HTTP Basic is supported, with client_id and secret form-urlencoded before Base64.",
    tests: [claude("a secret with characters that Basic form-urlencodes (: + % space / = & ?) works both ways")],
  },
  {
    id: "rfc6749.one-auth-method",
    source: "RFC 6749 §2.3",
    level: "MUST NOT",
    text: "A client uses one authentication method per request: Basic and client_secret_post at once is invalid_request.",
    tests: [
      clientAuth("Basic and client_secret_post at once: 400 invalid_request (RFC 6749 §2.3)"),
      clientAuth("a body client_id that differs from the Basic one: 400 invalid_request"),
    ],
  },
  {
    id: "rfc6749.parameters",
    source: "RFC 6749 §3.1, §3.2",
    level: "MUST",
    text: "Parameters sent without a value are treated as omitted; request parameters must not be repeated (invalid_request).",
    tests: [
      testRef("test/oauth/form.test.ts", "parseForm: accepted", "RFC 6749 §3.1: a parameter without a value is as if omitted"),
      testRef("test/oauth/form.test.ts", "parseForm: refused", "%p: a repeated parameter is invalid_request (RFC 6749 §3.2)"),
      request("a repeated parameter: invalid_request; a repeated resource: invalid_target"),
    ],
  },
  {
    id: "rfc6749.token-request-form",
    source: "RFC 6749 §3.2, §4.1.3",
    level: "MUST",
    text: "The token request is a POST in application/x-www-form-urlencoded (a charset parameter allowed); any other type is invalid_request.",
    tests: [
      testRef(
        "test/oauth-flow/error-vocabulary.test.ts",
        "request media types: forms at /token and /revoke, JSON at /register",
        "/token: anything but application/x-www-form-urlencoded is 400 invalid_request naming the type",
      ),
      testRef(
        "test/oauth-flow/error-vocabulary.test.ts",
        "request media types: forms at /token and /revoke, JSON at /register",
        "/token and /revoke: the form type with a charset parameter, in any case, is read",
      ),
      request("a JSON body: invalid_request"),
    ],
  },
  {
    id: "rfc6749.token-response",
    source: "RFC 6749 §4.1.4, §5.1",
    level: "MUST",
    text: "A JSON body with access_token, token_type, expires_in, refresh_token and scope; Cache-Control: no-store and Pragma: no-cache.",
    tests: [
      request("a successful answer carries Cache-Control: no-store and Pragma: no-cache, and no null"),
      claude("client_secret_basic end to end: login, consent, code + verifier, tools, refresh, revoke"),
    ],
  },
  {
    id: "rfc6749.error-body",
    source: "RFC 6749 §5.2",
    level: "MUST",
    text: "Errors are HTTP 400 (unless stated) with an application/json body of error and optional error_description only.",
    tests: [
      request("a missing grant_type: invalid_request"),
      request("a malformed %-encoding: invalid_request"),
      errors("toJSON: exactly the RFC 6749 §5.2 body", "error and error_description, nothing else (no reason, no stack)"),
      errors("toJSON: exactly the RFC 6749 §5.2 body", "no description: no error_description key (never null or empty)"),
    ],
  },
  {
    id: "rfc6749.error-description-charset",
    source: "RFC 6749 §5.2",
    level: "MUST NOT",
    text: "error_description holds no characters outside %x20-21 / %x23-5B / %x5D-7E.",
    tests: [errors("descriptions are restricted to RFC 6749 §5.2 characters", "%p -> %p")],
  },
  {
    id: "rfc6749.invalid-request",
    source: "RFC 6749 §5.2",
    level: "MUST",
    text: "invalid_request: a missing required parameter, a repeated one, more than one authentication mechanism.",
    tests: [
      request("a missing grant_type: invalid_request"),
      code("a missing code_verifier or code: invalid_request"),
      clientAuth("Basic and client_secret_post at once: 400 invalid_request (RFC 6749 §2.3)"),
    ],
  },
  {
    id: "rfc6749.invalid-client",
    source: "RFC 6749 §5.2",
    level: "MUST",
    text: "invalid_client is 401; when the client used the Authorization header the answer carries WWW-Authenticate: Basic.",
    tests: [
      clientAuth("a wrong 33-character secret over Basic: 401 invalid_client with WWW-Authenticate: Basic"),
      clientAuth("an unknown client: 401 invalid_client, over Basic with a Basic challenge"),
      clientAuth("malformed Basic credentials: 401 invalid_client with a Basic challenge"),
      clientAuth("no client identification at all: 401 invalid_client"),
      errors(
        "invalid_client and the Basic challenge (RFC 6749 §5.2)",
        "WWW-Authenticate: Basic when the client used the Authorization header",
      ),
    ],
  },
  {
    id: "rfc6749.invalid-grant",
    source: "RFC 6749 §5.2",
    level: "MUST",
    text: "invalid_grant: a code or refresh token that is invalid, expired, revoked, or issued to another client.",
    tests: [
      code("a code issued to another client: invalid_grant"),
      refresh("an unknown refresh token, or one of another client: invalid_grant"),
      refresh("an access token used as a refresh token: invalid_grant"),
      clocked("a refresh token past its lifetime: invalid_grant"),
    ],
  },
  {
    id: "rfc6749.unauthorized-client",
    source: "RFC 6749 §5.2",
    level: "MUST",
    text: "unauthorized_client: a grant type the client is not registered for.",
    tests: [grants("a DCR client registered without refresh_token: no refresh_token field (not null), and refresh is unauthorized_client")],
  },
  {
    id: "rfc6749.unsupported-grant-type",
    source: "RFC 6749 §5.2",
    level: "MUST",
    text: "unsupported_grant_type: any grant but authorization_code and refresh_token.",
    tests: [request("an unsupported grant_type: unsupported_grant_type")],
  },
  {
    id: "rfc6749.refresh-scope",
    source: "RFC 6749 §5.2, §6",
    level: "MUST NOT",
    text: "A refresh must not widen the scope originally granted (invalid_scope).",
    tests: [refresh("a wider scope: invalid_scope; another resource: invalid_target; none given: invalid_request")],
  },
];
