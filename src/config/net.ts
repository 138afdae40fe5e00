// Host names, IP addresses and the listen address.

import { isIPv4, isIPv6 } from "node:net";
import { parseIpRange } from "../common/ip-address.ts";
import type { Result } from "../common/result.ts";
import { quote } from "./describe.ts";
import type { ListenAddress } from "./types.ts";

// RFC 1123 §2.1 host names: dot-separated labels of letters, digits and inner hyphens.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isHostName(text: string): boolean {
  // An all-numeric last label is a mistyped IPv4 address, not a name (RFC 3696 §2).
  return HOST_NAME.test(text) && !/(^|\.)\d+$/.test(text);
}

/** localhost, 127.0.0.0/8 or ::1; `host` is written without brackets. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  if (isIPv4(host)) return host.startsWith("127.");
  // The URL parser canonicalises every spelling of ::1 (0:0:0:0:0:0:0:1, ::0001, ...).
  return isIPv6(host) && new URL(`http://[${host}]/`).hostname === "[::1]";
}

/** "10.0.0.0/8", "192.0.2.7", "2001:db8::/32": exactly what trust_proxy matching understands. */
export function isIpOrCidr(text: string): boolean {
  return parseIpRange(text) !== undefined;
}

const LISTEN_EXAMPLE = `"host:port", e.g. "127.0.0.1:3001" or "[::1]:3001"`;

/** "127.0.0.1:3001", "[::1]:3001", "localhost:0" -> { host, port } (host without brackets). */
export function parseListen(text: string): Result<ListenAddress> {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) {
    const hint = text.split(":").length > 2 && !text.startsWith("[") ? " (an IPv6 address goes in brackets)" : "";
    return { ok: false, error: `expected ${LISTEN_EXAMPLE}, got ${quote(text)}${hint}` };
  }
  const [, bracketed, plain, digits = ""] = match;
  const host = bracketed ?? plain ?? "";
  const hostOk = bracketed !== undefined ? isIPv6(host) : isIPv4(host) || isHostName(host);
  if (!hostOk) {
    return { ok: false, error: `expected ${LISTEN_EXAMPLE}, got ${quote(text)} (${quote(host)} is not an IP address or host name)` };
  }
  const port = Number(digits);
  if (port > 65535) return { ok: false, error: `the port must be between 0 and 65535, got ${digits}` };
  return { ok: true, value: { host, port } };
}

/** { host: "::1", port: 3001 } -> "[::1]:3001" */
export function formatListen({ host, port }: ListenAddress): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
