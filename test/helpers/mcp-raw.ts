// A minimal Streamable HTTP client written by hand (fetch, no SDK): cheap enough to run
// hundreds of sessions from one test, and it shows exactly what went over the wire.

export const ACCEPT_BOTH = "application/json, text/event-stream";

/**
 * An initialize request (MCP lifecycle §Initialization): a client of no capabilities, named for
 * the appliance's log, asking for `protocolVersion`.
 */
export function initializeRequest(options: { id?: string | number; protocolVersion?: string; client?: string } = {}) {
  return {
    jsonrpc: "2.0" as const,
    id: options.id ?? 1,
    method: "initialize" as const,
    params: {
      protocolVersion: options.protocolVersion ?? "2025-11-25",
      capabilities: {},
      clientInfo: { name: options.client ?? "test", version: "1" },
    },
  };
}

export interface RpcMessage {
  jsonrpc: "2.0";
  id?: string | number | null;
  method?: string;
  result?: { content?: { text: string }[] } & Record<string, unknown>;
  error?: { code: number; message: string };
  params?: Record<string, unknown>;
}

export interface RpcAnswer {
  status: number;
  /** Every JSON-RPC message in the body (one for JSON, each `data:` for SSE). */
  messages: RpcMessage[];
  /** The message with the request's id, when there is one. */
  answer?: RpcMessage;
}

export class RawMcpClient {
  sessionId: string | undefined;
  private nextId = 1;

  constructor(
    readonly url: URL,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** initialize + notifications/initialized; throws unless both succeed. */
  async open(protocolVersion = "2025-11-25"): Promise<string> {
    const response = await this.post(initializeRequest({ id: this.nextId++, protocolVersion, client: "reliability" }));
    const body = await response.text();
    const session = response.headers.get("mcp-session-id");
    if (response.status !== 200 || !session) throw new Error(`initialize failed (${response.status}): ${body.slice(0, 500)}`);
    this.sessionId = session;
    const initialized = await this.post({ jsonrpc: "2.0", method: "notifications/initialized" });
    await initialized.text();
    if (initialized.status !== 202) throw new Error(`notifications/initialized: ${initialized.status}`);
    return session;
  }

  post(message: unknown, extra: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    return fetch(this.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: ACCEPT_BOTH,
        ...(this.sessionId ? { "mcp-session-id": this.sessionId, "mcp-protocol-version": "2025-11-25" } : {}),
        ...this.headers,
        ...extra,
      },
      body: JSON.stringify(message),
      signal,
    });
  }

  /** One request; the answer whether it came as JSON or as an SSE stream. */
  async request(method: string, params?: Record<string, unknown>, id: string | number = this.nextId++): Promise<RpcAnswer> {
    const response = await this.post({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
    const messages = parseBody(await response.text(), response.headers.get("content-type") ?? "");
    return { status: response.status, messages, answer: messages.find((m) => m.id === id && m.method === undefined) };
  }

  call(name: string, args: Record<string, unknown> = {}): Promise<RpcAnswer> {
    return this.request("tools/call", { name, arguments: args });
  }

  /** The text of a successful tools/call; throws with what arrived otherwise. */
  async callText(name: string, args: Record<string, unknown> = {}): Promise<string> {
    const reply = await this.call(name, args);
    const text = reply.answer?.result?.content?.[0]?.text;
    if (reply.status !== 200 || text === undefined)
      throw new Error(`${name}: ${reply.status} ${JSON.stringify(reply.messages).slice(0, 500)}`);
    return text;
  }

  async close(): Promise<number> {
    if (!this.sessionId) return 0;
    const response = await fetch(this.url, { method: "DELETE", headers: { "mcp-session-id": this.sessionId, ...this.headers } });
    await response.arrayBuffer();
    return response.status;
  }
}

export function parseBody(body: string, contentType: string): RpcMessage[] {
  if (contentType.startsWith("text/event-stream")) {
    return body
      .split("\n")
      .filter((line) => line.startsWith("data:") && line.length > 6)
      .map((line) => JSON.parse(line.slice(5).trim()) as RpcMessage);
  }
  if (body.trim() === "") return [];
  const parsed = JSON.parse(body) as RpcMessage | RpcMessage[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** The deprecated HTTP+SSE transport by hand: one GET stream, messages POSTed to the endpoint it names. */
export class RawLegacyClient {
  private reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } | undefined;
  private buffer = "";
  private endpoint: URL | undefined;
  private nextId = 1;

  constructor(
    readonly url: URL,
    private readonly headers: Record<string, string> = {},
  ) {}

  async open(): Promise<void> {
    const response = await fetch(this.url, { headers: { accept: "text/event-stream", ...this.headers } });
    if (response.status !== 200) throw new Error(`legacy GET: ${response.status} ${await response.text()}`);
    this.reader = response.body!.getReader();
    const endpoint = await this.nextEvent("endpoint");
    this.endpoint = new URL(endpoint, this.url);
    const init = await this.request("initialize", {
      protocolVersion: "2024-11-05",
      capabilities: {},
      clientInfo: { name: "reliability", version: "1" },
    });
    if (!init.result) throw new Error(`legacy initialize: ${JSON.stringify(init)}`);
    await this.postMessage({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  /** A tools/call; the message that answered it, result or error. */
  call(name: string, args: Record<string, unknown> = {}): Promise<RpcMessage> {
    return this.request("tools/call", { name, arguments: args });
  }

  async callText(name: string, args: Record<string, unknown> = {}): Promise<string> {
    const reply = await this.call(name, args);
    const text = reply.result?.content?.[0]?.text;
    if (text === undefined) throw new Error(`legacy ${name}: ${JSON.stringify(reply).slice(0, 500)}`);
    return text;
  }

  /** Closing the stream ends the session. */
  async close(): Promise<void> {
    await this.reader?.cancel();
  }

  private async request(method: string, params: Record<string, unknown>): Promise<RpcMessage> {
    const id = this.nextId++;
    await this.postMessage({ jsonrpc: "2.0", id, method, params });
    for (;;) {
      const message = JSON.parse(await this.nextEvent("message")) as RpcMessage;
      if (message.id === id) return message;
    }
  }

  /** POST one message to the endpoint the stream named; the response as it came. */
  post(message: unknown): Promise<Response> {
    return fetch(this.endpoint!, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.headers },
      body: JSON.stringify(message),
    });
  }

  private async postMessage(message: unknown): Promise<void> {
    const response = await this.post(message);
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`legacy POST: ${response.status}`);
  }

  private async nextEvent(type: string): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end !== -1) {
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "message";
        const data = frame
          .split("\n")
          .filter((line) => line.startsWith("data: "))
          .map((line) => line.slice(6))
          .join("\n");
        if (event === type && data) return data;
        continue;
      }
      const { value, done } = await this.reader!.read();
      if (done) throw new Error("legacy stream ended");
      this.buffer += new TextDecoder().decode(value);
    }
  }
}
