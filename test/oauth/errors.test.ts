import { describe, expect, test } from "bun:test";
import {
  AccessDenied,
  asOAuthError,
  BodyTooLarge,
  bearerChallenge,
  InsufficientScope,
  InvalidClient,
  InvalidClientMetadata,
  InvalidGrant,
  InvalidRedirectUri,
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  InvalidToken,
  type OAuthError,
  ServerError,
  sanitizeDescription,
  TemporarilyUnavailable,
  UnauthorizedClient,
  UnsupportedGrantType,
  UnsupportedResponseType,
  UnsupportedTokenType,
} from "../../src/oauth/errors.ts";

describe("each class knows its code, HTTP status and whether it may be redirected", () => {
  test.each([
    // RFC 6749 §4.1.2.1 authorization errors are redirectable; §5.2 token errors are not.
    ["invalid_request", new InvalidRequest(), 400, true],
    // RFC 9110 §15.5.14: a body over the limit keeps the OAuth code, with HTTP's status.
    ["invalid_request", new BodyTooLarge(), 413, false],
    ["invalid_client", new InvalidClient(), 401, false],
    ["invalid_grant", new InvalidGrant(), 400, false],
    ["unauthorized_client", new UnauthorizedClient(), 400, true],
    ["unsupported_grant_type", new UnsupportedGrantType(), 400, false],
    ["invalid_scope", new InvalidScope(), 400, true],
    ["access_denied", new AccessDenied(), 403, true],
    ["unsupported_response_type", new UnsupportedResponseType(), 400, true],
    ["server_error", new ServerError(), 500, true],
    ["temporarily_unavailable", new TemporarilyUnavailable(), 503, true],
    ["invalid_target", new InvalidTarget(), 400, true],
    ["unsupported_token_type", new UnsupportedTokenType(), 400, false],
    ["invalid_redirect_uri", new InvalidRedirectUri(), 400, false],
    ["invalid_client_metadata", new InvalidClientMetadata(), 400, false],
    ["invalid_token", new InvalidToken(), 401, false],
    ["insufficient_scope", new InsufficientScope("mcp:vault"), 403, false],
  ] as [string, OAuthError, number, boolean][])("%s", (code, error, status, redirectable) => {
    expect(error.code).toBe(code as OAuthError["code"]);
    expect(error.status).toBe(status);
    expect(error.redirectable).toBe(redirectable);
    expect(error).toBeInstanceOf(Error);
  });

  test("the caller can forbid redirecting (an invalid_request about the redirect URI itself)", () => {
    expect(new InvalidRequest("redirect_uri does not match", { redirectable: false }).redirectable).toBe(false);
  });

  test("temporarily_unavailable over a per-address rate: 429 with Retry-After in whole seconds, at least 1", () => {
    expect(new TemporarilyUnavailable().headers()).toEqual({});
    const limited = new TemporarilyUnavailable("too many token requests", { retryAfterMs: 59_001 });
    expect(limited.status).toBe(429);
    expect(limited.headers()).toEqual({ "retry-after": "60" });
    expect(new TemporarilyUnavailable("", { retryAfterMs: 1 }).headers()).toEqual({ "retry-after": "1" });
    expect(limited.toJSON()).toEqual({ error: "temporarily_unavailable", error_description: "too many token requests" });
  });
});

describe("toJSON: exactly the RFC 6749 §5.2 body", () => {
  test("error and error_description, nothing else (no reason, no stack)", () => {
    const error = new InvalidGrant("the code has expired", { reason: "code hash abc expired at 123" });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ error: "invalid_grant", error_description: "the code has expired" });
    expect(error.reason).toBe("code hash abc expired at 123");
  });
  test("no description: no error_description key (never null or empty)", () => {
    expect(new InvalidClient().toJSON()).toEqual({ error: "invalid_client" });
    expect("error_description" in new InvalidClient().toJSON()).toBe(false);
  });
});

describe("descriptions are restricted to RFC 6749 §5.2 characters", () => {
  test.each([
    ['say "hi"', "say 'hi'"],
    ["back\\slash", "back/slash"],
    ["line\nbreak\ttab", "line?break?tab"],
    ["ünïcödé", "?n?c?d?"],
    ["\u202eevil", "?evil"],
  ])("%p -> %p", (input, output) => {
    expect(sanitizeDescription(input)).toBe(output);
    expect(new InvalidRequest(input).description).toBe(output);
  });
  test("a very long description is cut", () => {
    const description = new InvalidRequest("x".repeat(100_000)).description;
    expect(description.length).toBe(500);
    expect(description.endsWith("...")).toBe(true);
  });
});

describe("invalid_client and the Basic challenge (RFC 6749 §5.2)", () => {
  test("WWW-Authenticate: Basic when the client used the Authorization header", () => {
    const error = new InvalidClient("client authentication failed", { usedBasic: true });
    expect(error.status).toBe(401);
    expect(error.headers()["WWW-Authenticate"]).toStartWith("Basic realm=");
  });
  test("no header when the client authenticated in the body or not at all", () => {
    expect(new InvalidClient("unknown client").headers()).toEqual({});
  });
});

describe("toRedirectParams (RFC 6749 §4.1.2.1, RFC 9207)", () => {
  test("error, description, state and iss", () => {
    const params = new AccessDenied("the owner refused").toRedirectParams("xyz", "https://mcp.example.com");
    expect([...params]).toEqual([
      ["error", "access_denied"],
      ["error_description", "the owner refused"],
      ["state", "xyz"],
      ["iss", "https://mcp.example.com"],
    ]);
  });
  test("no state when the request had none; iss always", () => {
    const params = new InvalidScope().toRedirectParams(undefined, "https://mcp.example.com");
    expect(Object.fromEntries(params)).toEqual({ error: "invalid_scope", iss: "https://mcp.example.com" });
  });
  test("a hostile state travels encoded, as given", () => {
    const state = "a&b=c#d<script>";
    const params = new InvalidRequest("bad").toRedirectParams(state, "https://mcp.example.com");
    expect(params.get("state")).toBe(state);
    expect(params.toString()).toContain("state=a%26b%3Dc%23d%3Cscript%3E");
  });
  test("refuses to build redirect parameters for an error that must not be redirected", () => {
    expect(() => new InvalidClient().toRedirectParams("s", "https://i")).toThrow(/must not be sent/);
    expect(() => new InvalidRequest("bad redirect_uri", { redirectable: false }).toRedirectParams("s", "https://i")).toThrow();
  });
});

describe("asOAuthError", () => {
  test("an OAuthError passes through", () => {
    const error = new InvalidGrant("x");
    expect(asOAuthError(error)).toBe(error);
  });
  test.each([
    ["a TypeError", new TypeError("boom")],
    ["a string", "a string"],
    ["a number", 42],
    ["null", null],
    ["undefined", undefined],
    ["an object with a status", { status: 400 }],
  ])("%s becomes a 500 server_error", (_, thrown) => {
    const error = asOAuthError(thrown);
    expect(error.code).toBe("server_error");
    expect(error.status).toBe(500);
    expect(error.redirectable).toBe(false);
    expect(error.toJSON()).toEqual({ error: "server_error", error_description: "internal error" });
  });
  test("the thrown error's message stays in reason, out of the body", () => {
    const error = asOAuthError(new Error("SQLITE_BUSY at /var/lib/state.db"));
    expect(error.reason).toContain("SQLITE_BUSY");
    expect(JSON.stringify(error)).not.toContain("SQLITE_BUSY");
  });
});

describe("bearerChallenge (RFC 6750 §3, RFC 9728 §5.1)", () => {
  const resourceMetadata = "https://mcp.example.com/.well-known/oauth-protected-resource/vault/mcp";
  test("no token: resource_metadata only", () => {
    expect(bearerChallenge({ resourceMetadata })).toBe(`Bearer resource_metadata="${resourceMetadata}"`);
  });
  test("invalid_token", () => {
    expect(bearerChallenge({ resourceMetadata, error: new InvalidToken("the token has expired") })).toBe(
      `Bearer resource_metadata="${resourceMetadata}", error="invalid_token", error_description="the token has expired"`,
    );
  });
  test("insufficient_scope names the scope needed", () => {
    expect(bearerChallenge({ resourceMetadata, error: new InsufficientScope("mcp:vault") })).toBe(
      `Bearer resource_metadata="${resourceMetadata}", scope="mcp:vault", error="insufficient_scope"`,
    );
  });
  test("no quote or backslash can break out of a quoted value", () => {
    const header = bearerChallenge({ resourceMetadata: 'https://x/"a\\', error: new InvalidToken('x", error="y') });
    expect(header).toBe(`Bearer resource_metadata="https://x/a", error="invalid_token", error_description="x', error='y"`);
  });
});
