// Parsing a POSTed JSON-RPC body (read by common/request-body.ts): JSON, and one message per line.
import { classify, ErrorCode, type PeekedMessage } from "./jsonrpc.ts";

export type ParsedBody =
  | { ok: true; batch: boolean; messages: { text: string; message: PeekedMessage }[] }
  | { ok: false; status: number; code: number; message: string };

/**
 * Raw newlines can only be insignificant white space in valid JSON (a string cannot hold one),
 * so replacing them keeps the message's meaning and bytes while making it one stdio line.
 */
function oneLine(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/[\r\n]+/g, " ") : text;
}

export function parseBody(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, code: ErrorCode.ParseError, message: "Parse error: the body is not valid JSON" };
  }
  if (Array.isArray(value)) {
    if (value.length === 0)
      return { ok: false, status: 400, code: ErrorCode.InvalidRequest, message: "an empty batch is not a valid request" };
    const messages = [];
    for (const item of value) {
      const peeked = classify(item);
      if (!peeked.ok) return { ok: false, status: 400, code: ErrorCode.InvalidRequest, message: `Invalid request: ${peeked.reason}` };
      // A batch is re-serialised element by element: stdio carries single messages only.
      const text = stringifyBounded(item);
      if (text === undefined)
        return { ok: false, status: 400, code: ErrorCode.InvalidRequest, message: "Invalid request: the message is nested too deeply" };
      messages.push({ text, message: peeked.message });
    }
    return { ok: true, batch: true, messages };
  }
  const peeked = classify(value);
  if (!peeked.ok) return { ok: false, status: 400, code: ErrorCode.InvalidRequest, message: `Invalid request: ${peeked.reason}` };
  return { ok: true, batch: false, messages: [{ text: oneLine(text), message: peeked.message }] };
}

/** JSON.stringify, except that a value nested deeper than the stack allows is refused, not thrown. */
function stringifyBounded(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
