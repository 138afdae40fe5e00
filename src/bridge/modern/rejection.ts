// How a 2026-07-28 request is refused before anything reaches a child, and how a refusal quotes
// what the client sent: bounded and escaped, so an error never echoes a huge or invisible value.
import { ErrorCode } from "../jsonrpc.ts";

/** A refusal before anything reaches a child: HTTP status + JSON-RPC error (code, message, optional data). */
export interface Rejection {
  status: number;
  code: number;
  message: string;
  data?: unknown;
}

/** Past this many characters a client-supplied value is cut in messages. */
const SHOWN_LENGTH = 80;

/**
 * Characters JSON.stringify leaves as they are but a reader cannot see or that reorder text:
 * DEL and C1 controls, zero-width marks, line/paragraph separators, bidi controls, the BOM.
 */
const INVISIBLE = /[\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** `value` cut to SHOWN_LENGTH characters (whole code points), for data fields that echo it. */
export function bounded(value: string): string {
  const points = Array.from(value.slice(0, SHOWN_LENGTH * 2 + 1));
  return points.length > SHOWN_LENGTH ? `${points.slice(0, SHOWN_LENGTH).join("")}…` : value;
}

/** A client-supplied value quoted for a message: bounded, and every control or invisible character escaped. */
export function shown(value: string): string {
  return JSON.stringify(bounded(value)).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** streamable-http §Server Validation: any header failure is 400 with -32020 (HeaderMismatch). */
export function headerMismatch(reason: string): Rejection {
  return { status: 400, code: ErrorCode.HeaderMismatch, message: `Header mismatch: ${reason}` };
}
