// The keys of an HTTP upstream server ([servers.<name>] with `url`): where it is, and the headers
// the appliance adds to every request it forwards there.

import * as v from "valibot";
import type { Result } from "../common/result.ts";
import { expected, quote } from "./describe.ts";
import { hasIssueAt, issuePath } from "./issues.ts";
import { isLoopbackHost } from "./net.ts";
import { checkedSecret } from "./secret-fields.ts";
import type { Env } from "./secrets.ts";
import { isPlainTable } from "./table.ts";

const URL_EXAMPLE = `an http URL such as "http://127.0.0.1:4000/mcp"`;

/** Why `text` cannot be an upstream URL, or its normalised form. */
function parseUpstreamUrl(text: string): Result<string> {
  const url = URL.parse(text);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return { ok: false, error: `expected ${URL_EXAMPLE}, got ${quote(text)}` };
  }
  // Credentials in the URL would be sent as Basic authentication and shown wherever the URL is:
  // the upstream's own credential belongs in `headers`, as an env: or file: secret. The URL is
  // not repeated here, since it holds one.
  if (url.username !== "" || url.password !== "") {
    return { ok: false, error: `expected ${URL_EXAMPLE} without a user name or password (put the upstream's credential in headers)` };
  }
  // Checked on the text: the parser drops an empty "?" or "#". The client's query is what is
  // forwarded; one written here would have to be merged with it.
  if (text.includes("?") || text.includes("#"))
    return { ok: false, error: `expected ${URL_EXAMPLE} without a query or fragment, got ${quote(text)}` };
  return { ok: true, value: url.href };
}

export const upstreamUrl = v.pipe(
  v.string(expected(URL_EXAMPLE)),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseUpstreamUrl(dataset.value);
    if (parsed.ok) return parsed.value;
    addIssue({ message: parsed.error });
    return NEVER;
  }),
);

// RFC 9110 §5.1: field-name = token; §5.6.2: token = 1*tchar.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Headers the appliance itself decides: hop-by-hop ones (RFC 9110 §7.6.1), the framing and
// routing of the forwarded request, and the MCP transport's own headers, which carry the
// client's values. Authorization and Cookie are not here: written in the file they are the
// upstream's own credential, never the client's (which is never forwarded).
const RESERVED_HEADERS = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "content-type",
  "content-encoding",
  "accept",
  "accept-encoding",
  "expect",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
]);

/** Why `name` cannot be a header the appliance adds upstream, or undefined when it can. */
function headerNameProblem(name: string, example = "X-Api-Key"): string | undefined {
  if (!TOKEN.test(name))
    return `expected a header name such as ${quote(example)} (letters, digits and !#$%&'*+-.^_\`|~), got ${quote(name)}`;
  const lower = name.toLowerCase();
  if (RESERVED_HEADERS.has(lower) || lower.startsWith("proxy-")) {
    return `${quote(name)} cannot be set here: the appliance sets it itself, or it belongs to a single connection`;
  }
  return undefined;
}

const headerName = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = headerNameProblem(dataset.value);
    if (problem !== undefined) addIssue({ message: problem });
  }),
);

// RFC 9110 §5.5: field-value = *field-content, visible characters, spaces and tabs inside. A
// line break would split the header in two; the value is never shown, as it may be a secret.
const FIELD_VALUE = /^[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?$/;

function headerValue(env: Env) {
  return checkedSecret(env, (value) =>
    FIELD_VALUE.test(value)
      ? undefined
      : "expected a header value of visible ASCII characters, spaces inside (no line breaks, not empty), got something else (not shown, in case it is a secret)",
  );
}

/** headers = { "X-Api-Key" = "env:BLOG_API_KEY" }: each name once, whatever its case. */
export function upstreamHeaders(env: Env) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isPlainTable, expected(`a table of headers, e.g. headers = { "X-Api-Key" = "env:API_KEY" }`)),
    v.record(headerName, headerValue(env)),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!isPlainTable(dataset.value)) return;
      const seen = new Map<string, string>();
      for (const name of Object.keys(dataset.value)) {
        const first = seen.get(name.toLowerCase());
        if (first === undefined) seen.set(name.toLowerCase(), name);
        else
          addIssue({ message: `${quote(name)} is the same header as ${quote(first)} (header names ignore case)`, path: issuePath(name) });
      }
    }),
  );
}

/** identity_header = "X-MCP-Client": a header name, not one that carries credentials. */
export const identityHeader = v.pipe(
  v.string(expected(`a header name such as "X-MCP-Client"`)),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem =
      headerNameProblem(dataset.value, "X-MCP-Client") ??
      (["authorization", "cookie"].includes(dataset.value.toLowerCase())
        ? `${quote(dataset.value)} carries credentials: name a header of its own, such as "X-MCP-Client"`
        : undefined);
    if (problem !== undefined) addIssue({ message: problem });
  }),
);

/** The keys of an upstream server, as the server table holds them once validated. */
interface UpstreamKeys {
  url?: unknown;
  headers?: unknown;
  identity_header?: unknown;
  allow_remote_upstream?: unknown;
}

/**
 * The rules across an upstream server's keys: the upstream is on this machine unless
 * allow_remote_upstream says otherwise (the appliance must not become a way to reach other
 * hosts, or send the upstream's credential to one, by a slip of the pen), and the identity
 * header is not also one of the configured headers.
 */
export function upstreamRules(
  server: UpstreamKeys,
  issues: readonly v.BaseIssue<unknown>[] | undefined,
): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  if (typeof server.url === "string" && !hasIssueAt(issues, ["url"]) && !hasIssueAt(issues, ["allow_remote_upstream"])) {
    if (server.allow_remote_upstream !== true && !isLoopbackHost(upstreamAddress(server.url).host)) {
      problems.push({
        key: "url",
        message: `${quote(server.url)} is not on this machine (localhost, 127.0.0.0/8 or ::1): set allow_remote_upstream = true to proxy to another host`,
      });
    }
  }
  if (typeof server.identity_header === "string" && isPlainTable(server.headers) && !hasIssueAt(issues, ["identity_header"])) {
    const identity = server.identity_header.toLowerCase();
    if (Object.keys(server.headers).some((name) => name.toLowerCase() === identity)) {
      problems.push({
        key: "identity_header",
        message: `${quote(server.identity_header)} is also one of the headers: the identity header must be a header of its own`,
      });
    }
  }
  return problems;
}

/** The host (without brackets) and TCP port an upstream URL connects to, default ports included. */
export function upstreamAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
  return { host, port };
}
