// Origins: the public URL of the appliance and the browser origins allowed to call it.
// Problems are reasons ("it has a path") for the schema to put after what was expected.

import type { Result } from "../common/result.ts";
import { isLoopbackHost } from "./net.ts";

/**
 * "https://App.Example.com/" -> "https://app.example.com": an http(s) URL with nothing after the
 * authority but an optional "/" (RFC 6454 §4 origin: scheme, host, port). Lowercased and without
 * the default port, as the URL parser serialises it, so comparisons are plain string equality.
 */
export function parseOrigin(text: string): Result<string> {
  const url = URL.parse(text);
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return { ok: false, error: "it is not an http or https URL" };
  }
  if (url.username !== "" || url.password !== "") return { ok: false, error: "it has a user name or password" };
  // Checked on the text: the parser drops an empty "?" or "#".
  if (text.includes("?") || text.includes("#")) return { ok: false, error: "it has a query or fragment" };
  if (url.pathname !== "/") return { ok: false, error: "it has a path" };
  return { ok: true, value: url.origin };
}

/**
 * The URL clients use. Bearer tokens and authorization codes travel to it, so it must be https
 * (OAuth 2.1 §1.5), except on a loopback address where nothing leaves the machine.
 */
export function parsePublicUrl(text: string): Result<string> {
  const origin = parseOrigin(text);
  if (!origin.ok) return origin;
  const url = new URL(origin.value);
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ""))) {
    return { ok: false, error: "http is only allowed for localhost, 127.0.0.0/8 and ::1" };
  }
  return origin;
}
