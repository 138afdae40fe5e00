// HTTP-level helpers for tests of the authorization server: PKCE pairs computed here (not by
// the code under test), form and JSON requests, RFC 6749 §5.2 error assertions, the owner's
// approval of a hand-built authorization request, and MCP requests with a bearer token.
import { expect } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { initializeRequest } from "./mcp-raw.ts";
import { OwnerBrowser } from "./oauth.ts";

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** RFC 7636 §4.1–4.2: a 43-character verifier and its S256 challenge. */
export function pkce(): Pkce {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier, "ascii").digest("base64url") };
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ":" and base64-encoded. */
export function basicAuth(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}`;
}

export function postForm(
  base: string,
  path: string,
  fields: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(new URL(path, base), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: typeof fields === "string" ? fields : new URLSearchParams(fields),
  });
}

export function postJson(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, base), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface Registered {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  [field: string]: unknown;
}

/** RFC 7591 registration that must succeed. */
export async function register(base: string, metadata: Record<string, unknown>): Promise<Registered> {
  const response = await postJson(base, "/register", metadata);
  const text = await response.text();
  if (response.status !== 201) throw new Error(`registration failed (${response.status}): ${text}`);
  return JSON.parse(text) as Registered;
}

/** A public (PKCE only) dynamically registered client. */
export function registerPublic(base: string, redirectUris: string[], extra: Record<string, unknown> = {}): Promise<Registered> {
  return register(base, {
    client_name: "matrix test client",
    redirect_uris: redirectUris,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    ...extra,
  });
}

/** /authorize?… from the given parameters; undefined ones are left out. */
export function authorizeUrl(base: string, params: Record<string, string | undefined>): URL {
  const url = new URL("/authorize", base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

export interface AuthorizeOptions {
  clientId: string;
  redirectUri?: string;
  resource?: string;
  scope?: string;
  state?: string;
  pkce?: Pkce;
}

export interface Authorized {
  code: string;
  verifier: string;
  redirect: URL;
}

/** The whole front channel: a valid request, the owner signs in and approves (or auto-approval). */
export async function authorizeWithOwner(base: string, options: AuthorizeOptions, browser = new OwnerBrowser(base)): Promise<Authorized> {
  const pair = options.pkce ?? pkce();
  const url = authorizeUrl(base, {
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    code_challenge: pair.challenge,
    code_challenge_method: "S256",
    state: options.state ?? randomBytes(8).toString("hex"),
    resource: options.resource,
    scope: options.scope,
  });
  const redirect = await browser.approve(url);
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error(`no code in the redirect: ${redirect.href}`);
  return { code, verifier: pair.verifier, redirect };
}

export interface TokenPair {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/** POST /token for tokens that must be issued. */
export async function tokens(base: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenPair> {
  const response = await postForm(base, "/token", fields, headers);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`token request failed (${response.status}): ${text}`);
  expect(response.headers.get("cache-control")).toContain("no-store");
  return JSON.parse(text) as TokenPair;
}

/** RFC 6749 §5.2: exactly { error, error_description? } as JSON with the status given. */
export async function expectOAuthError(
  response: Response,
  status: number,
  error: string,
  options: { noStore?: boolean } = {},
): Promise<{ error: string; error_description?: string }> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status} ${error}, got ${response.status}: ${text}`);
  expect(response.headers.get("content-type") ?? "").toStartWith("application/json");
  const body = JSON.parse(text) as { error: string; error_description?: string };
  expect(body.error).toBe(error);
  for (const key of Object.keys(body)) expect(["error", "error_description", "error_uri"]).toContain(key);
  if (body.error_description !== undefined) {
    expect(typeof body.error_description).toBe("string");
    // RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E only.
    expect(body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
  }
  if (options.noStore ?? true) expect(response.headers.get("cache-control") ?? "").toContain("no-store");
  return body;
}

/** An HTML page and never a redirect: for errors that must not reach an unverified redirect URI. */
export async function expectErrorPage(response: Response, status: number): Promise<string> {
  const text = await response.text();
  if (response.status !== status)
    throw new Error(
      `expected an error page ${status}, got ${response.status} (location ${response.headers.get("location")}): ${text.slice(0, 500)}`,
    );
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("content-type") ?? "").toStartWith("text/html");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  return text;
}

/** A 303 to the client's redirect URI carrying an RFC 6749 §4.1.2.1 error with state and iss (RFC 9207). */
export function expectErrorRedirect(
  response: Response,
  redirectUri: string,
  error: string,
  state: string | undefined,
  issuer: string,
): URL {
  if (response.status !== 303) throw new Error(`expected a 303 redirect with ${error}, got ${response.status}`);
  const location = new URL(response.headers.get("location")!);
  expect(location.href.split("?")[0]).toBe(redirectUri.split("?")[0]!);
  expect(location.searchParams.get("error")).toBe(error);
  expect(location.searchParams.get("code")).toBeNull();
  expect(location.searchParams.get("state")).toBe(state ?? null);
  expect(location.searchParams.get("iss")).toBe(issuer);
  return location;
}

/** Recursively: no null anywhere (Claude Code fails on null fields). */
export function expectNoNull(value: unknown, path = "$"): void {
  if (value === null) throw new Error(`null at ${path}`);
  if (Array.isArray(value)) for (const [index, item] of value.entries()) expectNoNull(item, `${path}[${index}]`);
  else if (typeof value === "object") for (const [key, item] of Object.entries(value as object)) expectNoNull(item, `${path}.${key}`);
}

/** The process is up and serving. */
export async function expectHealthy(base: string): Promise<void> {
  const response = await fetch(new URL("/healthz", base));
  expect(response.status).toBe(200);
  expect(((await response.json()) as { status: string }).status).toBe("ok");
}

export interface McpAnswer {
  status: number;
  session: string | null;
  challenge: string | null;
  body: string;
  headers: Headers;
}

/** An MCP initialize with the given Authorization header (or none); the session, if any, is ended. */
export async function mcpInitialize(
  url: URL | string,
  authorization?: string,
  extraHeaders: Record<string, string> = {},
  keepSession = false,
): Promise<McpAnswer> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...extraHeaders,
  };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(initializeRequest({ client: "oauth-http-test" })) });
  const body = await response.text();
  const session = response.headers.get("mcp-session-id");
  if (session && !keepSession) {
    await fetch(url, { method: "DELETE", headers: { "mcp-session-id": session, ...(authorization ? { authorization } : {}) } });
  }
  return { status: response.status, session, challenge: response.headers.get("www-authenticate"), body, headers: response.headers };
}

/** Status of an MCP initialize with this access token. */
export async function mcpStatus(url: URL | string, accessToken: string): Promise<number> {
  return (await mcpInitialize(url, `Bearer ${accessToken}`)).status;
}

/** The attributes of a Bearer challenge: { error, scope, resource_metadata, … }. */
export function challengeParams(challenge: string | null): Record<string, string> {
  expect(challenge).not.toBeNull();
  expect(challenge!).toStartWith("Bearer ");
  const params: Record<string, string> = {};
  for (const match of challenge!.slice(7).matchAll(/([a-z_]+)="([^"]*)"/g)) params[match[1]!] = match[2]!;
  return params;
}
