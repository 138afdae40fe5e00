// Which client_id values are Client Identifier URLs (a metadata document to fetch).
//
// Citations "CIMD §n" name draft-ietf-oauth-client-id-metadata-document-00, the revision the
// MCP 2025-11-25 authorization specification refers to; "CIMD-02 §n" names a rule added later.
import type { Result } from "../../common/result.ts";

/** Longer identifiers are refused: they are shown to the user and used as cache keys. */
const MAX_CLIENT_ID_URL_LENGTH = 2048;

type ClientIdUrlCheck = Result<URL>;

/** A dot segment, also spelled with percent-encoded dots (the URL parser decodes "%2e" as "."). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * CIMD §3: client identifier URLs MUST have an "https" scheme, MUST contain a path component,
 * MUST NOT contain single-dot or double-dot path segments, MUST NOT contain a fragment component
 * and MUST NOT contain a username or password; they SHOULD NOT include a query string (allowed
 * here) and MAY contain a port.
 */
export function checkClientIdUrl(clientId: unknown): ClientIdUrlCheck {
  if (typeof clientId !== "string") return { ok: false, error: "the client_id is not a string" };
  if (clientId.length > MAX_CLIENT_ID_URL_LENGTH)
    return { ok: false, error: `the client_id is longer than ${MAX_CLIENT_ID_URL_LENGTH} characters` };
  // The raw string is checked first: the URL parser silently repairs what must be refused here
  // (it removes dot segments, drops an empty fragment, turns "\" into "/").
  if (!clientId.startsWith("https://")) return { ok: false, error: "the client_id URL must use the https scheme" };
  if (clientId.includes("#")) return { ok: false, error: "the client_id URL must not contain a fragment" };
  const rest = clientId.slice("https://".length);
  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  if (authority.includes("@")) return { ok: false, error: "the client_id URL must not contain a username or password" };
  const afterAuthority = authorityEnd === -1 ? "" : rest.slice(authorityEnd);
  const queryStart = afterAuthority.indexOf("?");
  const path = queryStart === -1 ? afterAuthority : afterAuthority.slice(0, queryStart);
  // CIMD-02 §3 calls a path of "/" NOT RECOMMENDED (the root of a site serves other content);
  // it is refused here, as it also is by the MCP guidance ("e.g. https://example.com/client.json").
  if (path === "" || path === "/") return { ok: false, error: "the client_id URL must contain a path component" };
  if (path.split("/").some((segment) => DOT_SEGMENT.test(segment))) {
    return { ok: false, error: "the client_id URL must not contain . or .. path segments" };
  }
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return { ok: false, error: "the client_id is not a valid URL" };
  }
  // RFC 3986 §6.2.1 / CIMD §4.1: the document's client_id is compared with simple string
  // comparison, and the same string is the address fetched. Only a URL the parser leaves
  // unchanged guarantees the request goes to exactly that string (the client SHOULD normalise it,
  // CIMD-02 §3; the server MUST NOT, so a non-normalised one is refused rather than repaired).
  if (url.href !== clientId) {
    return {
      ok: false,
      error: "the client_id URL is not in normalised form (lowercase host, no default port, percent-encoded characters)",
    };
  }
  return { ok: true, value: url };
}

/** True when `clientId` is an https URL naming a client ID metadata document (CIMD §3). */
export function isMetadataDocumentClientId(clientId: unknown): clientId is string {
  return checkClientIdUrl(clientId).ok;
}
