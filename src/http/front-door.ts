// The first thing every request meets, before any route or authentication runs: the header size
// limit, the Host check (DNS rebinding), the Origin check of the MCP endpoints (Fetch Metadata
// when a browser sent no Origin) and CORS preflights. Preflights for the MCP endpoints are only granted to allowed origins; other paths
// (discovery and token endpoints among them) grant them to any origin.
import { preflightResponse } from "./cors.ts";
import { errorResponse } from "./error-responses.ts";
import type { PathKind } from "./path-kinds.ts";
import type { RequestPolicy } from "./request-policy.ts";

/**
 * The total of a request's header names and values, as [limits] max_header_size counts them.
 * Header values are byte strings, so lengths are bytes; repeated fields count once joined.
 */
function headerBytes(headers: Headers): number {
  let total = 0;
  // forEach, not for…of: the iterator makes an array for every header of every request.
  headers.forEach((value, name) => {
    total += name.length + value.length;
  });
  return total;
}

/**
 * Fetch Metadata Request Headers §2.1 (Sec-Fetch-Site): a browser sends no Origin with a GET it
 * makes for an <img>, a <script> or a navigation, so a cross-site page could open an MCP session
 * (and start a server process, or end the owner's idle one, with auth = "none": issue 13) with
 * nothing for the Origin check to see. Such a request still says where it comes from:
 * "cross-site", and "same-site" too (another port or subdomain of the same site is another
 * origin, one allowed_origins did not name). An MCP client that is a web page sends Origin
 * (fetch with CORS does, always), so these refusals never meet it; navigations are refused
 * alike (a link to a legacy /sse path would open a session). "same-origin" and "none" (typed
 * into the address bar) pass, as does a request without the header: SDKs, curl, servers.
 */
function fromAnotherSite(secFetchSite: string | null): boolean {
  return secFetchSite === "cross-site" || secFetchSite === "same-site";
}

/** The answer the front door gives itself, or undefined when the request goes on to its route. */
export function frontDoorAnswer(request: Request, kind: PathKind, policy: RequestPolicy, maxHeaderBytes: number): Response | undefined {
  // RFC 6585 §5: 431 when the header fields are too large, collectively. (Bun's parser answers
  // a header section over 16 KiB itself, with a 431 and no body, before this runs.)
  const headerTotal = headerBytes(request.headers);
  if (headerTotal > maxHeaderBytes) {
    return errorResponse(
      kind,
      431,
      `the request's header names and values total ${headerTotal} bytes, more than max_header_size (${maxHeaderBytes} bytes)`,
    );
  }
  // RFC 9110 §15.5.20: 421 for a request this server is not configured to answer for.
  if (!policy.hostAllowed(request.headers.get("host"))) return errorResponse(kind, 421, "this host name is not served here");
  const origin = request.headers.get("origin");
  if (origin === null) {
    if (kind === "mcp" && fromAnotherSite(request.headers.get("sec-fetch-site"))) {
      return errorResponse(kind, 403, "requests from another site are not allowed");
    }
    return undefined;
  }
  // MCP 2025-11-25 transports §Security Warning: "If the Origin header is present and invalid,
  // servers MUST respond with HTTP 403 Forbidden"; the preflight of such a request too.
  if (kind === "mcp" && !policy.originAllowed(origin)) return errorResponse(kind, 403, "requests from this Origin are not allowed");
  return request.method === "OPTIONS" ? preflightResponse(origin) : undefined;
}
