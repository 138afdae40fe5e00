// Quiet streams carry keep-alive frames, so that idle timeouts of Bun and of proxies in front
// never cut them (CLIENTS.md: "send a comment or event often enough…").
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { initializeRequest } from "../helpers/mcp-raw.ts";

let appliance: TestAppliance;
beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("quiet", "behaviour-server.mjs")]);
});
afterAll(async () => {
  await appliance.stop();
});

// Nothing but the keep-alive can arrive here: the session is idle and the child says nothing.
test("an idle GET stream receives a keep-alive frame", async () => {
  const init = await fetch(appliance.mcpUrl("quiet"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify(initializeRequest({ protocolVersion: "2025-06-18", client: "k" })),
  });
  const session = init.headers.get("mcp-session-id")!;
  await init.text();
  const stream = await fetch(appliance.mcpUrl("quiet"), { headers: { accept: "text/event-stream", "mcp-session-id": session } });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  let text = "";
  while (!text.includes(":")) text += new TextDecoder().decode((await reader.read()).value);
  expect(text.startsWith(":")).toBe(true); // a comment: ignored by every SSE parser
  await reader.cancel();
});
