// Dynamic client registration (RFC 7591): the request's metadata, validated and normalised,
// and the response document. The caller parses the JSON and limits its size.

import * as v from "valibot";
import { InvalidClientMetadata, InvalidRedirectUri, type Outcome } from "./errors.ts";
import { GRANT_TYPES, type GrantType, TOKEN_ENDPOINT_AUTH_METHODS, type TokenEndpointAuthMethod } from "./metadata.ts";
import { checkRedirectUri, checkRedirectUris } from "./redirect-uris.ts";
import { formatScope, parseScope } from "./scopes.ts";

/** Registered client metadata, under its RFC 7591 §2 names (the names of the response too). */
interface ClientMetadata {
  redirect_uris: string[];
  application_type: ApplicationType;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  grant_types: GrantType[];
  response_types: "code"[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
  scope?: string;
  software_id?: string;
  software_version?: string;
}

interface RegistrationOptions {
  /** scopes_supported: a requested scope outside it is dropped (RFC 7591 §3.2.1 lets the server substitute). */
  knownScopes: readonly string[];
}

/** OpenID Connect Registration §2 (MCP clients of 2026 send it): what kind of app this is. */
type ApplicationType = "web" | "native";

const MAX_REDIRECT_URIS = 20;
const MAX_TEXT = 200;
const MAX_URL = 2048;

// Control characters, lone surrogates and bidirectional overrides would let a client name
// rearrange or hide text on the consent page.
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/u;

const text = v.pipe(
  v.string("expected a string"),
  v.maxLength(MAX_TEXT, `expected at most ${MAX_TEXT} characters`),
  v.check((value) => !UNSAFE_TEXT.test(value), "contains control or bidirectional-override characters"),
);

function isHttpsUrl(value: string): boolean {
  if (!/^https:\/\/[\x21-\x7e]+$/i.test(value)) return false;
  const url = URL.parse(value);
  return url !== null && url.hostname !== "" && url.username === "" && url.password === "";
}

// RFC 7591 §2: client_uri, logo_uri, tos_uri, policy_uri are URLs the consent page may show or link.
const httpsUrl = v.pipe(
  v.string("expected a string"),
  v.maxLength(MAX_URL, `expected at most ${MAX_URL} characters`),
  v.check(isHttpsUrl, "expected an https URL without a user name"),
);

const requestSchema = v.object({
  // Checked against the redirect URIs in applicationTypeOf; absent, it is inferred from them.
  application_type: v.optional(v.picklist(["web", "native"], "expected web or native")),
  // RFC 7591 §2: default client_secret_basic. MCP clients send "none" (public, PKCE).
  token_endpoint_auth_method: v.optional(
    v.picklist(TOKEN_ENDPOINT_AUTH_METHODS, `expected one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(", ")}`),
    "client_secret_basic",
  ),
  // RFC 7591 §2: default ["authorization_code"]; §2.1: it goes with response type "code".
  grant_types: v.optional(
    v.pipe(
      v.array(v.picklist(GRANT_TYPES, `expected ${GRANT_TYPES.join(" or ")}`), "expected an array"),
      v.maxLength(10, "too many grant types"),
      v.check((types) => types.includes("authorization_code"), "must include authorization_code"),
    ),
    () => ["authorization_code" as const],
  ),
  // RFC 7591 §2: default ["code"]; OAuth 2.1 has no other.
  response_types: v.optional(
    v.pipe(
      v.array(v.literal("code", "only code is supported"), "expected an array"),
      v.minLength(1, "expected code"),
      v.maxLength(10, "too many response types"),
    ),
    () => ["code" as const],
  ),
  client_name: v.optional(text),
  client_uri: v.optional(httpsUrl),
  logo_uri: v.optional(httpsUrl),
  tos_uri: v.optional(httpsUrl),
  policy_uri: v.optional(httpsUrl),
  scope: v.optional(v.pipe(v.string("expected a string"), v.maxLength(1000, "expected at most 1000 characters"))),
  software_id: v.optional(text),
  software_version: v.optional(text),
});

/** 'javascript:alert(1)' -> a short, quotable preview for an error description. */
function preview(uri: unknown): string {
  const shown = typeof uri === "string" ? uri : (JSON.stringify(uri) ?? String(uri));
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

// RFC 7591 §2: redirect_uris is required for the redirect-based grants, the only ones here.
// Each URI is judged on its own; one bad URI fails the whole registration, and the answer names
// every bad one.
function checkRedirects(value: unknown): Outcome<string[]> {
  if (!Array.isArray(value) || value.length === 0) {
    return { ok: false, error: new InvalidRedirectUri("redirect_uris is required: a non-empty array of URIs") };
  }
  if (value.length > MAX_REDIRECT_URIS) {
    return { ok: false, error: new InvalidRedirectUri(`redirect_uris may hold at most ${MAX_REDIRECT_URIS} URIs`) };
  }
  const problems = checkRedirectUris(value);
  if (problems.length > 0) {
    const lines = problems.map(({ index, problem }) => `redirect_uris[${index}] '${preview(value[index])}': ${problem}`);
    // RFC 7591 §3.2.2: "invalid_redirect_uri: The value of one or more redirection URIs is invalid."
    return { ok: false, error: new InvalidRedirectUri(lines.join("; ")) };
  }
  return { ok: true, value: [...new Set(value as string[])] };
}

/**
 * OpenID Connect Registration §2 application_type, judged per redirect URI (RFC 7591 §2 lists
 * them; every one must fit). Absent: native when any URI is loopback or a private-use scheme
 * (a CLI or desktop app, RFC 8252), else web (that specification's default).
 * - native: private-use schemes and loopback http, as §2 says, and also https: RFC 8252 §7.2
 *   claimed https redirects, which VS Code registers (https://vscode.dev/redirect) beside its
 *   loopback ones.
 * - web: https, and loopback http (a web app served from the machine itself, such as the MCP
 *   Inspector; §2 forbids localhost only to the implicit grant, which does not exist here); a
 *   private-use scheme cannot reach a web app: refused, naming application_type native.
 */
function applicationTypeOf(declared: ApplicationType | undefined, uris: readonly string[]): Outcome<ApplicationType> {
  const kinds = uris.map((uri) => {
    const check = checkRedirectUri(uri);
    return check.ok ? check.value : undefined;
  });
  if (declared === undefined) return { ok: true, value: kinds.some((kind) => kind !== "https") ? "native" : "web" };
  if (declared === "native") return { ok: true, value: "native" };
  const misfits = kinds.flatMap((kind, index) =>
    kind === "private-use"
      ? [`redirect_uris[${index}] '${preview(uris[index])}': a web application cannot receive it; register application_type native`]
      : [],
  );
  if (misfits.length > 0) return { ok: false, error: new InvalidRedirectUri(misfits.join("; ")) };
  return { ok: true, value: "web" };
}

/** Metadata sent as null or "" is treated as not sent (some clients serialise unset fields so). */
function withoutEmpty(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null && value !== ""));
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/**
 * RFC 7591 §2 / §3.1: validate a registration request. Unknown fields are ignored and not kept
 * (RFC 7591 §2: "The authorization server MUST ignore any client metadata sent by the client
 * that it does not understand"). Errors: invalid_redirect_uri or invalid_client_metadata (§3.2.2).
 */
export function parseClientRegistration(body: unknown, options: RegistrationOptions): Outcome<ClientMetadata> {
  // RFC 7591 §3.1: the request is a JSON object.
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, error: new InvalidClientMetadata("the request body must be a JSON object") };
  }
  const input = withoutEmpty(body as Record<string, unknown>);
  const redirects = checkRedirects(input.redirect_uris);
  if (!redirects.ok) return redirects;

  const parsed = v.safeParse(requestSchema, input);
  if (!parsed.success) {
    const lines = parsed.issues.map((issue) => `${v.getDotPath(issue) ?? "body"}: ${issue.message}`);
    return { ok: false, error: new InvalidClientMetadata(lines.join("; ")) };
  }
  const { scope, token_endpoint_auth_method, grant_types, response_types: _code, application_type, ...described } = parsed.output;
  const applicationType = applicationTypeOf(application_type, redirects.value);
  if (!applicationType.ok) return applicationType;
  const metadata: ClientMetadata = {
    redirect_uris: redirects.value,
    application_type: applicationType.value,
    token_endpoint_auth_method,
    grant_types: [...new Set(grant_types)],
    response_types: ["code"],
    ...withoutUndefined(described),
  };
  if (scope !== undefined) {
    // RFC 6749 §3.3 syntax; RFC 7591 §3.2.1: the server may register fewer scopes than asked.
    // Unknown scopes (e.g. "offline_access") are dropped, not refused: refusing fails the client.
    const scopes = parseScope(scope);
    if (!scopes.ok) return { ok: false, error: new InvalidClientMetadata(`scope: ${scopes.error}`) };
    const known = scopes.value.filter((name) => options.knownScopes.includes(name));
    if (known.length > 0) metadata.scope = formatScope(known);
  }
  return { ok: true, value: metadata };
}

/** A client that authenticates at the token endpoint gets a secret; a "none" client is public. */
export function isConfidential(metadata: Pick<ClientMetadata, "token_endpoint_auth_method">): boolean {
  return metadata.token_endpoint_auth_method !== "none";
}

interface IssuedClient {
  clientId: string;
  /** Present only for a confidential client (shown once, stored only as a hash). */
  clientSecret?: string;
  issuedAtMs: number;
}

export interface RegistrationResponse extends ClientMetadata {
  client_id: string;
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
}

/**
 * RFC 7591 §3.2.1: client_id, client_secret (only when issued), client_id_issued_at (seconds),
 * client_secret_expires_at (required with a secret; 0 = never), then the registered metadata.
 * Unset fields are omitted, never null.
 */
export function registrationResponse(metadata: ClientMetadata, issued: IssuedClient): RegistrationResponse {
  const hasSecret = issued.clientSecret !== undefined;
  return {
    client_id: issued.clientId,
    ...(hasSecret ? { client_secret: issued.clientSecret } : {}),
    client_id_issued_at: Math.floor(issued.issuedAtMs / 1000),
    ...(hasSecret ? { client_secret_expires_at: 0 } : {}),
    ...(withoutUndefined(metadata) as ClientMetadata),
  };
}
