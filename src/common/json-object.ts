// Reading JSON objects without trusting their shape: one test of "a plain object" for every layer
// (a JSON-RPC message, a child's result, a request's params), and a parse that says no instead of throwing.

/** The object `text` holds, if it is valid JSON and an object. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
