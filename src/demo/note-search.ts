// search_notes: a case-insensitive substring search over note contents. Results are capped on
// every axis (notes, lines per note, characters per line) so one common word cannot produce an
// answer too large for the client's context.

import { NoteError } from "./note-error.ts";
import type { NoteStore } from "./note-store.ts";

const MAX_QUERY_LENGTH = 200;
const MAX_MATCHING_NOTES = 20;
const MAX_LINES_PER_NOTE = 5;
const SNIPPET_CHARACTERS = 160;
/** One search reads at most this much, so a vault of many large notes cannot stall the server. */
const MAX_SCANNED_CHARACTERS = 64 * 1024 * 1024;

interface SearchHit {
  name: string;
  lines: { number: number; snippet: string }[];
}

interface SearchResult {
  hits: SearchHit[];
  /** True when more notes may match than are returned (too many hits, or the scan budget ran out). */
  truncated: boolean;
}

function checkQuery(query: unknown): string {
  if (typeof query !== "string" || query.length === 0) throw new NoteError("The query must be a non-empty string.");
  if (query.length > MAX_QUERY_LENGTH) {
    throw new NoteError(`The query may be at most ${MAX_QUERY_LENGTH} characters (got ${query.length}).`);
  }
  return query;
}

/** The part of a long line around the match, marked with ellipses where it was cut. */
function snippet(line: string, matchAt: number): string {
  if (line.length <= SNIPPET_CHARACTERS) return line;
  const start = Math.max(0, Math.min(matchAt - SNIPPET_CHARACTERS / 4, line.length - SNIPPET_CHARACTERS));
  const end = start + SNIPPET_CHARACTERS;
  return `${start > 0 ? "…" : ""}${line.slice(start, end)}${end < line.length ? "…" : ""}`;
}

function matchingLines(content: string, needle: string): SearchHit["lines"] {
  const found: SearchHit["lines"] = [];
  const lines = content.split("\n");
  for (let index = 0; index < lines.length && found.length < MAX_LINES_PER_NOTE; index++) {
    const line = (lines[index] as string).replace(/\r$/, "");
    const at = line.toLowerCase().indexOf(needle);
    if (at !== -1) found.push({ number: index + 1, snippet: snippet(line, at) });
  }
  return found;
}

export async function searchNotes(store: NoteStore, query: string): Promise<SearchResult> {
  const needle = checkQuery(query).toLowerCase();
  const hits: SearchHit[] = [];
  let scanned = 0;
  for (const name of (await store.list()).names) {
    if (scanned > MAX_SCANNED_CHARACTERS) return { hits, truncated: true };
    let content: string;
    try {
      content = await store.read(name);
    } catch {
      continue; // Oversized or vanished since listing: not a match, not a failure of the search.
    }
    scanned += content.length;
    if (!content.toLowerCase().includes(needle)) continue;
    if (hits.length === MAX_MATCHING_NOTES) return { hits, truncated: true };
    hits.push({ name, lines: matchingLines(content, needle) });
  }
  return { hits, truncated: false };
}
