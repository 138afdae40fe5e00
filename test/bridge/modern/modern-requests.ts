// MCP 2026-07-28 requests as that revision's clients send them, for the tests of the stateless
// path: the _meta envelope in the body, and the headers that mirror it (streamable-http
// §Request Metadata); and the messages of an answer, whether a JSON body or an SSE stream.

export const VERSION = "2026-07-28";

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever the appliance wrote, by any path
export type Message = Record<string, any>;

export interface ModernRequest {
  method: string;
  params?: Record<string, unknown>;
  capabilities?: Record<string, unknown>;
  /** A bearer token, when the appliance has auth on. */
  token?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  id?: number;
}

let nextId = 1;

/** POST one 2026-07-28 request to `url`. */
export function sendModern(
  url: URL,
  { method, params = {}, capabilities = {}, token, headers = {}, signal, id = nextId++ }: ModernRequest,
) {
  const meta = { "io.modelcontextprotocol/protocolVersion": VERSION, "io.modelcontextprotocol/clientCapabilities": capabilities };
  const body = { jsonrpc: "2.0", id, method, params: { ...params, _meta: { ...meta, ...(params._meta as object) } } };
  const name = (params.name ?? params.uri) as string | undefined;
  return postRaw(
    url,
    JSON.stringify(body),
    {
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
      "mcp-protocol-version": VERSION,
      "mcp-method": method,
      ...(name !== undefined && { "mcp-name": name }),
      ...headers,
    },
    signal,
  );
}

/** POST a body as written, with the Accept and Content-Type every MCP POST carries. */
export function postRaw(url: URL, body: string, headers: Record<string, string>, signal?: AbortSignal) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body,
    signal,
  });
}

/** The JSON-RPC messages of a response, whether a JSON body or an SSE stream (read to its end). */
export async function messages(response: Response): Promise<Message[]> {
  const text = await response.text();
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) return [JSON.parse(text)];
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)));
}

/** The last message of a response: its answer. */
export async function answer(response: Response): Promise<Message> {
  const all = await messages(response);
  return all[all.length - 1]!;
}

/** The data frames of an SSE body, one at a time, as they arrive. */
export function frames(response: Response): () => Promise<Message> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return async () => {
    for (;;) {
      const end = buffered.indexOf("\n\n");
      if (end >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = frame.split("\n").find((line) => line.startsWith("data: "));
        if (data) return JSON.parse(data.slice(6));
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended");
      buffered += value;
    }
  };
}
