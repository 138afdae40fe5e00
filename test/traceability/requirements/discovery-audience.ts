// Discovery (RFC 8414 authorization server metadata, RFC 9728 protected resource metadata), the
// issuer in authorization responses (RFC 9207) and token audiences (RFC 8707 resource indicators).
import { type Requirement, testRef } from "../requirement.ts";

const discovery = (describe: string, title: string) => testRef("test/oauth-flow/discovery.test.ts", describe, title);
const AS = "RFC 8414 authorization server metadata";
const PRM = "RFC 9728 protected resource metadata";
const HOST = "every absolute URL derives from public_url, never from the request's Host";
const asUnit = (title: string) => testRef("test/oauth/metadata.test.ts", "authorizationServerMetadata (RFC 8414 §2)", title);
const NM = "test/oauth-flow/negative-matrix.test.ts";
const afterRedirect = (title: string) =>
  testRef(NM, "/authorize errors after the redirect URI: redirected with error, state and iss", title);
const resource = (describe: string, title: string) => testRef("test/oauth/resource.test.ts", describe, title);

export const RFC_8414: readonly Requirement[] = [
  {
    id: "rfc8414.fields",
    source: "RFC 8414 §2",
    level: "MUST",
    text: "issuer (https, no query or fragment), authorization_endpoint, token_endpoint and response_types_supported are present.",
    tests: [
      discovery(AS, "every field MCP clients need, with the issuer byte-identical to the appliance URL"),
      asUnit("the whole document"),
    ],
  },
  {
    id: "rfc8414.well-known",
    source: "RFC 8414 §3, §3.2",
    level: "MUST",
    text: "The document is at /.well-known/oauth-authorization-server, answered 200 with application/json.",
    tests: [discovery(AS, "every field MCP clients need, with the issuer byte-identical to the appliance URL")],
  },
  {
    id: "rfc8414.omit-empty",
    source: "RFC 8414 §3.2",
    level: "MUST",
    text: "Claims with zero elements are omitted (no registration_endpoint without registration, no empty scopes_supported, never null).",
    tests: [
      asUnit("no scopes: scopes_supported omitted; never a null anywhere"),
      asUnit("DCR off: no registration_endpoint key at all; CIMD off: false"),
      discovery(AS, "with dynamic registration off: no registration_endpoint (absent, not null) and /register is 404"),
    ],
  },
  {
    id: "rfc8414.issuer-identical",
    source: "RFC 8414 §3.3",
    level: "MUST",
    text: "The issuer in the document is identical to the issuer the metadata URL was built from, whatever Host the request carried.",
    tests: [
      discovery(AS, "the issuer is the same string in the protected resource metadata and in the 401 challenge's URL"),
      asUnit("the issuer is byte-identical to the one given and prefixes every endpoint"),
      discovery(HOST, "metadata fetched over 127.0.0.1 and with Host: localhost names https://mcp.example.com"),
    ],
  },
  {
    id: "rfc8414.openid-configuration",
    source: "RFC 8414 §5",
    level: "SHOULD",
    text: "For OpenID Connect discovery clients the same document is also at /.well-known/openid-configuration.",
    tests: [discovery(AS, "/.well-known/openid-configuration answers the very same document")],
  },
];

export const RFC_9728: readonly Requirement[] = [
  {
    id: "rfc9728.fields",
    source: "RFC 9728 §2",
    level: "MUST",
    text: "resource is REQUIRED; authorization_servers, scopes_supported and bearer_methods_supported (header) are given.",
    tests: [
      discovery(PRM, "at the path-suffixed URL: resource is the canonical MCP URL"),
      testRef("test/oauth/metadata.test.ts", "protectedResourceMetadata (RFC 9728 §2)", "one served MCP URL"),
    ],
  },
  {
    id: "rfc9728.scopes-array",
    source: "RFC 9728 §2",
    level: "SHOULD",
    text: "scopes_supported (RECOMMENDED) is an array of scope values, one per element.",
    tests: [discovery(PRM, "two servers: the root document lists each scope as its own array element")],
  },
  {
    id: "rfc9728.well-known",
    source: "RFC 9728 §3, §3.1",
    level: "MUST",
    text: "The document is at /.well-known/oauth-protected-resource with the resource's path inserted after it.",
    tests: [
      testRef("test/oauth/metadata.test.ts", "well-known URLs", "RFC 9728 §3.1 path insertion: %p -> %p"),
      discovery(PRM, "the legacy SSE endpoint has its own document; an unserved path is 404"),
    ],
  },
  {
    id: "rfc9728.response",
    source: "RFC 9728 §3.2",
    level: "MUST",
    text: "A successful answer is 200 with an application/json object.",
    tests: [discovery(PRM, "at the path-suffixed URL: resource is the canonical MCP URL")],
  },
  {
    id: "rfc9728.resource-identical",
    source: "RFC 9728 §3.3",
    level: "MUST",
    text: "resource is identical to the resource identifier the well-known URL was built from.",
    tests: [
      discovery(PRM, "at the path-suffixed URL: resource is the canonical MCP URL"),
      discovery(PRM, "the document named in each 401 is the one for the URL that was called"),
      discovery(PRM, "two servers: each path document has its own resource and scope; the AS lists both scopes"),
    ],
  },
  {
    id: "rfc9728.www-authenticate",
    source: "RFC 9728 §5.1",
    level: "MUST",
    text: "A 401 from the resource names its metadata URL in the WWW-Authenticate resource_metadata parameter.",
    tests: [
      testRef(
        "test/oauth-flow/sdk-oauth.test.ts",
        "the SDK client's OAuth flow",
        "an MCP request without a token gets 401 naming the protected resource metadata",
      ),
      testRef("test/oauth/errors.test.ts", "bearerChallenge (RFC 6750 §3, RFC 9728 §5.1)", "no token: resource_metadata only"),
    ],
  },
];

export const RFC_9207: readonly Requirement[] = [
  {
    id: "rfc9207.iss",
    source: "RFC 9207 §2, §3",
    level: "MUST",
    text: "Every authorization response, success or error, carries iss equal to the metadata's issuer; the metadata says authorization_response_iss_parameter_supported.",
    tests: [
      discovery(AS, "the issuer equals `iss` of a successful redirect and of an error redirect (RFC 9207)"),
      discovery(HOST, "iss in the redirect is the public URL; an upper-case host and trailing slash in resource are the same resource"),
      testRef(
        "test/oauth/errors.test.ts",
        "toRedirectParams (RFC 6749 §4.1.2.1, RFC 9207)",
        "no state when the request had none; iss always",
      ),
    ],
  },
];

export const RFC_8707: readonly Requirement[] = [
  {
    id: "rfc8707.absolute-no-fragment",
    source: "RFC 8707 §2",
    level: "MUST",
    text: "resource is an absolute URI without a fragment; anything else is invalid_target.",
    tests: [
      resource("normalizeResource (RFC 8707 §2, MCP canonical server URI)", "%p is refused"),
      resource("defaultResource and resolveResource", "a foreign or malformed resource %p is invalid_target (RFC 8707 §2)"),
    ],
  },
  {
    id: "rfc8707.invalid-target",
    source: "RFC 8707 §2",
    level: "SHOULD",
    text: "A resource the server does not serve, or a missing one when several are served, is invalid_target.",
    tests: [
      afterRedirect("a foreign resource: invalid_target"),
      testRef(NM, "the bearer guard on the MCP endpoint", "with two servers, /authorize without a resource is refused: invalid_target"),
    ],
  },
  {
    id: "rfc8707.token-resource",
    source: "RFC 8707 §2.2",
    level: "MUST",
    text: "At /token (code and refresh) the resource must be one the grant authorized, else invalid_target.",
    tests: [
      testRef(NM, "/token: the authorization code", "a resource at /token other than the one authorized: invalid_target"),
      testRef(NM, "/token: refresh tokens", "a wider scope: invalid_scope; another resource: invalid_target; none given: invalid_request"),
      testRef(
        NM,
        "/token: grants a client may not use, scopes that cannot be",
        "a resource at /token spelled with a trailing slash or upper-case scheme is the authorized one",
      ),
    ],
  },
  {
    id: "rfc8707.audience-restricted",
    source: "RFC 8707 §2",
    level: "SHOULD",
    text: "Issued access tokens are audience-restricted to the resource: a token for one server is refused at another.",
    tests: [
      testRef(
        NM,
        "the bearer guard on the MCP endpoint",
        "a token for /alpha/mcp used at /beta/mcp: 401 invalid_token naming beta's metadata",
      ),
    ],
  },
];
