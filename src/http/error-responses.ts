// The one shape of the errors the HTTP layer answers itself (the front door's refusals, the bearer
// guard's, unknown routes, unexpected failures): on an MCP path a JSON-RPC error response with no
// id, as MCP transports allow; everywhere else RFC 6749 §5.2 JSON with a registered code.
import { jsonRpcErrorResponse } from "../bridge/http-responses.ts";
import type { OAuthErrorBody } from "../oauth/errors.ts";
import type { PathKind } from "./path-kinds.ts";

/**
 * A refusal before the MCP message is read (Host, header size, Origin, bearer token, no route):
 * -32000, from JSON-RPC 2.0 §5.1's range for implementation-defined server errors, the code the
 * MCP TypeScript SDK answers its own transport-level refusals with (Origin and Host validation in
 * server/webStandardStreamableHttp.ts validateRequestHeaders and server/middleware/hostHeaderValidation.ts).
 */
const REFUSED = -32000;
/** JSON-RPC 2.0 §5.1: Internal error. */
const INTERNAL_ERROR = -32603;

/**
 * `description` is public: it reaches the client (as the JSON-RPC message or error_description).
 * Below 500 the RFC 6749 code is invalid_request ("otherwise malformed", §5.2), as
 * node-oidc-provider answers an unknown route; from 500 on it is server_error.
 */
export function errorResponse(kind: PathKind, status: number, description: string, headers: Record<string, string> = {}): Response {
  if (kind === "mcp") return jsonRpcErrorResponse(status, status >= 500 ? INTERNAL_ERROR : REFUSED, description, { headers });
  const body: OAuthErrorBody = { error: status >= 500 ? "server_error" : "invalid_request", error_description: description };
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
