// A credential that ends ends what it opened (RFC 7009 §2.1; MCP authorization: servers MUST
// validate tokens): revocation at /revoke, a client or static token removed from the state by
// another process (as `client remove` and `token remove` do), and the expiry of the token a
// stream was opened with. Each case holds a stream open and waits until it ends; the appliance
// checks credentials once a second, so each wait is bounded by a few of those sweeps.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { openStore } from "../../src/store/index.ts";
import { eventually, startTestAppliance, type TestAppliance } from "../helpers/appliance.ts";
import { alive } from "../helpers/machine.ts";
import { postForm, registerPublic, sha256Hex } from "../helpers/oauth-http.ts";
import { seededTokens } from "../helpers/oauth-seed.ts";
import { processesWith, sharingServer } from "./sharing-helpers.ts";

const REDIRECT = "http://localhost/cb";
const perClient = sharingServer("ends", "client");
const ttl = sharingServer("short", "session");
let appliance: TestAppliance;
let shortLived: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([perClient.config], { auth: "oauth" });
  shortLived = await startTestAppliance([ttl.config], { auth: "oauth", oauthOverrides: { accessTokenTtlMs: 2_000 } });
});
afterAll(async () => {
  await appliance.stop();
  await shortLived.stop();
});

const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

async function initialize(app: TestAppliance, server: string, token: string): Promise<string> {
  const response = await fetch(app.mcpUrl(server), {
    method: "POST",
    headers: { ...HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    }),
  });
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get("mcp-session-id")!;
}

/** A session's GET stream, read until it ends; resolves when the appliance closes it. */
async function openGetStream(app: TestAppliance, server: string, token: string, session: string): Promise<{ ended: Promise<void> }> {
  const response = await fetch(app.mcpUrl(server), {
    headers: { accept: "text/event-stream", authorization: `Bearer ${token}`, "mcp-session-id": session },
  });
  expect(response.status).toBe(200);
  return { ended: drained(response) };
}

async function drained(response: Response): Promise<void> {
  const reader = response.body!.getReader();
  for (;;) {
    const { done } = await reader.read().catch(() => ({ done: true }));
    if (done) return;
  }
}

/**
 * Resolves to "ended", or to "still open" after `ms`: what a stream does within a bound. For
 * "ended", the bound is a timeout of the wait (sweeps run every second); for "still open" it
 * covers more than one sweep, the shortest time in which the stream could wrongly end.
 */
function within(ended: Promise<void>, ms: number): Promise<"ended" | "still open"> {
  return Promise.race([ended.then(() => "ended" as const), Bun.sleep(ms).then(() => "still open" as const)]);
}

async function postStatus(app: TestAppliance, server: string, token: string, session: string): Promise<number> {
  const response = await fetch(app.mcpUrl(server), {
    method: "POST",
    headers: { ...HEADERS, authorization: `Bearer ${token}`, "mcp-session-id": session },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "pid", arguments: {} } }),
  });
  await response.text();
  return response.status;
}

/** The pid of the child that serves a session (the fixture's pid tool). */
async function childPid(app: TestAppliance, server: string, token: string, session: string): Promise<number> {
  const response = await fetch(app.mcpUrl(server), {
    method: "POST",
    headers: { ...HEADERS, authorization: `Bearer ${token}`, "mcp-session-id": session },
    body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "pid", arguments: {} } }),
  });
  const answer = (await response.json()) as { result: { content: { text: string }[] } };
  return Number(answer.result.content[0]!.text);
}

/** Another process's write, as the command line makes it (`client remove`, `token add`, `token remove`). */
function inStore(app: TestAppliance, write: (store: ReturnType<typeof openStore>) => void): void {
  const store = openStore(app.config.stateDir);
  try {
    write(store);
  } finally {
    store.close();
  }
}

describe("a credential that ends ends what it opened", () => {
  test("/revoke: the GET stream and the session the token opened end; a session that moved on to a newer token stays", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const first = await seededTokens(appliance, client.client_id, REDIRECT);
    const second = await seededTokens(appliance, client.client_id, REDIRECT);
    const ended = await initialize(appliance, "ends", first.access_token);
    const { ended: stream } = await openGetStream(appliance, "ends", first.access_token, ended);
    const movedOn = await initialize(appliance, "ends", first.access_token);
    expect(await postStatus(appliance, "ends", second.access_token, movedOn)).toBe(200);
    const revoked = await postForm(appliance.url, "/revoke", { token: first.access_token, client_id: client.client_id });
    expect(revoked.status).toBe(200);
    expect(await within(stream, 5_000)).toBe("ended");
    expect(await postStatus(appliance, "ends", second.access_token, ended)).toBe(404);
    expect(await postStatus(appliance, "ends", second.access_token, movedOn)).toBe(200);
  });

  test("client removed by another process: its sessions and streams end, and its child stops", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { access_token } = await seededTokens(appliance, client.client_id, REDIRECT);
    const session = await initialize(appliance, "ends", access_token);
    const { ended: stream } = await openGetStream(appliance, "ends", access_token, session);
    const pid = await childPid(appliance, "ends", access_token, session);
    expect(processesWith(perClient.marker)).toContain(pid);
    inStore(appliance, (store) => store.clients.remove(client.client_id));
    expect(await within(stream, 5_000)).toBe("ended");
    const other = await registerPublic(appliance.url, [REDIRECT]);
    const otherToken = (await seededTokens(appliance, other.client_id, REDIRECT)).access_token;
    // The session is gone for everyone: 404 (its own token is refused at the door before that).
    expect(await postStatus(appliance, "ends", otherToken, session)).toBe(404);
    await eventually(() => !alive(pid), "the removed client's child has stopped");
  });

  test("static token removed by another process: the legacy SSE session it opened ends", async () => {
    const token = `static_${randomBytes(24).toString("base64url")}`;
    inStore(appliance, (store) =>
      store.staticTokens.insert({ name: "script", token_hash: sha256Hex(token), servers: ["ends"], source: "state" }),
    );
    const response = await fetch(new URL("/ends/sse", appliance.url), {
      headers: { accept: "text/event-stream", authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const stream = drained(response);
    expect(await within(stream, 1_500)).toBe("still open");
    inStore(appliance, (store) => store.staticTokens.remove("script"));
    expect(await within(stream, 5_000)).toBe("ended");
  });

  test("a 2026-07-28 subscriptions/listen stream ends at /revoke", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { access_token } = await seededTokens(appliance, client.client_id, REDIRECT);
    const response = await fetch(appliance.mcpUrl("ends"), {
      method: "POST",
      headers: {
        ...HEADERS,
        authorization: `Bearer ${access_token}`,
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "subscriptions/listen",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "subscriptions/listen",
        params: {
          notifications: { toolsListChanged: true },
          _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} },
        },
      }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const stream = drained(response);
    await postForm(appliance.url, "/revoke", { token: access_token, client_id: client.client_id });
    expect(await within(stream, 5_000)).toBe("ended");
  });

  test("expiry: the GET stream ends when its token expires; the session goes on with a fresh token", async () => {
    const client = await registerPublic(shortLived.url, [REDIRECT]);
    const first = await seededTokens(shortLived, client.client_id, REDIRECT);
    const session = await initialize(shortLived, "short", first.access_token);
    const { ended: stream } = await openGetStream(shortLived, "short", first.access_token, session);
    expect(await within(stream, 10_000)).toBe("ended");
    const fresh = await seededTokens(shortLived, client.client_id, REDIRECT);
    expect(await postStatus(shortLived, "short", fresh.access_token, session)).toBe(200);
  });
});
