// CORS for browser-based MCP clients (MCP Inspector): preflights are answered before anything
// else, and responses name the MCP headers a script may read.

const ALLOW_HEADERS = "authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id";
const EXPOSE_HEADERS = "mcp-session-id, www-authenticate, mcp-protocol-version";

export function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": EXPOSE_HEADERS,
    vary: "Origin",
  };
}

export function preflightResponse(origin: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(origin),
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": ALLOW_HEADERS,
      "access-control-max-age": "600",
    },
  });
}

export function withCors(response: Response, origin: string | null): Response {
  if (origin === null) return response;
  for (const [name, value] of Object.entries(corsHeaders(origin))) response.headers.set(name, value);
  return response;
}
