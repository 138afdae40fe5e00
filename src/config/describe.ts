// How a wrong value is described in an error: its TOML type ("got a string"), or, for a string
// in the wrong format, the string itself ("got \"3001\""). Only used for keys that never hold
// secrets: secret values are checked for their type alone.

function describeType(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a float";
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") {
    // Bun.TOML.parse returns dates and times as Temporal objects.
    const tag = Object.prototype.toString.call(value);
    if (tag.startsWith("[object Temporal.")) return tag.includes("Time") || tag.includes("Instant") ? "a date-time" : "a date";
    return "a table";
  }
  return typeof value;
}

/** A value quoted for an error line; a long one is cut, so a huge input makes no huge message. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}…` : text);
}

/** A valibot message: "expected <what>, got <type of the input>". */
export function expected(what: string): (issue: { input: unknown }) => string {
  return (issue) => `expected ${what}, got ${describeType(issue.input)}`;
}

/** A valibot message for a string in the wrong format: "expected <what>, got \"<input>\"". */
export function expectedFormat(what: string): (issue: { input: unknown }) => string {
  return (issue) => `expected ${what}, got ${typeof issue.input === "string" ? quote(issue.input) : describeType(issue.input)}`;
}
