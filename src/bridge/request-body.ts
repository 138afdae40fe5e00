// Parsing a POSTed JSON-RPC body (read by common/request-body.ts): JSON, and one message per line.
import type { Result } from "../common/result.ts";
import { classify, ErrorCode, type PeekedMessage } from "./jsonrpc.ts";

interface PostedMessages {
  batch: boolean;
  messages: { text: string; message: PeekedMessage }[];
}

/** Why a body is refused with 400: the JSON-RPC error to answer with. */
interface BodyRefusal {
  code: number;
  message: string;
}

type ParsedBody = Result<PostedMessages, BodyRefusal>;

function refuse(code: number, message: string): ParsedBody {
  return { ok: false, error: { code, message } };
}

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
    return refuse(ErrorCode.ParseError, "Parse error: the body is not valid JSON");
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return refuse(ErrorCode.InvalidRequest, "an empty batch is not a valid request");
    const messages = [];
    for (const item of value) {
      const peeked = classify(item);
      if (!peeked.ok) return refuse(ErrorCode.InvalidRequest, `Invalid request: ${peeked.error}`);
      // A batch is re-serialised element by element: stdio carries single messages only.
      const text = stringifyBounded(item);
      if (text === undefined) return refuse(ErrorCode.InvalidRequest, "Invalid request: the message is nested too deeply");
      messages.push({ text, message: peeked.value });
    }
    return { ok: true, value: { batch: true, messages } };
  }
  const peeked = classify(value);
  if (!peeked.ok) return refuse(ErrorCode.InvalidRequest, `Invalid request: ${peeked.error}`);
  return { ok: true, value: { batch: false, messages: [{ text: oneLine(text), message: peeked.value }] } };
}

/** JSON.stringify, except that a value nested deeper than the stack allows is refused, not thrown. */
function stringifyBounded(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
