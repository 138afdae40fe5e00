// The OAuth error taxonomy: one class per registered error code, each knowing its HTTP status,
// whether it may be sent to the client's redirect URI, and any header the HTTP layer must add.
// `description` is public (it reaches the client); `reason` is internal and only reaches logs.

import type { Result } from "../common/result.ts";

/** Codes from the IANA "OAuth Extensions Error Registry" and the RFCs that define them. */
type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "access_denied"
  | "unsupported_response_type"
  | "server_error"
  | "temporarily_unavailable"
  | "invalid_target"
  | "unsupported_token_type"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "invalid_token"
  | "insufficient_scope";

interface OAuthErrorOptions {
  /** What happened, for the log only (may name hashes, ids, internal state; never secrets). */
  reason?: string;
  cause?: unknown;
  /** Overrides the code's default, e.g. `invalid_request` about the redirect URI itself. */
  redirectable?: boolean;
}

/** RFC 6749 §5.2: the JSON body of an error response. */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description?: string;
}

/** A value, or the OAuth error to answer with (the shape of every expected failure: common/result.ts). */
export type Outcome<T> = Result<T, OAuthError>;

const MAX_DESCRIPTION = 500;

/**
 * RFC 6749 §5.2 and §4.1.2.1: error_description "MUST NOT include characters outside the set
 * %x20-21 / %x23-5B / %x5D-7E", so it can also sit in a quoted header value (RFC 6750 §3).
 * Anything else (a quote, a backslash, a control or non-ASCII character echoed from input) is replaced.
 */
export function sanitizeDescription(text: string): string {
  const clean = text
    .replace(/"/g, "'")
    .replace(/\\/g, "/")
    .replace(/[^\x20-\x7e]/g, "?");
  return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION - 3)}...` : clean;
}

export abstract class OAuthError extends Error {
  abstract readonly code: OAuthErrorCode;
  abstract readonly status: number;
  /** Public, already sanitized; omitted from the body when empty. */
  readonly description: string;
  /** Internal, for logs only; never sent to a client. */
  readonly reason: string | undefined;
  readonly #redirectable: boolean | undefined;

  constructor(description = "", options: OAuthErrorOptions = {}) {
    const sanitized = sanitizeDescription(description);
    // The message reaches logs: sanitized too, so echoed input cannot forge log lines.
    super(sanitized, options.cause === undefined ? undefined : { cause: options.cause });
    this.description = sanitized;
    this.reason = options.reason;
    this.#redirectable = options.redirectable;
  }

  /** The code's default (see each class) unless the caller said otherwise. */
  protected get defaultRedirectable(): boolean {
    return false;
  }

  /**
   * RFC 6749 §4.1.2.1: once the client and redirect URI are known good, authorization errors go
   * back to the client's redirect URI; before that they are shown to the user and never redirected.
   */
  get redirectable(): boolean {
    return this.#redirectable ?? this.defaultRedirectable;
  }

  override name = "OAuthError";

  /** Extra response headers this error requires (WWW-Authenticate for invalid_client over Basic). */
  headers(): Record<string, string> {
    return {};
  }

  /** RFC 6749 §5.2: exactly { error, error_description? }. */
  toJSON(): OAuthErrorBody {
    return this.description === "" ? { error: this.code } : { error: this.code, error_description: this.description };
  }

  /**
   * RFC 6749 §4.1.2.1 (error, error_description, state when the request had one) and RFC 9207 §2
   * (iss, always, so the client can detect a mix-up). Throws for an error that must not be
   * redirected: that is a programming error, and the edge turns it into a 500.
   */
  toRedirectParams(state: string | undefined, iss: string): URLSearchParams {
    if (!this.redirectable) throw new Error(`${this.code} must not be sent to a redirect URI`);
    const params = new URLSearchParams({ error: this.code });
    if (this.description !== "") params.set("error_description", this.description);
    if (state !== undefined && state !== "") params.set("state", state);
    params.set("iss", iss);
    return params;
  }
}

// RFC 6749 §4.1.2.1 / §5.2: malformed request, missing or repeated parameter, unsupported value.
export class InvalidRequest extends OAuthError {
  readonly code = "invalid_request";
  readonly status: number = 400;
  protected override get defaultRedirectable(): boolean {
    return true;
  }
}

// RFC 9110 §15.5.14 (413 Content Too Large): the body is longer than the endpoint reads. The
// body is still RFC 6749 §5.2 invalid_request, so an OAuth client reads it as any refusal; the
// status says what HTTP says of it. Only bodies of POSTs are measured: never redirected.
export class BodyTooLarge extends InvalidRequest {
  override readonly status = 413;
  protected override get defaultRedirectable(): boolean {
    return false;
  }
}

interface InvalidClientOptions extends OAuthErrorOptions {
  /** The client authenticated with the Authorization header (client_secret_basic). */
  usedBasic?: boolean;
}

// RFC 6749 §5.2: client authentication failed (unknown client, wrong secret, wrong method).
// 401 whatever the method: SDK clients (and Claude.ai) take a 401 invalid_client as "register again".
export class InvalidClient extends OAuthError {
  readonly code = "invalid_client";
  readonly status = 401;
  readonly usedBasic: boolean;
  constructor(description = "", options: InvalidClientOptions = {}) {
    super(description, options);
    this.usedBasic = options.usedBasic ?? false;
  }
  // RFC 6749 §5.2: "If the client attempted to authenticate via the Authorization request header
  // field, the authorization server MUST ... include the WWW-Authenticate response header field
  // matching the authentication scheme used by the client." RFC 7617 §2: realm is required.
  override headers(): Record<string, string> {
    return this.usedBasic ? { "WWW-Authenticate": 'Basic realm="oauth", charset="UTF-8"' } : {};
  }
}

// RFC 6749 §5.2: code or refresh token invalid, expired, revoked, issued to another client,
// redirect URI mismatch; RFC 7636 §4.6: PKCE verification failed.
export class InvalidGrant extends OAuthError {
  readonly code = "invalid_grant";
  readonly status = 400;
}

// RFC 6749 §4.1.2.1 / §5.2: the client may not use this grant or response type.
export class UnauthorizedClient extends OAuthError {
  readonly code = "unauthorized_client";
  readonly status = 400;
  protected override get defaultRedirectable(): boolean {
    return true;
  }
}

// RFC 6749 §5.2
export class UnsupportedGrantType extends OAuthError {
  readonly code = "unsupported_grant_type";
  readonly status = 400;
}

// RFC 6749 §4.1.2.1 / §5.2
export class InvalidScope extends OAuthError {
  readonly code = "invalid_scope";
  readonly status = 400;
  protected override get defaultRedirectable(): boolean {
    return true;
  }
}

// RFC 6749 §4.1.2.1: the owner refused (or the request was refused on their behalf).
export class AccessDenied extends OAuthError {
  readonly code = "access_denied";
  readonly status = 403;
  protected override get defaultRedirectable(): boolean {
    return true;
  }
}

// RFC 6749 §4.1.2.1
export class UnsupportedResponseType extends OAuthError {
  readonly code = "unsupported_response_type";
  readonly status = 400;
  protected override get defaultRedirectable(): boolean {
    return true;
  }
}

// RFC 6749 §4.1.2.1 (and the edge for anything unexpected): never a blanket 400.
export class ServerError extends OAuthError {
  readonly code = "server_error";
  readonly status = 500;
  protected override get defaultRedirectable(): boolean {
    return true;
  }
}

interface TemporarilyUnavailableOptions extends OAuthErrorOptions {
  /**
   * Set when this client address is over a per-address rate: the answer is then 429 (RFC 6585
   * §4) with this wait in Retry-After, rather than 503 for the server itself being full.
   */
  retryAfterMs?: number;
  /**
   * The server itself (not this address) is out of capacity for now: 503 even with a
   * Retry-After (RFC 9110 §15.6.4, §10.2.3), e.g. every metadata-document fetch slot is taken.
   */
  serverBusy?: boolean;
}

// RFC 6749 §4.1.2.1. RFC 6749 §5.2 has no code for "too many requests" at the token endpoint:
// this registered code says it best, with the 429 status and Retry-After telling clients when.
export class TemporarilyUnavailable extends OAuthError {
  readonly code = "temporarily_unavailable";
  readonly status: 429 | 503;
  readonly retryAfterMs: number | undefined;
  constructor(description = "", options: TemporarilyUnavailableOptions = {}) {
    super(description, options);
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.retryAfterMs === undefined || options.serverBusy ? 503 : 429;
  }
  protected override get defaultRedirectable(): boolean {
    return true;
  }
  override headers(): Record<string, string> {
    return this.retryAfterMs === undefined ? {} : { "retry-after": String(Math.max(1, Math.ceil(this.retryAfterMs / 1000))) };
  }
}

// RFC 8707 §2: "resource" unparseable or not a resource this server issues tokens for.
export class InvalidTarget extends OAuthError {
  readonly code = "invalid_target";
  readonly status = 400;
  protected override get defaultRedirectable(): boolean {
    return true;
  }
}

// RFC 7009 §2.2.1: the server does not revoke this token type.
export class UnsupportedTokenType extends OAuthError {
  readonly code = "unsupported_token_type";
  readonly status = 400;
}

// RFC 7591 §3.2.2: "The value of one or more redirection URIs is invalid."
export class InvalidRedirectUri extends OAuthError {
  readonly code = "invalid_redirect_uri";
  readonly status = 400;
}

// RFC 7591 §3.2.2: "The value of one of the client metadata fields is invalid ..."
export class InvalidClientMetadata extends OAuthError {
  readonly code = "invalid_client_metadata";
  readonly status = 400;
}

// RFC 6750 §3.1: expired, revoked, malformed or for another audience: 401.
export class InvalidToken extends OAuthError {
  readonly code = "invalid_token";
  readonly status = 401;
}

// RFC 6750 §3.1: the token lacks the scope this resource needs: 403, with the scope needed.
export class InsufficientScope extends OAuthError {
  readonly code = "insufficient_scope";
  readonly status = 403;
  /** The scope the request needs (RFC 6750 §3: the `scope` challenge attribute). */
  readonly scope: string;
  constructor(scope: string, description = "", options: OAuthErrorOptions = {}) {
    super(description, options);
    this.scope = scope;
  }
}

interface BearerChallenge {
  /** RFC 9728 §5.1: where the protected resource metadata is. */
  resourceMetadata: string;
  /** RFC 6750 §3.1: the error, when credentials were presented (none when the request had none). */
  error?: InvalidRequest | InvalidToken | InsufficientScope;
  /** RFC 6750 §3: the scope needed; defaults to the InsufficientScope's scope. */
  scope?: string;
}

/**
 * RFC 6750 §3 and RFC 9728 §5.1: the WWW-Authenticate value for a 401 or 403 from the resource.
 * Every value is a quoted-string; descriptions were sanitized so they hold no quote or backslash.
 */
export function bearerChallenge({ resourceMetadata, error, scope }: BearerChallenge): string {
  const quote = (value: string) => `"${value.replace(/["\\]/g, "")}"`;
  const parts = [`resource_metadata=${quote(resourceMetadata)}`];
  const neededScope = scope ?? (error instanceof InsufficientScope ? error.scope : undefined);
  if (neededScope !== undefined && neededScope !== "") parts.push(`scope=${quote(neededScope)}`);
  if (error !== undefined) {
    parts.push(`error=${quote(error.code)}`);
    if (error.description !== "") parts.push(`error_description=${quote(error.description)}`);
  }
  return `Bearer ${parts.join(", ")}`;
}

/** At the edge: an OAuthError as is; anything else is a 500 server_error whose detail stays in the log. */
export function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ServerError("internal error", { reason, cause: error, redirectable: false });
}
