// The first thing every request meets: the Host check (DNS rebinding) and CORS preflights,
// answered before any route or authentication runs. Preflights for the MCP endpoints are only
// granted to allowed origins; discovery and token endpoints serve any origin.
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

export function frontDoor(policy: RequestPolicy, log: Logger, isMcpPath: (path: string) => boolean) {
  return new Elysia({ name: "front-door" }).onRequest(({ request }) => {
    const startedAt = performance.now();
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
