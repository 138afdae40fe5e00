// CORS (Fetch standard §3.2, the CORS protocol): which origins' scripts may read an answer, one
// implementation for every path with the path's policy as argument. The request pipeline answers
// preflights before any route or authentication runs, and adds the headers to every answer.

/** May a script of this origin read the answer, or send the preflighted request? */
export type CorsPolicy = (origin: string) => boolean;

/** Discovery and token endpoints: browser-based clients call them directly, from anywhere. */
export const ANY_ORIGIN: CorsPolicy = () => true;
/** Pages, health and assets: not for other origins' scripts. */
export const NO_ORIGIN: CorsPolicy = () => false;

const ALLOW_HEADERS = "authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id";
// Fetch §3.2.5: a script reads only the safelisted response headers and these. Retry-After, so
// that a browser client can wait out a 429 (RFC 6585 §4) or a 503 as told (RFC 9110 §10.2.3).
const EXPOSE_HEADERS = "mcp-session-id, mcp-protocol-version, www-authenticate, retry-after";

/** The answer to a preflight this origin is granted. */
export function preflightResponse(origin: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-expose-headers": EXPOSE_HEADERS,
      vary: "Origin",
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": ALLOW_HEADERS,
      "access-control-max-age": "600",
    },
  });
}

/** Names `origin` as allowed to read `response` when the policy grants it (the response's own headers are changed). */
export function withCors(response: Response, origin: string | null, policy: CorsPolicy): Response {
  if (origin === null || !policy(origin)) return response;
  response.headers.set("access-control-allow-origin", origin);
  response.headers.set("access-control-expose-headers", EXPOSE_HEADERS);
  response.headers.set("vary", "Origin");
  return response;
}
