// MCP 2026-07-28 streamable-http §Standard Request Headers and §Server Validation: the headers
// that mirror a modern request's body (MCP-Protocol-Version, Mcp-Method, Mcp-Name) must be there
// and agree with it, so that a proxy routing on them and the server reading the body act alike.
import type { PeekedMessage } from "../jsonrpc.ts";
import { decodeHeaderValue, fieldValue, isPlainValue } from "./header-value.ts";
import { headerMismatch, type Rejection, shown } from "./rejection.ts";

/** A request or notification, the messages a client may POST. */
export type ClientMessage = Extract<PeekedMessage, { kind: "request" | "notification" }>;

/** §Standard Request Headers: the methods whose Mcp-Name mirrors a body field, and which field. */
const NAME_SOURCES: Record<string, "name" | "uri"> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/**
 * §Server Validation for a message classifyPost found modern, whose MCP-Protocol-Version (when
 * sent) it already matched with the envelope. Presence is required of requests only, as in the
 * reference SDK: the revision defines no header rules for notification POSTs, but a header a
 * notification does send must still agree with its body.
 */
export function checkStandardHeaders(headers: Headers, message: ClientMessage, protocolVersion: string): Rejection | undefined {
  const isRequest = message.kind === "request";
  if (isRequest && fieldValue(headers, "mcp-protocol-version") === undefined) {
    return headerMismatch(`the MCP-Protocol-Version header is missing (the body's _meta names ${shown(protocolVersion)})`);
  }
  const method = fieldValue(headers, "mcp-method");
  if (method === undefined) {
    return isRequest ? headerMismatch(`the Mcp-Method header is missing (the body's method is ${shown(message.method)})`) : undefined;
  }
  if (!isPlainValue(method)) return headerMismatch(`the Mcp-Method header ${shown(method)} holds characters a header value may not`);
  // Header values are case-sensitive (§Case Sensitivity): TOOLS/LIST is not tools/list.
  if (method !== message.method) {
    return headerMismatch(`the Mcp-Method header ${shown(method)} does not match the body's method ${shown(message.method)}`);
  }
  return isRequest ? checkName(headers, message.method, message.params) : undefined;
}

function checkName(headers: Headers, method: string, params: Record<string, unknown> | undefined): Rejection | undefined {
  const field = Object.hasOwn(NAME_SOURCES, method) ? NAME_SOURCES[method] : undefined;
  if (field === undefined) return undefined;
  // A name that is not a string cannot be mirrored; the server refuses those params itself.
  const body = params !== undefined && Object.hasOwn(params, field) && typeof params[field] === "string" ? params[field] : undefined;
  const header = fieldValue(headers, "mcp-name");
  if (header === undefined) {
    return body === undefined ? undefined : headerMismatch(`the Mcp-Name header is missing (the body's params.${field} is ${shown(body)})`);
  }
  const decoded = decodeHeaderValue(header);
  if (!decoded.ok) return headerMismatch(`the Mcp-Name header ${shown(header)} ${decoded.error}`);
  if (body !== undefined && decoded.value !== body) {
    return headerMismatch(`the Mcp-Name header names ${shown(decoded.value)} but the body's params.${field} is ${shown(body)}`);
  }
  return undefined;
}
