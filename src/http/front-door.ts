// The first thing every request meets: the Host check (DNS rebinding), the Origin check, and
// CORS preflights, all before any route or authentication runs.
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

export function frontDoor(policy: RequestPolicy, log: Logger) {
  return new Elysia({ name: "front-door" }).onRequest(({ request }) => {
    const startedAt = performance.now();
    if (!policy.hostAllowed(request.headers.get("host"))) {
      const response = refusal(421, "misdirected_request", "this host name is not served here");
      logRequest(log, request, response.status, startedAt, {});
      return response;
    }
    const origin = request.headers.get("origin");
    if (!policy.originAllowed(origin)) {
      const response = refusal(403, "forbidden_origin", "requests from this Origin are not allowed");
      logRequest(log, request, response.status, startedAt, {});
      return response;
    }
    if (request.method === "OPTIONS" && origin !== null) {
      const response = preflightResponse(origin);
      logRequest(log, request, response.status, startedAt, {});
      return response;
    }
  });
}
