// The JSON objects the 2026-07-28 shaping reads: a child's line is parsed only to look, never
// re-serialised (the edits are splices, channel/json-splice.ts).

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
