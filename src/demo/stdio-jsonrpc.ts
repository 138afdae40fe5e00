// A minimal JSON-RPC 2.0 server over the MCP stdio transport: one message per line in, one
// response per line out. It knows nothing about notes; the vault registers its methods here.
// MCP 2025-11-25 basic/transports §stdio: "The server MUST NOT write anything to its stdout that
// is not a valid MCP message", so every diagnostic goes through `log` (stderr).

import type { Writable } from "node:stream";
import { isObject } from "../common/json-object.ts";
import { readFrames } from "./line-frames.ts";

// JSON-RPC 2.0 §5.1 reserved error codes.
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

/** An error whose message is meant for the client. Anything else becomes a bare "Internal error". */
export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

type Id = string | number;
export type RequestHandler = (params: Record<string, unknown>) => unknown;

interface JsonRpcServerOptions {
  /** A Map, not an object: a method named "constructor" must not find Object.prototype. */
  methods: ReadonlyMap<string, RequestHandler>;
  maxMessageBytes: number;
  log: (message: string) => void;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function isId(value: unknown): value is Id {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function errorReply(id: Id | null, code: number, message: string, data?: unknown): object {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: "2.0", id, error };
}

/** Handles one decoded message; undefined means "send nothing" (notifications, responses). */
async function dispatch(message: unknown, options: JsonRpcServerOptions): Promise<object | undefined> {
  // Batches were removed from MCP in 2025-06-18; an array is not a valid message.
  if (!isObject(message)) return errorReply(null, INVALID_REQUEST, "Invalid Request: expected a JSON-RPC object");
  // JSON-RPC §5: the id of an invalid request is echoed when it can be read, null otherwise.
  const readableId = isId(message.id) ? message.id : null;
  if (message.jsonrpc !== "2.0") return errorReply(readableId, INVALID_REQUEST, 'Invalid Request: jsonrpc must be "2.0"');
  if (typeof message.method !== "string") {
    // A response to a request we never send, or garbage; JSON-RPC §5: never answer a response.
    if ("result" in message || "error" in message) return undefined;
    return errorReply(readableId, INVALID_REQUEST, "Invalid Request: missing method");
  }
  // JSON-RPC §4.1: a notification gets no response, even when its method is unknown.
  if (!("id" in message)) return undefined;
  // MCP basic §Requests: "the ID MUST be a string or integer" and "MUST NOT be null".
  if (!isId(message.id)) return errorReply(null, INVALID_REQUEST, "Invalid Request: id must be a string or number");
  const id = message.id;
  const params = message.params ?? {};
  if (!isObject(params)) return errorReply(id, INVALID_PARAMS, "Invalid params: expected an object");
  const handler = options.methods.get(message.method);
  if (handler === undefined) return errorReply(id, METHOD_NOT_FOUND, `Method not found: ${message.method}`);
  try {
    return { jsonrpc: "2.0", id, result: await handler(params) };
  } catch (error) {
    if (error instanceof JsonRpcError) return errorReply(id, error.code, error.message, error.data);
    options.log(`${message.method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorReply(id, INTERNAL_ERROR, "Internal error");
  }
}

function decode(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return PARSE_FAILED;
  }
}
const PARSE_FAILED = Symbol("parse failed");

/** One whole line per write, so a response is never interleaved with anything else. */
function writeLine(output: Writable, message: object): Promise<void> {
  const line = `${JSON.stringify(message)}\n`;
  return new Promise((resolve, reject) => output.write(line, (error) => (error ? reject(error) : resolve())));
}

/**
 * Serves requests until the input ends. Messages are handled one at a time, in order, so a
 * client that writes a note and then reads it without waiting sees its own write.
 */
export async function serveJsonRpc(
  input: AsyncIterable<Uint8Array | string>,
  output: Writable,
  options: JsonRpcServerOptions,
): Promise<void> {
  // A closed stdout (EPIPE) must not crash the process with an unhandled 'error' event; the
  // failed write rejects and ends the loop below.
  output.on("error", (error) => options.log(`stdout failed: ${error.message}`));
  try {
    for await (const frame of readFrames(input, options.maxMessageBytes)) {
      let reply: object | undefined;
      if ("oversized" in frame) {
        reply = errorReply(null, INVALID_REQUEST, `Message too large: ${frame.oversized} bytes`);
      } else {
        const message = decode(frame.bytes);
        // JSON-RPC §5.1: a parse error is answered with id null, since the id cannot be known.
        reply = message === PARSE_FAILED ? errorReply(null, PARSE_ERROR, "Parse error") : await dispatch(message, options);
      }
      if (reply !== undefined) await writeLine(output, reply);
    }
  } catch (error) {
    options.log(`stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
}
