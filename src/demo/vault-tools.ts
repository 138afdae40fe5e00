// The vault's MCP tools (2025-11-25 server/tools): their definitions for tools/list and what
// tools/call does with each. A tool that cannot do what was asked answers with isError: true
// and a message the model can act on (§Error Handling: "Tool Execution Errors" are reported in
// the result); only an unknown tool or a malformed request is a JSON-RPC error.

import { NoteError } from "./note-error.ts";
import { MAX_NAME_LENGTH } from "./note-names.ts";
import { searchNotes } from "./note-search.ts";
import { MAX_NOTE_BYTES, type NoteStore } from "./note-store.ts";
import { INVALID_PARAMS, JsonRpcError } from "./stdio-jsonrpc.ts";

interface ToolResult {
  content: { type: "text"; text: string }[];
  isError?: true;
}

type Arguments = Record<string, unknown>;

const NAME = {
  type: "string",
  description: `Note name: a relative path such as "ideas/today.md" (at most ${MAX_NAME_LENGTH} characters).`,
};

export const VAULT_TOOLS = [
  {
    name: "list_notes",
    description: "List the names of the notes in the vault, optionally only those starting with a prefix.",
    inputSchema: {
      type: "object",
      properties: { prefix: { type: "string", description: 'Only names starting with this, e.g. "ideas/".' } },
      required: [],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: "read_note",
    description: "Read one note's Markdown content.",
    inputSchema: { type: "object", properties: { name: NAME }, required: ["name"] },
    annotations: { readOnlyHint: true },
  },
  {
    name: "write_note",
    description: `Create or replace a note (at most ${MAX_NOTE_BYTES} bytes). Missing folders are created.`,
    inputSchema: {
      type: "object",
      properties: { name: NAME, content: { type: "string", description: "The whole Markdown content." } },
      required: ["name", "content"],
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  },
  {
    name: "search_notes",
    description: "Find notes whose content contains a text, ignoring case; returns names and matching lines.",
    inputSchema: {
      type: "object",
      properties: { query: { type: "string", description: "The text to look for." } },
      required: ["query"],
    },
    annotations: { readOnlyHint: true },
  },
] as const;

function text(value: string): ToolResult {
  return { content: [{ type: "text", text: value }] };
}

function failure(message: string): ToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

function stringArgument(args: Arguments, key: string): string {
  const value = args[key];
  if (typeof value !== "string") throw new NoteError(`The argument "${key}" must be a string.`);
  return value;
}

async function listNotes(store: NoteStore, args: Arguments): Promise<string> {
  const prefix = args.prefix === undefined ? "" : stringArgument(args, "prefix");
  const { names, truncated } = await store.list(prefix);
  if (names.length === 0) return prefix === "" ? "The vault has no notes yet." : `No notes start with "${prefix}".`;
  return truncated ? `${names.join("\n")}\n(only the first ${names.length} notes are listed)` : names.join("\n");
}

async function writeNote(store: NoteStore, args: Arguments): Promise<string> {
  const name = stringArgument(args, "name");
  const { created, bytes } = await store.write(name, stringArgument(args, "content"));
  return `${created ? "Created" : "Replaced"} "${name}" (${bytes} bytes).`;
}

async function searchText(store: NoteStore, args: Arguments): Promise<string> {
  const query = stringArgument(args, "query");
  const { hits, truncated } = await searchNotes(store, query);
  if (hits.length === 0) {
    return truncated ? `No match for "${query}" in the notes searched before the limit.` : `No note contains "${query}".`;
  }
  const blocks = hits.map((hit) => [hit.name, ...hit.lines.map((l) => `  ${l.number}: ${l.snippet}`)].join("\n"));
  if (truncated) blocks.push(`(only the first ${hits.length} matching notes are shown; refine the query to see others)`);
  return blocks.join("\n");
}

const RUNNERS: ReadonlyMap<string, (store: NoteStore, args: Arguments) => Promise<string>> = new Map([
  ["list_notes", listNotes],
  ["read_note", (store: NoteStore, args: Arguments) => store.read(stringArgument(args, "name"))],
  ["write_note", writeNote],
  ["search_notes", searchText],
]);

/** tools/call. `log` receives the details of unexpected failures, which the client does not see. */
export async function callVaultTool(
  store: NoteStore,
  params: Record<string, unknown>,
  log: (message: string) => void,
): Promise<ToolResult> {
  const name = params.name;
  const args = params.arguments ?? {};
  if (typeof name !== "string") throw new JsonRpcError(INVALID_PARAMS, "Invalid params: name must be a string");
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new JsonRpcError(INVALID_PARAMS, "Invalid params: arguments must be an object");
  }
  const run = RUNNERS.get(name);
  // server/tools §Error Handling lists "Unknown tools" among the protocol errors.
  if (run === undefined) throw new JsonRpcError(INVALID_PARAMS, `Unknown tool: ${name}`);
  try {
    return text(await run(store, args as Arguments));
  } catch (error) {
    if (error instanceof NoteError) return failure(error.message);
    log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const code = (error as NodeJS.ErrnoException).code;
    return failure(`The vault could not complete ${name}${code ? ` (${code})` : ""}.`);
  }
}
