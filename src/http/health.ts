// /healthz: liveness and per-server state for monitors. No secrets, no session ids.
import { Elysia } from "elysia";
import type { SessionRegistry } from "../bridge/session-registry.ts";
import { VERSION } from "../version.ts";

export function healthRoutes(registries: readonly SessionRegistry[]) {
  return new Elysia({ name: "health" }).get("/healthz", () =>
    Response.json(
      {
        status: "ok",
        version: VERSION,
        servers: Object.fromEntries(
          registries.map((r) => [r.server.name, { path: r.server.path, sessions: r.size, max_sessions: r.server.maxSessions }]),
        ),
      },
      { headers: { "cache-control": "no-store" } },
    ),
  );
}
