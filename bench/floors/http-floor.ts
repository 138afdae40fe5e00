// The HTTP floor: a Bun.serve that answers the benchmark's MCP requests itself, with no stdio
// server behind it and no checks of any kind. No bridge built on Bun's HTTP server can answer
// faster than this on the same machine; the distance between it and the ceiling (the bare stdio
// loop) is the price of HTTP itself.
//   bun floors/http-floor.ts PORT
const port = Number(process.argv[2]);
let sessions = 0;

const answer = (id: unknown, result: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ jsonrpc: "2.0", id, result }), { headers: { "content-type": "application/json", ...headers } });

Bun.serve({
  port,
  hostname: "127.0.0.1",
  async fetch(request) {
    if (request.method === "DELETE") return new Response(null, { status: 200 });
    const message = JSON.parse(await request.text());
    if (message.id === undefined) return new Response(null, { status: 202 });
    if (message.method === "initialize") {
      const result = {
        protocolVersion: message.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: "http-floor", version: "1" },
      };
      return answer(message.id, result, { "mcp-session-id": String(++sessions) });
    }
    const args = message.params?.arguments ?? {};
    const text = message.params?.name === "payload" ? "x".repeat(Number(args.bytes) || 0) : String(args.text);
    return answer(message.id, { content: [{ type: "text", text }] });
  },
});
