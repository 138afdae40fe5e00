// The demo "vault": a small stdio MCP server keeping Markdown notes in one folder, written
// without the MCP SDK so that the appliance ships a server it can start with nothing installed.
// The appliance runs it as a hidden subcommand; it reads stdin, writes stdout, logs to stderr.

import type { Writable } from "node:stream";
import { NoteStore } from "./note-store.ts";
import { type RequestHandler, serveJsonRpc } from "./stdio-jsonrpc.ts";
import { listNoteResources, NOTE_TEMPLATE, readNoteResource } from "./vault-resources.ts";
import { callVaultTool, VAULT_TOOLS } from "./vault-tools.ts";

// basic/lifecycle §Version Negotiation: "If the server supports the requested protocol version,
// it MUST respond with the same version. Otherwise, the server MUST respond with another protocol
// version it supports. This SHOULD be the latest version supported by the server."
const SUPPORTED_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
const LATEST_VERSION = "2025-11-25";
const SERVER_INFO = { name: "vault", title: "Notes vault", version: "0.1.0" };
const INSTRUCTIONS =
  'Markdown notes kept in one folder. Names are relative paths such as "ideas/today.md". ' +
  "Use list_notes or search_notes to find notes, read_note to read one and write_note to create or replace one. " +
  "Every note is also a resource at note:///<name>.";

/** A note with its JSON escaping (up to 6 bytes per character) still fits in one message. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

function initialize(params: Record<string, unknown>): object {
  const requested = params.protocolVersion;
  const protocolVersion = typeof requested === "string" && SUPPORTED_VERSIONS.includes(requested) ? requested : LATEST_VERSION;
  return {
    protocolVersion,
    capabilities: { tools: {}, resources: {} },
    serverInfo: SERVER_INFO,
    instructions: INSTRUCTIONS,
  };
}

function vaultMethods(store: NoteStore, log: (message: string) => void): Map<string, RequestHandler> {
  return new Map<string, RequestHandler>([
    ["initialize", initialize],
    ["ping", () => ({})],
    ["tools/list", () => ({ tools: VAULT_TOOLS })],
    ["tools/call", (params) => callVaultTool(store, params, log)],
    ["resources/list", (params) => listNoteResources(store, params)],
    ["resources/templates/list", () => ({ resourceTemplates: [NOTE_TEMPLATE] })],
    ["resources/read", (params) => readNoteResource(store, params)],
  ]);
}

/** Serves the vault in `dir` over the given streams until `input` ends. */
async function serveVault(
  dir: string,
  input: AsyncIterable<Uint8Array | string>,
  output: Writable,
  log: (message: string) => void,
): Promise<void> {
  const store = await NoteStore.open(dir);
  log(`serving notes from ${store.root}`);
  await serveJsonRpc(input, output, { methods: vaultMethods(store, log), maxMessageBytes: MAX_MESSAGE_BYTES, log });
}

/** Serves the vault in `dir` on this process's stdin and stdout; resolves when stdin ends. */
export function runVaultServer(dir: string): Promise<void> {
  const log = (message: string) => void process.stderr.write(`vault: ${message}\n`);
  return serveVault(dir, process.stdin, process.stdout, log);
}
