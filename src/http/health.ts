// /healthz: liveness and per-server state for monitors. No secrets, no session ids, no
// principals; an HTTP upstream server shows its upstream's origin only (its path and headers
// stay private). A stdio server lists its shared children's states; a server that shares its
// children (client, shared) and has some, none of them working, is down: 503.
//
// Everyone gets the bare answer: the status and its code (200 "ok", 503 "degraded"), enough for
// a load balancer or an uptime monitor. The detail (version, server names and paths, session
// counts, upstream origins, children with their pids and exits) maps the appliance for an
// attacker (issue 13), and a child's last stderr line is what the operator's own server printed,
// which may well hold a secret: both are shown only to a request from a loopback address that no
// proxy forwarded, i.e. to someone on the machine itself. Everyone else finds them in the log.
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { ChildStatus } from "../bridge/channel/shared-children.ts";
import type { HttpUpstreamEndpoint } from "../bridge/http-upstream.ts";
import type { SessionRegistry } from "../bridge/session-registry.ts";
import { VERSION } from "../version.ts";

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip"];

function fromThisMachine(request: Request, server: Server<unknown> | null): boolean {
  const address = server?.requestIP(request)?.address;
  return address !== undefined && LOOPBACK.test(address) && !FORWARDING_HEADERS.some((name) => request.headers.has(name));
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function childView(status: ChildStatus) {
  return {
    state: status.state,
    pid: status.pid,
    since: iso(status.since),
    next_try: iso(status.nextTryAt),
    failures: status.failures,
    last_exit: status.lastExit && { code: status.lastExit.code, signal: status.lastExit.signal, at: iso(status.lastExit.at) },
    last_failure: status.lastFailure,
    last_stderr: status.lastStderrLine,
  };
}

function stdioView(registry: SessionRegistry, now: number) {
  const { name, path, maxSessions, sharing } = registry.server;
  const children = registry.childStatuses(now);
  const working = children.some((c) => c.state === "running" || c.state === "starting");
  const down = sharing !== "session" && children.length > 0 && !working;
  return {
    down,
    view: [
      name,
      {
        kind: "stdio",
        path,
        sessions: registry.size,
        max_sessions: maxSessions,
        sharing,
        status: down ? "down" : "ok",
        children: children.map(childView),
      },
    ] as const,
  };
}

export function healthRoutes(registries: readonly SessionRegistry[], upstreams: readonly HttpUpstreamEndpoint[] = []) {
  return new Elysia({ name: "health" }).get("/healthz", ({ request, server }) => {
    const stdio = registries.map((r) => stdioView(r, Date.now()));
    const status = stdio.some((s) => s.down) ? "degraded" : "ok";
    const headers = { "cache-control": "no-store" };
    const code = status === "ok" ? 200 : 503;
    if (!fromThisMachine(request, server)) return Response.json({ status }, { status: code, headers });
    return Response.json(
      {
        status,
        version: VERSION,
        servers: Object.fromEntries([
          ...stdio.map((s) => s.view),
          ...upstreams.map((u) => [u.serverName, { kind: "http", path: u.server.path, upstream: u.upstreamOrigin, sessions: u.sessions }]),
        ]),
      },
      { status: code, headers },
    );
  });
}
