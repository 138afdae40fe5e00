// /healthz: liveness and per-server state for monitors. No secrets, no session ids; an HTTP
// upstream server shows its upstream's origin only (its path and headers stay private).
import { Elysia } from "elysia";
import type { HttpUpstreamEndpoint } from "../bridge/http-upstream.ts";
import type { SessionRegistry } from "../bridge/session-registry.ts";
import { VERSION } from "../version.ts";

export function healthRoutes(registries: readonly SessionRegistry[], upstreams: readonly HttpUpstreamEndpoint[] = []) {
  return new Elysia({ name: "health" }).get("/healthz", () =>
    Response.json(
      {
        status: "ok",
        version: VERSION,
        servers: Object.fromEntries([
          ...registries.map((r) => [
            r.server.name,
            { kind: "stdio", path: r.server.path, sessions: r.size, max_sessions: r.server.maxSessions },
          ]),
          ...upstreams.map((u) => [u.serverName, { kind: "http", path: u.server.path, upstream: u.upstreamOrigin, sessions: u.sessions }]),
        ]),
      },
      { headers: { "cache-control": "no-store" } },
    ),
  );
}
