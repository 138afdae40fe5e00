// Reading a mirrored header's value (MCP 2026-07-28 streamable-http §Value Encoding): optional
// whitespace trimmed, only the characters a plain header value may hold, and the Base64 sentinel
// `=?base64?…?=` decoded to the UTF-8 text it carries.
import type { Result } from "../../common/result.ts";

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";
/** RFC 4648 §4 Base64 with its padding: the only form a client produces. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 9110 §5.5 as MCP narrows it: visible ASCII, space and horizontal tab; anything else must be Base64. */
const PLAIN_VALUE = /^[\t\x20-\x7e]*$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A header's value without the optional whitespace around it (RFC 9110 §5.5: it is not part of
 * the value), or undefined when the header is absent. Header names are case-insensitive (Headers).
 */
export function fieldValue(headers: Headers, name: string): string | undefined {
  const value = headers.get(name);
  if (value === null) return undefined;
  // A loop, not a regular expression: `[\t ]+$` backtracks quadratically over inner white space.
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === " " || value[start] === "\t")) start++;
  while (end > start && (value[end - 1] === " " || value[end - 1] === "\t")) end--;
  return value.slice(start, end);
}

/** Whether a value holds only the characters a plain (not Base64-encoded) header value may. */
export function isPlainValue(value: string): boolean {
  return PLAIN_VALUE.test(value);
}

/**
 * The text an `Mcp-Name` or `Mcp-Param-*` value stands for: the Base64 sentinel decoded (strict
 * Base64 of strict UTF-8), any other value as it is. The error says what is wrong with it.
 */
export function decodeHeaderValue(value: string): Result<string> {
  if (!isPlainValue(value))
    return { ok: false, error: "holds characters outside visible ASCII, space and tab (those must be Base64-encoded)" };
  const sentinel =
    value.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length && value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX);
  if (!sentinel) return { ok: true, value };
  const payload = value.slice(SENTINEL_PREFIX.length, -SENTINEL_SUFFIX.length);
  if (!BASE64.test(payload)) return { ok: false, error: "is not valid Base64 inside =?base64?…?=" };
  const binary = atob(payload);
  // Only one Base64 text encodes given bytes; another (stray bits in the last character) is malformed.
  if (btoa(binary) !== payload) return { ok: false, error: "is not canonical Base64 inside =?base64?…?=" };
  try {
    return { ok: true, value: utf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))) };
  } catch {
    return { ok: false, error: "does not decode to UTF-8 text" };
  }
}
