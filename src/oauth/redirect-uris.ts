// Redirect URIs: which ones a client may register, and whether a requested one matches.
// The rules run on the text the client sent, not on what a URL parser makes of it: the string is
// what the browser will be sent to, and WHATWG parsing forgives (backslashes, tabs, %2e in hosts,
// "https:///x") where a redirect check must not.
import type { Result } from "../common/result.ts";

type RedirectUriKind = "https" | "loopback" | "private-use";
type RedirectUriCheck = Result<RedirectUriKind>;
interface RedirectUriProblem {
  index: number;
  problem: string;
}

const MAX_REDIRECT_URI_LENGTH = 2048;

// RFC 3986 §2: the characters a URI may contain; "%" only in a percent-encoded octet (§2.1).
// Non-ASCII (IRIs), spaces, backslashes and control characters are refused outright.
const URI_TEXT = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
const SCHEME = /^([A-Za-z][A-Za-z0-9+\-.]*):/;

// RFC 8252 §7.3 / §8.3: a loopback redirect: http, then 127.0.0.1, [::1] or localhost, an
// optional port, then path and query. Only these literal spellings, so that matching (which
// removes the port from the text) and validation agree on what is loopback.
const LOOPBACK = /^(http:\/\/(?:localhost|127\.0\.0\.1|\[::1\]))(?::(\d{1,5}))?([/?][\s\S]*)?$/i;

// Schemes a browser or the operating system handles itself: a "redirect" there runs script,
// reads local data, installs or launches something, or leaves the OAuth flow entirely. Never a
// native app's callback (RFC 8252 §7.1 private-use schemes are an app's own, reverse-DNS names).
// The list is also in README.md ("Redirect URIs").
const REFUSED_SCHEMES = new Set([
  // script and content the browser makes up: run in the page's or the browser's context
  "javascript",
  "vbscript",
  "jscript",
  "livescript",
  "data",
  "blob",
  "filesystem",
  "about",
  "view-source",
  "mhtml",
  "jar",
  // local files and network shares, or other protocols reached on the owner's machine
  "file",
  "smb",
  "nfs",
  "afp",
  "ftp",
  "sftp",
  "ssh",
  "telnet",
  "ldap",
  "ldaps",
  "gopher",
  "ws",
  "wss",
  // Windows handlers known for remote code execution or local searches (Follina ms-msdt:,
  // search-ms:, CHM ms-its:/its:/mk:, hcp:, shell:, res:)
  "search-ms",
  "search",
  "shell",
  "hcp",
  "its",
  "mk",
  "res",
  "vbefile",
  // browser-internal pages and extensions, and system app launchers / installers
  "chrome",
  "chrome-extension",
  "chrome-untrusted",
  "chrome-search",
  "edge",
  "microsoft-edge",
  "opera",
  "brave",
  "vivaldi",
  "moz-extension",
  "resource",
  "safari-extension",
  "intent",
  "android-app",
  "content",
  "itms-services",
  "x-apple-systempreferences",
  // messaging handlers: a code sent there leaves the client
  "mailto",
  "tel",
  "sms",
  "callto",
]);

/** Every ms-* scheme is a Windows or Office handler (ms-msdt:, ms-officecmd:, ms-settings:, ms-appinstaller:, ...). */
function isRefusedScheme(scheme: string): boolean {
  return REFUSED_SCHEMES.has(scheme) || scheme.startsWith("ms-");
}

/** The URI without its port when it is a loopback redirect (port 1-65535 or none), else undefined. */
function loopbackWithoutPort(uri: string): string | undefined {
  const match = LOOPBACK.exec(uri);
  if (match === null) return undefined;
  const [, origin = "", port, rest = ""] = match;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  return origin + rest;
}

/** The text between "//" and the path, query or fragment, when the URI has an authority. */
function authorityOf(uri: string, scheme: string): string | undefined {
  const afterScheme = uri.slice(scheme.length + 1);
  if (!afterScheme.startsWith("//")) return undefined;
  return /^\/\/([^/?#]*)/.exec(afterScheme)?.[1] ?? "";
}

/**
 * May a client register this redirect URI? RFC 7591 §2 / RFC 6749 §3.1.2 (absolute, no
 * fragment), OAuth 2.1 §1.5 and the MCP spec (https or loopback), RFC 8252 §7.1 / §7.3 (native
 * apps: private-use schemes and loopback http).
 */
export function checkRedirectUri(uri: string): RedirectUriCheck {
  if (uri.length === 0) return { ok: false, error: "it is empty" };
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return { ok: false, error: `it is longer than ${MAX_REDIRECT_URI_LENGTH} characters` };
  // RFC 3986 §2: a URI is ASCII; anything else is a different string to every parser.
  if (!URI_TEXT.test(uri)) {
    return {
      ok: false,
      error: "it contains characters a URI cannot hold (space, non-ASCII, backslash, control character or bad %-encoding)",
    };
  }
  // RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI".
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { ok: false, error: "it is not an absolute URI (no scheme)" };
  // RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component."
  if (uri.includes("#")) return { ok: false, error: "it has a fragment (#)" };
  const url = URL.parse(uri);
  if (url === null) return { ok: false, error: "it is not a valid URI" };
  const authority = authorityOf(uri, scheme);
  // RFC 3986 §7.6 (semantic attacks): "https://good.com@evil.com/" goes to evil.com. No
  // redirect needs a user name, and the consent page must show the host the code goes to.
  if (authority?.includes("@")) return { ok: false, error: "it has a user name or password before the host" };

  if (scheme === "https") {
    if (authority === undefined || authority === "") return { ok: false, error: "it has no host after https://" };
    // The host as written must be the host the browser will use: no %-encoded or numeric tricks.
    const host = authority.replace(/:\d*$/, "").toLowerCase();
    if (host !== url.hostname) return { ok: false, error: "its host is not written in plain form" };
    return { ok: true, value: "https" };
  }
  if (scheme === "http") {
    // OAuth 2.1 §1.5 / MCP "Communication Security": plain http only where nothing leaves the
    // machine. RFC 8252 §8.3 discourages "localhost" but Claude Code, mcp-remote and the
    // Inspector register it, so it is accepted alongside the IP literals.
    if (loopbackWithoutPort(uri) === undefined) {
      return {
        ok: false,
        error: "http is only allowed for loopback redirects (http://127.0.0.1, http://[::1] or http://localhost, any port); use https",
      };
    }
    return { ok: true, value: "loopback" };
  }
  if (isRefusedScheme(scheme)) return { ok: false, error: `the ${scheme}: scheme cannot be a redirect URI` };
  // "c:/Users/..." is a Windows path, not a URI, and no app scheme has one letter.
  if (scheme.length === 1) return { ok: false, error: "a one-letter scheme is a drive letter, not an app's scheme" };
  // RFC 8252 §7.1 private-use scheme. §8.4 says schemes without a period SHOULD be refused;
  // they are accepted because Cursor registers cursor://anysphere.cursor-mcp/oauth/callback in
  // the same request as its other URIs, so refusing it fails the whole registration.
  if (uri.length === scheme.length + 1) return { ok: false, error: "it has nothing after the scheme" };
  return { ok: true, value: "private-use" };
}

/** Every problem in a list of redirect URIs, so a registration can say which ones are wrong. */
export function checkRedirectUris(uris: readonly unknown[]): RedirectUriProblem[] {
  const problems: RedirectUriProblem[] = [];
  uris.forEach((uri, index) => {
    if (typeof uri !== "string") {
      problems.push({ index, problem: "it is not a string" });
      return;
    }
    const check = checkRedirectUri(uri);
    if (!check.ok) problems.push({ index, problem: check.error });
  });
  return problems;
}

/**
 * Does the requested redirect URI match the registered one? OAuth 2.1 §2.3.1 / RFC 8252 §8.4:
 * simple string comparison (RFC 3986 §6.2.1), except that for a loopback redirect the port is
 * ignored (RFC 8252 §7.3: "MUST allow any port to be specified at the time of the request"),
 * because native apps get an ephemeral port. Scheme, host, path and query still match exactly.
 */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const registeredLoopback = loopbackWithoutPort(registered);
  return registeredLoopback !== undefined && registeredLoopback === loopbackWithoutPort(requested);
}

/**
 * The redirect URI an authorization request will use, or undefined when it matches none.
 * OAuth 2.1 §4.1.1: redirect_uri may be omitted only when exactly one is registered.
 */
export function resolveRedirectUri(registered: readonly string[], requested: string | undefined): string | undefined {
  if (requested === undefined) return registered.length === 1 ? registered[0] : undefined;
  return registered.some((uri) => redirectUriMatches(uri, requested)) ? requested : undefined;
}
