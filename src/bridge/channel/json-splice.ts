// Byte-preserving edits of one member of a JSON-RPC message: a shared child's messages get
// their ids and progress tokens rewritten, and a 2025 child's answers the members the
// 2026-07-28 revision requires, without re-serialising the rest, so tool schemas and results
// still reach each side exactly as they were written (see jsonrpc.ts). The text has already
// been parsed once (jsonrpc.peek), so it is known to be valid JSON.

/** Where the value at `path` (object keys from the top) starts and ends, if it is there. */
export function findMember(text: string, path: readonly string[]): { start: number; end: number } | undefined {
  let at = skipSpace(text, 0);
  for (let depth = 0; depth < path.length; depth++) {
    if (text[at] !== "{") return undefined;
    at = skipSpace(text, at + 1);
    let found = false;
    while (text[at] === '"') {
      const keyEnd = stringEnd(text, at);
      const raw = text.slice(at + 1, keyEnd - 1);
      const key = raw.includes("\\") ? (JSON.parse(text.slice(at, keyEnd)) as string) : raw;
      at = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
      if (key === path[depth]) {
        found = true;
        break;
      }
      at = skipSpace(text, valueEnd(text, at));
      if (text[at] === ",") at = skipSpace(text, at + 1);
    }
    if (!found) return undefined;
  }
  return { start: at, end: valueEnd(text, at) };
}

/** `text` with the value at `path` replaced by `json`; unchanged when the member is absent. */
export function replaceMember(text: string, path: readonly string[], json: string): string {
  const span = findMember(text, path);
  if (!span) return text;
  return text.slice(0, span.start) + json + text.slice(span.end);
}

/**
 * `text` with `"key":json` members put at the start of the object at `path` (`[]`: the top
 * level), each only if that object has no member of that name; unchanged when there is no
 * object at `path`. The members already there keep their bytes and their order.
 */
export function insertMembers(text: string, path: readonly string[], members: readonly (readonly [key: string, json: string])[]): string {
  const span = findMember(text, path);
  if (!span || text[span.start] !== "{") return text;
  const seen = new Set<string>();
  const absent = members.filter(([key]) => !seen.has(key) && seen.add(key) && !findMember(text, [...path, key]));
  if (absent.length === 0) return text;
  const open = span.start + 1;
  const empty = text[skipSpace(text, open)] === "}";
  const inserted = absent.map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(",");
  return text.slice(0, open) + inserted + (empty ? "" : ",") + text.slice(open);
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && (text[at] === " " || text[at] === "\t" || text[at] === "\n" || text[at] === "\r")) at++;
  return at;
}

/** The index just past the string that opens at `at`. */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** The index just past the value that starts at `at`. */
function valueEnd(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return stringEnd(text, at);
  if (first === "{" || first === "[") {
    let depth = 0;
    let i = at;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i = stringEnd(text, i);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  let i = at;
  while (i < text.length && !",}] \t\r\n".includes(text[i]!)) i++;
  return i;
}
