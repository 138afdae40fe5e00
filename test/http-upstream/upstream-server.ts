// An HTTP MCP server in the test process, built the way a real one is: the MCP SDK's own
// McpServer and StreamableHTTPServerTransport (stateful, one transport per session) on node:http,
// 127.0.0.1, port 0. It records every request it receives (method, URL, headers, body) so that
// tests can check what crossed the proxy. A few paths behave differently on purpose:
//   /slow/mcp   waits `slowMs` before answering anything (response headers included)
//   /raw/mcp    answers with canned headers (hop-by-hop, cookies, a challenge) and a fixed body
//   /status/N   answers with status N
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CreateMessageResultSchema, isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  rawHeaders: string[];
  body: string;
  /** When the response's connection closed (finished, or cut by the other side). */
  closedAt?: number;
}

/** A deterministic text of `bytes` characters, and its SHA-256, for large results. */
export function largeText(bytes: number): string {
  const unit = "0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ_\n";
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}
export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export class UpstreamMcpServer {
  readonly requests: RecordedRequest[] = [];
  /** Progress runs: when each started and finished (ms since epoch). */
  readonly progressRuns: { startedAt: number; finishedAt?: number }[] = [];
  slowMs = 3000;
  private readonly transports = new Map<string, StreamableHTTPServerTransport>();
  private readonly http: Server;
  port = 0;

  private constructor() {
    this.http = createServer((req, res) => {
      this.serve(req, res).catch((error) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: String(error) } }));
        }
      });
    });
  }

  static async start(): Promise<UpstreamMcpServer> {
    const server = new UpstreamMcpServer();
    await new Promise<void>((resolve) => server.http.listen(0, "127.0.0.1", resolve));
    server.port = (server.http.address() as AddressInfo).port;
    return server;
  }

  url(path = "/mcp"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Everything the upstream ever received, as one text: for "this never reached it" checks. */
  everythingReceived(): string {
    return this.requests.map((r) => `${r.method} ${r.url}\n${r.rawHeaders.join("\n")}\n\n${r.body}`).join("\n");
  }

  async stop(): Promise<void> {
    for (const transport of this.transports.values()) await transport.close().catch(() => {});
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const record: RecordedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
    };
    this.requests.push(record);
    res.on("close", () => void (record.closedAt = Date.now()));
    const path = (req.url ?? "").split("?")[0];

    if (path === "/slow/mcp") {
      await Bun.sleep(this.slowMs);
      if (res.destroyed) return;
    }
    if (path === "/raw/mcp") return this.raw(res);
    const status = /^\/status\/(\d{3})$/.exec(path ?? "");
    if (status) {
      res.writeHead(Number(status[1]), {
        "content-type": "application/json",
        location: "http://127.0.0.1:1/elsewhere",
        "www-authenticate": 'Bearer realm="upstream"',
      });
      res.end(JSON.stringify({ status: Number(status[1]) }));
      return;
    }

    const parsed: unknown = body === "" ? undefined : JSON.parse(body);
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? this.transports.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId !== undefined || !isInitializeRequest(parsed)) {
        res.writeHead(sessionId === undefined ? 400 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: "no such session" } }));
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void this.transports.set(id, created),
      });
      created.onclose = () => {
        if (created.sessionId) this.transports.delete(created.sessionId);
      };
      await this.mcpServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, parsed);
  }

  private raw(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "application/json",
      connection: "keep-alive, X-Hop-Secret",
      "x-hop-secret": "only for this connection",
      "keep-alive": "timeout=5",
      "proxy-authenticate": 'Basic realm="upstream proxy"',
      "set-cookie": "upstream=1; Path=/",
      "www-authenticate": 'Bearer realm="upstream"',
      "access-control-allow-origin": "*",
      "x-kept": "yes",
      "mcp-session-id": "raw-session",
    });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { raw: true } }));
  }

  private mcpServer(): McpServer {
    const server = new McpServer({ name: "upstream-test-server", version: "1.0.0" }, { capabilities: { logging: {} } });
    server.registerTool("echo", { description: "Returns its text.", inputSchema: { text: z.string() } }, async ({ text }) => ({
      content: [{ type: "text", text }],
    }));
    server.registerTool(
      "progress",
      {
        description: "Reports progress `steps` times, `delayMs` apart.",
        inputSchema: { steps: z.number().int(), delayMs: z.number().int() },
      },
      async ({ steps, delayMs }, extra) => {
        const run: { startedAt: number; finishedAt?: number } = { startedAt: Date.now() };
        this.progressRuns.push(run);
        const token = extra._meta?.progressToken;
        for (let step = 1; step <= steps; step++) {
          if (token !== undefined) {
            await extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken: token, progress: step, total: steps },
            });
          }
          await Bun.sleep(delayMs);
        }
        run.finishedAt = Date.now();
        return { content: [{ type: "text", text: "done" }] };
      },
    );
    server.registerTool(
      "sample",
      { description: "Asks the client to sample.", inputSchema: { prompt: z.string() } },
      async ({ prompt }, extra) => {
        const reply = await extra.sendRequest(
          {
            method: "sampling/createMessage",
            params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 20 },
          },
          CreateMessageResultSchema,
        );
        return { content: [{ type: "text", text: reply.content.type === "text" ? reply.content.text : "?" }] };
      },
    );
    server.registerTool(
      "large",
      { description: "Returns a text of `bytes` characters.", inputSchema: { bytes: z.number().int() } },
      async ({ bytes }) => ({
        content: [{ type: "text", text: largeText(bytes) }],
      }),
    );
    server.registerTool("sleep", { description: "Answers after `ms`.", inputSchema: { ms: z.number().int() } }, async ({ ms }) => {
      await Bun.sleep(ms);
      return { content: [{ type: "text", text: `slept ${ms}` }] };
    });
    return server;
  }
}
