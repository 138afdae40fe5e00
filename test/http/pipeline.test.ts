// The request pipeline (src/http/pipeline.ts): every answer, whoever gives it, gets exactly one
// access line, CORS by its path's policy and the error shape of its path (JSON-RPC on MCP paths,
// RFC 6749 JSON elsewhere). Driven over HTTP against the real appliance on port 0.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Elysia } from "elysia";
import { PathKinds } from "../../src/http/path-kinds.ts";
import { requestPipeline } from "../../src/http/pipeline.ts";
import { RequestPolicy } from "../../src/http/request-policy.ts";
import { createLogger } from "../../src/log.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { challengeParams, mcpInitialize, sha256Hex } from "../helpers/oauth-http.ts";
import { rawExchange } from "../helpers/raw-http.ts";

const TOKEN = `static_${randomBytes(24).toString("base64url")}`;
const FOREIGN = "https://evil.example";
const INSPECTOR = "http://localhost:6274";

interface AccessLine {
  msg: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  server?: string;
  session?: string;
}

function accessLines(logs: readonly string[]): AccessLine[] {
  return logs.map((line) => JSON.parse(line) as AccessLine).filter((entry) => entry.msg === "request");
}

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { staticTokens: [{ name: "backup", tokenSha256: sha256Hex(TOKEN), servers: ["vault"] }] },
  });
});
afterAll(async () => {
  await appliance?.stop();
});

/** The access lines the appliance wrote while `exchange` ran (each answer's line is written before it is sent). */
async function linesOf(exchange: () => Promise<unknown>): Promise<AccessLine[]> {
  const before = appliance.logs.length;
  await exchange();
  return accessLines(appliance.logs.slice(before));
}

describe("one access line for every answer", () => {
  test("/healthz", async () => {
    const lines = await linesOf(async () => expect((await fetch(new URL("/healthz", appliance.url))).status).toBe(200));
    expect(lines).toEqual([expect.objectContaining({ method: "GET", path: "/healthz", status: 200 })]);
    expect(lines[0]!.ms).toBeGreaterThanOrEqual(0);
  });

  test("an asset", async () => {
    const lines = await linesOf(async () => {
      const response = await fetch(new URL("/assets/pages.css", appliance.url));
      expect(response.status).toBe(200);
      await response.text();
    });
    expect(lines).toEqual([expect.objectContaining({ path: "/assets/pages.css", status: 200 })]);
  });

  test("an unknown path: 404 with an RFC 6749 body and a registered code", async () => {
    let body: unknown;
    const lines = await linesOf(async () => {
      const response = await fetch(new URL("/no/such/thing?secret=1", appliance.url));
      expect(response.status).toBe(404);
      body = await response.json();
    });
    expect(body).toEqual({ error: "invalid_request", error_description: "unrecognized route or not allowed method (GET)" });
    expect(lines).toEqual([expect.objectContaining({ path: "/no/such/thing", status: 404 })]);
  });

  test("an MCP request: the server and the session are named", async () => {
    let session: string | null = null;
    const lines = await linesOf(async () => {
      const answer = await mcpInitialize(appliance.mcpUrl("vault"), `Bearer ${TOKEN}`, {}, true);
      expect(answer.status).toBe(200);
      session = answer.session;
    });
    expect(session).not.toBeNull();
    expect(lines).toEqual([expect.objectContaining({ method: "POST", path: "/vault/mcp", status: 200, server: "vault", session })]);
    await fetch(appliance.mcpUrl("vault"), { method: "DELETE", headers: { "mcp-session-id": session!, authorization: `Bearer ${TOKEN}` } });
  });

  test("an MCP request without a token: 401, the challenge without an error code, a JSON-RPC body", async () => {
    let answer: Awaited<ReturnType<typeof mcpInitialize>> | undefined;
    const lines = await linesOf(async () => {
      answer = await mcpInitialize(appliance.mcpUrl("vault"));
    });
    expect(answer!.status).toBe(401);
    expect(challengeParams(answer!.challenge)).toEqual({
      resource_metadata: `${appliance.url}/.well-known/oauth-protected-resource/vault/mcp`,
      scope: "mcp:vault",
    });
    expect(JSON.parse(answer!.body)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: "this MCP server needs an OAuth access token; see the WWW-Authenticate header" },
    });
    expect(lines).toEqual([expect.objectContaining({ path: "/vault/mcp", status: 401, server: "vault" })]);
  });

  test("a /token request", async () => {
    const lines = await linesOf(async () => {
      const response = await fetch(new URL("/token", appliance.url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=authorization_code&code=nope&client_id=nobody",
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      await response.text();
    });
    expect(lines).toEqual([expect.objectContaining({ method: "POST", path: "/token" })]);
    expect(lines[0]!.status).toBeGreaterThanOrEqual(400);
  });

  test("a refused Host: 421, RFC 6749 JSON off the MCP paths, JSON-RPC on them", async () => {
    const port = Number(new URL(appliance.url).port);
    const lines = await linesOf(async () => {
      const health = await rawExchange(port, "GET /healthz HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
      expect(health.status).toBe(421);
      expect(JSON.parse(health.body.toString())).toEqual({
        error: "invalid_request",
        error_description: "this host name is not served here",
      });
      const mcp = await rawExchange(port, "DELETE /vault/mcp HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
      expect(mcp.status).toBe(421);
      expect(JSON.parse(mcp.body.toString())).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000, message: "this host name is not served here" },
      });
    });
    expect(lines).toEqual([
      expect.objectContaining({ method: "GET", path: "/healthz", status: 421 }),
      expect.objectContaining({ method: "DELETE", path: "/vault/mcp", status: 421 }),
    ]);
  });

  test("preflights and the Origin refusal are answered before routing, and logged once", async () => {
    const lines = await linesOf(async () => {
      const granted = await fetch(appliance.mcpUrl("vault"), {
        method: "OPTIONS",
        headers: { origin: INSPECTOR, "access-control-request-method": "POST" },
      });
      expect(granted.status).toBe(204);
      const refused = await mcpInitialize(appliance.mcpUrl("vault"), `Bearer ${TOKEN}`, { origin: FOREIGN });
      expect(refused.status).toBe(403);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    });
    expect(lines.map((line) => [line.method, line.path, line.status])).toEqual([
      ["OPTIONS", "/vault/mcp", 204],
      ["POST", "/vault/mcp", 403],
    ]);
  });
});

describe("CORS by the path's policy", () => {
  test("Retry-After is readable by scripts, on MCP and token answers alike", async () => {
    const preflight = await fetch(new URL("/token", appliance.url), {
      method: "OPTIONS",
      headers: { origin: FOREIGN, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-expose-headers")).toContain("retry-after");
    const mcp = await mcpInitialize(appliance.mcpUrl("vault"), undefined, { origin: INSPECTOR });
    expect(mcp.headers.get("access-control-allow-origin")).toBe(INSPECTOR);
    expect((mcp.headers.get("access-control-expose-headers") ?? "").split(", ")).toEqual(
      expect.arrayContaining(["retry-after", "www-authenticate", "mcp-session-id", "mcp-protocol-version"]),
    );
  });

  test("the MCP path spelled with a trailing slash or dot segments is still an MCP path", async () => {
    for (const path of ["/vault/mcp/", "/vault/./mcp", "/x/../vault/mcp"]) {
      const port = Number(new URL(appliance.url).port);
      const answer = await rawExchange(
        port,
        `OPTIONS ${path} HTTP/1.1\r\nHost: localhost\r\nOrigin: ${FOREIGN}\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n`,
      );
      expect([path, answer.status]).toEqual([path, 403]);
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  test("discovery answers any origin; pages and health answer none", async () => {
    const metadata = await fetch(new URL("/.well-known/oauth-authorization-server", appliance.url), { headers: { origin: FOREIGN } });
    expect(metadata.headers.get("access-control-allow-origin")).toBe(FOREIGN);
    await metadata.text();
    const unknownDocument = await fetch(new URL("/.well-known/oauth-protected-resource/nope", appliance.url), {
      headers: { origin: FOREIGN },
    });
    expect(unknownDocument.status).toBe(404);
    expect(unknownDocument.headers.get("access-control-allow-origin")).toBe(FOREIGN);
    expect(((await unknownDocument.json()) as { error: string }).error).toBe("invalid_request");
    for (const path of ["/healthz", "/authorize"]) {
      const response = await fetch(new URL(path, appliance.url), { headers: { origin: FOREIGN } });
      expect([path, response.headers.get("access-control-allow-origin")]).toEqual([path, null]);
      await response.text();
    }
  });
});

describe("an unexpected failure", () => {
  test("500 in the path's error shape, logged with its reason, and one access line", async () => {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line) logs.push(line);
        done();
      },
    });
    const log = createLogger("info", sink);
    const policy = new RequestPolicy({ extraHosts: [], allowedOrigins: [], listenHost: "127.0.0.1" });
    const app = new Elysia()
      .use(requestPipeline({ log, policy, paths: new PathKinds(["/m"], { exact: [], prefixes: [] }), maxHeaderBytes: 8192 }))
      .get("/m", () => {
        throw new Error("broken MCP handler");
      })
      .get("/p", () => {
        throw new Error("broken page");
      })
      .listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const base = `http://127.0.0.1:${app.server!.port}`;
      const mcp = await fetch(`${base}/m`);
      expect(mcp.status).toBe(500);
      expect(await mcp.json()).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "internal error" } });
      const page = await fetch(`${base}/p`);
      expect(page.status).toBe(500);
      expect(await page.json()).toEqual({ error: "server_error", error_description: "internal error" });
      const entries = logs.map((line) => JSON.parse(line) as { msg: string; path?: string; status?: number; reason?: string });
      expect(entries.filter((e) => e.msg === "request").map((e) => [e.path, e.status])).toEqual([
        ["/m", 500],
        ["/p", 500],
      ]);
      expect(entries.filter((e) => e.msg === "unhandled error while serving a request").map((e) => e.reason)).toEqual([
        "Error: broken MCP handler",
        "Error: broken page",
      ]);
    } finally {
      await app.stop(true);
    }
  });
});
