// Why a client ID metadata document could not be used.
// `description` is safe to show to the person on the authorization page (or as an OAuth
// error_description); `reason` is for the log only. Neither ever carries the response body:
// it is content chosen by whoever controls the client_id URL.
import type { Result } from "../../common/result.ts";

type MetadataDocumentFailureKind =
  | "invalid_url" // the client_id is not a Client Identifier URL (CIMD §3)
  | "dns_failed"
  | "forbidden_address" // SSRF guard: the host resolves to a special-use address
  | "connect_failed"
  | "tls_failed"
  | "timeout"
  | "redirect" // a 3xx: redirects are never followed
  | "http_status" // anything but 200
  | "content_type"
  | "too_large"
  | "invalid_json"
  | "invalid_document"
  | "busy"; // too many fetches in flight; not remembered as a failure

interface MetadataDocumentFailure {
  readonly kind: MetadataDocumentFailureKind;
  /** Public: fit for the user and for error_description. */
  readonly description: string;
  /** Internal: for the log only. */
  readonly reason: string;
}

export type Outcome<T> = Result<T, MetadataDocumentFailure>;

const DESCRIPTIONS: Record<MetadataDocumentFailureKind, string> = {
  invalid_url: "The client_id is not a valid client ID metadata document URL.",
  dns_failed: "The host of the client's metadata document could not be resolved.",
  forbidden_address: "The client's metadata document is hosted at an address this server does not fetch from.",
  connect_failed: "The server hosting the client's metadata document could not be reached.",
  tls_failed: "The server hosting the client's metadata document did not present a valid certificate.",
  timeout: "The server hosting the client's metadata document did not answer in time.",
  redirect: "The client's metadata document URL answers with a redirect; redirects are not followed.",
  http_status: "The client's metadata document could not be fetched (the server did not answer 200 OK).",
  content_type: "The client's metadata document is not served as application/json.",
  too_large: "The client's metadata document is larger than this server accepts.",
  invalid_json: "The client's metadata document is not valid JSON.",
  invalid_document: "The client's metadata document is invalid.",
  busy: "Too many client metadata documents are being fetched right now; try again shortly.",
};

export function fail(
  kind: MetadataDocumentFailureKind,
  reason: string,
  description = DESCRIPTIONS[kind],
): { ok: false; error: MetadataDocumentFailure } {
  return { ok: false, error: { kind, description, reason } };
}
