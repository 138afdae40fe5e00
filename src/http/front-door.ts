// The first thing every request meets: the header size limit, the Host check (DNS rebinding)
// and CORS preflights, answered before any route or authentication runs. Preflights for the MCP
// endpoints are only granted to allowed origins; discovery and token endpoints serve any origin.
import { Elysia } from "elysia";
import type { Logger } from "../log.ts";
import { logRequest } from "./access-log.ts";
import { preflightResponse } from "./cors.ts";
import type { RequestPolicy } from "./request-policy.ts";

function refusal(status: number, error: string, description: string): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const query = url.indexOf("?", start);
  return url.slice(start, query === -1 ? undefined : query);
}

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

export function frontDoor(policy: RequestPolicy, log: Logger, isMcpPath: (path: string) => boolean, maxHeaderBytes: number) {
  return new Elysia({ name: "front-door" }).onRequest(({ request }) => {
    const startedAt = performance.now();
    // RFC 6585 §5: 431 when the header fields are too large, collectively. (Bun's parser answers
    // a header section over 16 KiB itself, with a 431 and no body, before this runs.)
    const headerTotal = headerBytes(request.headers);
    if (headerTotal > maxHeaderBytes) {
      const response = refusal(
        431,
        "request_header_fields_too_large",
        `the request's header names and values total ${headerTotal} bytes, more than max_header_size (${maxHeaderBytes} bytes)`,
      );
      logRequest(log, request, response.status, startedAt, {});
      return response;
    }
    if (!policy.hostAllowed(request.headers.get("host"))) {
      const response = refusal(421, "misdirected_request", "this host name is not served here");
      logRequest(log, request, response.status, startedAt, {});
      return response;
    }
    const origin = request.headers.get("origin");
    if (request.method === "OPTIONS" && origin !== null) {
      const response =
        isMcpPath(pathOf(request.url)) && !policy.originAllowed(origin)
          ? refusal(403, "forbidden_origin", "requests from this Origin are not allowed")
          : preflightResponse(origin);
      logRequest(log, request, response.status, startedAt, {});
      return response;
    }
  });
}
