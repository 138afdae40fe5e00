// Notes as MCP resources (2025-11-25 server/resources), addressed as note:///<name> with each
// path segment percent-encoded, so "ideas/my day.md" is note:///ideas/my%20day.md.

import { NoteError } from "./note-error.ts";
import { checkNoteName } from "./note-names.ts";
import type { NoteStore } from "./note-store.ts";
import { INVALID_PARAMS, JsonRpcError } from "./stdio-jsonrpc.ts";

const SCHEME = "note:///";
const MIME_TYPE = "text/markdown";
const PAGE_SIZE = 200;
// server/resources §Error Handling: "Resource not found: -32002".
const RESOURCE_NOT_FOUND = -32002;

export const NOTE_TEMPLATE = {
  uriTemplate: "note:///{+name}",
  name: "note",
  description: "A note of the vault by name, e.g. note:///ideas/today.md",
  mimeType: MIME_TYPE,
};

function noteUri(name: string): string {
  return SCHEME + name.split("/").map(encodeURIComponent).join("/");
}

function noteNameOf(uri: string): string {
  if (!uri.startsWith(SCHEME)) throw new NoteError(`Not a note URI (expected ${SCHEME}<name>): ${uri}`);
  try {
    return checkNoteName(uri.slice(SCHEME.length).split("/").map(decodeURIComponent).join("/"));
  } catch (error) {
    if (error instanceof URIError) throw new NoteError(`Malformed percent-encoding in ${uri}`);
    throw error;
  }
}

/** resources/list, paginated (basic/utilities/pagination) with an opaque cursor. */
export async function listNoteResources(store: NoteStore, params: Record<string, unknown>): Promise<object> {
  const cursor = params.cursor;
  const offset = cursor === undefined ? 0 : Number(cursor);
  if (typeof cursor !== "undefined" && (typeof cursor !== "string" || !Number.isSafeInteger(offset) || offset < 0)) {
    throw new JsonRpcError(INVALID_PARAMS, "Invalid params: unknown cursor");
  }
  const { names } = await store.list();
  const page = names.slice(offset, offset + PAGE_SIZE);
  const resources = page.map((name) => ({ uri: noteUri(name), name, mimeType: MIME_TYPE }));
  const next = offset + PAGE_SIZE;
  return next < names.length ? { resources, nextCursor: String(next) } : { resources };
}

/** resources/read. */
export async function readNoteResource(store: NoteStore, params: Record<string, unknown>): Promise<object> {
  const uri = params.uri;
  if (typeof uri !== "string") throw new JsonRpcError(INVALID_PARAMS, "Invalid params: uri must be a string");
  try {
    const text = await store.read(noteNameOf(uri));
    return { contents: [{ uri, mimeType: MIME_TYPE, text }] };
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    if (error.notFound) throw new JsonRpcError(RESOURCE_NOT_FOUND, "Resource not found", { uri });
    throw new JsonRpcError(INVALID_PARAMS, error.message, { uri });
  }
}
