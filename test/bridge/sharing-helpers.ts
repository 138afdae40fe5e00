// For the tests of sharing modes: SDK clients of the appliance with a bearer token, the text of
// a tool result, and the live processes started with a marker argument.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { StdioServerConfig } from "../../src/config/types.ts";
import { FIXTURES, stdioServer } from "../helpers/appliance.ts";

/** A sharing-server.mjs child of this test run, told apart by its marker argument. */
export function sharingServer(name: string, sharing: StdioServerConfig["sharing"], overrides: Partial<StdioServerConfig> = {}) {
  const marker = `--marker=${name}-${process.pid}`;
  return {
    marker,
    config: stdioServer(name, "sharing-server.mjs", { args: [join(FIXTURES, "sharing-server.mjs"), marker], sharing, ...overrides }),
  };
}

export interface Connected {
  client: Client;
  errors: Error[];
  close(): Promise<void>;
}

/** An SDK client (Streamable HTTP, or legacy SSE) with `token` (if any), its transport errors collected. */
export async function connectClient(
  url: URL,
  token: string,
  capabilities: Record<string, unknown> = {},
  transportKind: "streamable" | "sse" = "streamable",
): Promise<Connected> {
  const client = new Client({ name: "sharing-test", version: "1.0.0" }, { capabilities });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  // Without a token (auth = "none"), no authorization header at all.
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const requestInit = { headers };
  if (transportKind === "sse") {
    // The SDK sends requestInit's headers with the GET of the event stream too.
    const transport = new SSEClientTransport(url, { requestInit });
    await client.connect(transport);
    return { client, errors, close: () => client.close() };
  }
  const transport = new StreamableHTTPClientTransport(url, { requestInit });
  await client.connect(transport);
  return {
    client,
    errors,
    close: async () => {
      await transport.terminateSession();
      await client.close();
    },
  };
}

export function textOf(result: unknown): string {
  return (result as { content: { text: string }[] }).content.map((c) => c.text).join("");
}

export async function callText(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  return textOf(await client.callTool({ name, arguments: args }));
}

/** Live (not zombie) processes whose command line holds `marker`. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat[stat.lastIndexOf(")") + 2] !== "Z") pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
