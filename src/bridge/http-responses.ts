// Response shapes shared by the bridge's HTTP transports. Web-standard Response objects, no
// web framework: the transports can be served by anything that speaks Request/Response.
import { ErrorCode, errorResponse, type JsonRpcId } from "./jsonrpc.ts";

const JSON_HEADERS = { "content-type": "application/json" };

/** An HTTP error whose body is a JSON-RPC error response (MCP transports allow one with no id). */
export function jsonRpcErrorResponse(
  status: number,
  code: number,
  message: string,
  options: { id?: JsonRpcId | null; headers?: Record<string, string>; data?: unknown } = {},
): Response {
  return new Response(errorResponse(options.id ?? null, code, message, options.data), {
    status,
    headers: { ...JSON_HEADERS, ...options.headers },
  });
}

/**
 * RFC 6585 §4: 429 Too Many Requests, with Retry-After (RFC 9110 §10.2.3) in seconds; the
 * JSON-RPC error names the [limits] key, so that an operator reading it knows what to raise.
 */
export function tooManyRequestsResponse(message: string, retryAfterS: number, id: JsonRpcId | null = null): Response {
  return jsonRpcErrorResponse(429, ErrorCode.TooManyRequests, message, { id, headers: { "retry-after": String(retryAfterS) } });
}

export function jsonResponse(body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status: 200, headers: { ...JSON_HEADERS, ...headers } });
}

export function acceptedResponse(): Response {
  return new Response(null, { status: 202 });
}
