// JSON-RPC 2.0 message inspection for routing. The bridge reads only what it needs to route a
// message (kind, id, method, a few params) and forwards the original text untouched, so tool
// schemas and results reach the other side byte for byte as they were written.

import { isObject } from "../common/json-object.ts";
import type { Result } from "../common/result.ts";

export type JsonRpcId = string | number;

export type PeekedMessage =
  | { kind: "request"; id: JsonRpcId; method: string; params: Record<string, unknown> | undefined }
  | { kind: "notification"; method: string; params: Record<string, unknown> | undefined }
  | { kind: "response"; id: JsonRpcId | null; isError: boolean; result: unknown };

type PeekResult = Result<PeekedMessage>;

function isId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** Classify one already-parsed JSON-RPC message (JSON-RPC 2.0 §4, §5). */
export function classify(value: unknown): PeekResult {
  if (!isObject(value)) return { ok: false, error: "a JSON-RPC message must be an object" };
  if (value.jsonrpc !== "2.0") return { ok: false, error: 'jsonrpc must be "2.0"' };
  const params = isObject(value.params) ? value.params : undefined;
  if (value.params !== undefined && params === undefined && !Array.isArray(value.params)) {
    return { ok: false, error: "params must be an object or an array" };
  }
  if (typeof value.method === "string") {
    if (!("id" in value)) return { ok: true, value: { kind: "notification", method: value.method, params } };
    // MCP (basic §JSON-RPC requests): the ID MUST be a string or integer, and MUST NOT be null.
    if (!isId(value.id)) return { ok: false, error: "a request id must be a string or a number" };
    return { ok: true, value: { kind: "request", id: value.id, method: value.method, params } };
  }
  if ("result" in value || "error" in value) {
    const id = value.id === null ? null : isId(value.id) ? value.id : undefined;
    if (id === undefined) return { ok: false, error: "a response id must be a string, a number or null" };
    return { ok: true, value: { kind: "response", id, isError: "error" in value, result: value.result } };
  }
  return { ok: false, error: "not a request, notification or response" };
}

/** Parse and classify a line of text. */
export function peek(text: string): PeekResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: "not valid JSON" };
  }
  return classify(value);
}

/** Map key for an id: 1 and "1" are different ids (JSON-RPC 2.0 §4). */
export function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

/** The id an idKey was made of. */
export function idOfKey(key: string): JsonRpcId {
  return key.startsWith("n:") ? Number(key.slice(2)) : key.slice(2);
}

/** JSON-RPC error codes the bridge produces (JSON-RPC 2.0 §5.1, MCP). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Implementation-defined server errors (-32000..-32099). */
  ServerUnavailable: -32000,
  RequestTimeout: -32001,
  MessageTooLarge: -32002,
  /** Over one of the [limits] (HTTP 429): retry later. */
  TooManyRequests: -32003,
  /** An answer that was sent on a stream, evicted from the replay buffer before the client resumed. */
  AnswerLost: -32004,
  /** MCP 2026-07-28 (schema HEADER_MISMATCH): HTTP headers disagree with the body, or are missing or malformed. */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28 (schema MISSING_REQUIRED_CLIENT_CAPABILITY): the request needs a capability its _meta did not declare. */
  MissingRequiredClientCapability: -32021,
  /** MCP 2026-07-28 (schema UNSUPPORTED_PROTOCOL_VERSION): the request's protocol version is not served here. */
  UnsupportedProtocolVersion: -32022,
} as const;

export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } });
}

/** MCP cancellation §Cancellation Flow: tells the server to stop working on `requestId`. */
export function cancelledNotification(requestId: JsonRpcId, reason: string): string {
  return JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason } });
}

/** The error a client gets in place of an answer that did not come within request_timeout. */
export function requestTimeoutResponse(id: JsonRpcId, timeoutMs: number): string {
  return errorResponse(id, ErrorCode.RequestTimeout, `the MCP server did not answer within request_timeout (${timeoutMs} ms)`);
}

/**
 * Find a response's id in an oversized line without parsing it: SDK-based servers write the id
 * last (`{"result":…,"jsonrpc":"2.0","id":7}`), hand-written ones often first.
 */
export function sniffId(head: string, tail: string): JsonRpcId | undefined {
  const pattern = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")/;
  const atEnd = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/.exec(tail);
  const found = atEnd ?? pattern.exec(head);
  if (!found?.[1]) return undefined;
  try {
    const id: unknown = JSON.parse(found[1]);
    return isId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The map key of a request's progress token (MCP progress §Progress Flow), if it has one. */
export function progressTokenKey(params: Record<string, unknown> | undefined): string | undefined {
  const meta = params?._meta as { progressToken?: unknown } | undefined;
  const token = meta?.progressToken;
  if (typeof token === "string") return `s:${token}`;
  if (typeof token === "number") return `n:${token}`;
  return undefined;
}
