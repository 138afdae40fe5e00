// Turn a fetched metadata document into the client record the authorization server uses.
// Problems are written by this module and never quote the document, so they may be shown to
// the user; whatever the redirect URI validator says goes to the internal reason only.

import { fail, type Outcome } from "./failure.ts";
import { isHttpsUrl } from "./https-url.ts";
import { checkKeyMaterial } from "./key-material.ts";

type MetadataDocumentAuthMethod = "none" | "private_key_jwt";
const USABLE_METHODS: readonly string[] = ["private_key_jwt", "none"];

/** A validated, normalised metadata-document client. */
export interface MetadataDocumentClient {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  /**
   * The grants it may use here: those it declares of the two this server has; without
   * grant_types, both (real documents often leave it out and still refresh; RFC 7591 §2's
   * default would make every such client sign in again each hour).
   */
  grant_types: ("authorization_code" | "refresh_token")[];
  /** The method the document prefers among those this server supports. */
  token_endpoint_auth_method: MetadataDocumentAuthMethod;
  /** Every method the client may use here, preferred first (OpenID Connect RP Metadata Choices). */
  token_endpoint_auth_methods: MetadataDocumentAuthMethod[];
  /** RFC 7591 §2: the client's public keys (a JWK Set), or where to fetch them; for private_key_jwt. */
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  /** OpenID Connect Registration §2: the one JWS alg its assertions use. */
  token_endpoint_auth_signing_alg?: string;
  client_uri?: string;
  logo_uri?: string;
}

/** Checks each redirect URI (rules live elsewhere); returns one problem per bad URI, [] when fine. */
export type RedirectUriValidator = (uris: readonly string[]) => readonly string[];

const MAX_CLIENT_NAME_LENGTH = 200;
// Shown on the consent page: control characters and bidirectional overrides could disguise it.
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// CIMD §4.1: no method based around a shared symmetric secret.
const SHARED_SECRET_METHODS = new Set(["client_secret_post", "client_secret_basic", "client_secret_jwt"]);

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Bytes as fetched -> JSON -> validated client. */
export function parseMetadataDocument(
  body: Uint8Array,
  clientId: string,
  validateRedirectUris: RedirectUriValidator,
): Outcome<MetadataDocumentClient> {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    return fail("invalid_json", `not UTF-8 JSON (${error instanceof SyntaxError ? "syntax error" : "bad encoding"}, ${body.length} bytes)`);
  }
  return validateMetadataDocument(document, clientId, validateRedirectUris);
}

function validateMetadataDocument(
  document: unknown,
  clientId: string,
  validateRedirectUris: RedirectUriValidator,
): Outcome<MetadataDocumentClient> {
  // MCP 2025-11-25 (Client ID Metadata Documents): the server MUST validate that the document
  // is valid JSON and contains the required fields.
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return invalid(["the document is not a JSON object"], []);
  }
  const doc = document as Record<string, unknown>;
  // Optional members set to null are read as absent (RFC 7591 clients are told to omit them).
  const has = (key: string) => Object.hasOwn(doc, key) && doc[key] !== null && doc[key] !== undefined;
  const problems: string[] = [];
  const internal: string[] = [];

  // CIMD §4.1: client_id MUST match the document URL by simple string comparison (RFC 3986 §6.2.1).
  if (doc.client_id !== clientId)
    problems.push(has("client_id") ? "client_id does not match the URL of the document" : "client_id is missing");

  // CIMD §4.1: client_secret and client_secret_expires_at MUST NOT be used.
  if (has("client_secret") || has("client_secret_expires_at")) problems.push("client_secret must not appear in a metadata document");

  const methods = negotiateAuthMethods(doc, has, problems);

  // RFC 7591 §2 and the MCP specification: redirect_uris is required for the code flow.
  if (!isStringArray(doc.redirect_uris) || doc.redirect_uris.length === 0) {
    problems.push("redirect_uris must be a non-empty array of strings");
  } else {
    const uriProblems = validateRedirectUris(doc.redirect_uris);
    if (uriProblems.length > 0) {
      problems.push("redirect_uris lists a redirect URI this server does not accept");
      internal.push(...uriProblems);
    }
  }

  // RFC 7591 §2.1: this server only serves the authorization code flow.
  if (has("grant_types") && !(isStringArray(doc.grant_types) && doc.grant_types.includes("authorization_code"))) {
    problems.push("grant_types must be an array of strings including authorization_code");
  }
  if (has("response_types") && !(isStringArray(doc.response_types) && doc.response_types.includes("code"))) {
    problems.push("response_types must be an array of strings including code");
  }

  const name = typeof doc.client_name === "string" ? doc.client_name.trim() : undefined;
  if (has("client_name") && name === undefined) problems.push("client_name is not a string");
  else if (name !== undefined && [...name].length > MAX_CLIENT_NAME_LENGTH)
    problems.push(`client_name is longer than ${MAX_CLIENT_NAME_LENGTH} characters`);
  else if (name !== undefined && UNSAFE_NAME_CHARACTERS.test(name))
    problems.push("client_name contains control or text-direction characters");

  // CIMD-02 §8.6: only known, supported URL schemes (see https-url.ts).
  for (const key of ["client_uri", "logo_uri"] as const) {
    if (has(key) && !isHttpsUrl(doc[key])) problems.push(`${key} must be an https URL`);
  }

  if (problems.length > 0) return invalid(problems, internal);
  const client: MetadataDocumentClient = {
    client_id: clientId,
    redirect_uris: [...(doc.redirect_uris as string[])],
    grant_types: has("grant_types")
      ? (["authorization_code", "refresh_token"] as const).filter((grant) => (doc.grant_types as string[]).includes(grant))
      : ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: methods[0]!,
    token_endpoint_auth_methods: methods,
  };
  if (methods.includes("private_key_jwt")) {
    if (has("jwks")) client.jwks = doc.jwks as { keys: Record<string, unknown>[] };
    if (has("jwks_uri")) client.jwks_uri = doc.jwks_uri as string;
    if (has("token_endpoint_auth_signing_alg")) client.token_endpoint_auth_signing_alg = doc.token_endpoint_auth_signing_alg as string;
  }
  if (name) client.client_name = name;
  if (has("client_uri")) client.client_uri = doc.client_uri as string;
  if (has("logo_uri")) client.logo_uri = doc.logo_uri as string;
  return { ok: true, value: client };
}

/**
 * The methods the client may authenticate with here, preferred first; problems are pushed.
 * CIMD §4.1: never a method based on a shared symmetric secret. When token_endpoint_auth_method
 * is absent, RFC 7591 §2's default (client_secret_basic) cannot apply, so the client is public.
 * OpenID Connect RP Metadata Choices: `token_endpoint_auth_methods_supported` lists every method
 * the client can use (ChatGPT's document prefers private_key_jwt and also lists none): the
 * preferred one comes first, the others this server supports follow, so a document that also
 * offers none works without an assertion as well.
 */
function negotiateAuthMethods(
  doc: Record<string, unknown>,
  has: (key: string) => boolean,
  problems: string[],
): MetadataDocumentAuthMethod[] {
  const method = doc.token_endpoint_auth_method ?? "none";
  const choices = has("token_endpoint_auth_methods_supported") ? doc.token_endpoint_auth_methods_supported : [];
  if (typeof method !== "string") {
    problems.push("token_endpoint_auth_method is not a string");
    return [];
  }
  if (!isStringArray(choices)) {
    problems.push("token_endpoint_auth_methods_supported is not an array of strings");
    return [];
  }
  if (SHARED_SECRET_METHODS.has(method)) {
    problems.push(`token_endpoint_auth_method ${method} needs a shared secret, which a metadata document cannot have`);
    return [];
  }
  const offered = [...new Set([method, ...choices])];
  const hasKeys = has("jwks") || has("jwks_uri");
  const keyProblems = checkKeyMaterial(doc, method === "private_key_jwt" && !offered.includes("none"));
  problems.push(...keyProblems);
  // private_key_jwt without keys is unusable; when none is also offered, the client is public.
  const usable = offered.filter((m) => USABLE_METHODS.includes(m) && (m !== "private_key_jwt" || hasKeys));
  if (usable.length === 0 && keyProblems.length === 0)
    problems.push("token_endpoint_auth_method is not supported (use none or private_key_jwt)");
  if (has("token_endpoint_auth_signing_alg") && typeof doc.token_endpoint_auth_signing_alg !== "string")
    problems.push("token_endpoint_auth_signing_alg is not a string");
  return usable as MetadataDocumentAuthMethod[];
}

function invalid(problems: string[], internal: string[]): Outcome<never> {
  const reason = [...problems, ...internal].join("; ");
  return fail("invalid_document", reason, `The client's metadata document is invalid: ${problems.join("; ")}.`);
}
