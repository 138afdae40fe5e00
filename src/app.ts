// The composition root: builds the bridge and the HTTP front door from a Config and starts
// listening. Everything else is wired here and only here.
import { Elysia } from "elysia";
import { LegacySseEndpoint } from "./bridge/legacy-sse.ts";
import { SessionRegistry } from "./bridge/session-registry.ts";
import { StreamableHttpEndpoint } from "./bridge/streamable-http.ts";
import type { AppConfig } from "./config/types.ts";
import { frontDoor } from "./http/front-door.ts";
import { healthRoutes } from "./http/health.ts";
import { mcpRoutes, type ServedServer } from "./http/mcp-routes.ts";
import { RequestPolicy } from "./http/request-policy.ts";
import { type Logger, flushLog, silentLogger } from "./log.ts";

export interface RunningAppliance {
  /** Origin the appliance answers at, e.g. http://127.0.0.1:3001 (the public URL when configured). */
  url: string;
  port: number;
  hostname: string;
  /** Stop accepting, end streams, stop every child; resolves when all children are gone. */
  stop(): Promise<void>;
}

const HOUSEKEEPING_EVERY_MS = 1000;
/** Seconds a connection may stay silent; SSE keep-alive frames come far more often. */
const IDLE_TIMEOUT_S = 60;
/** How long in-flight plain requests get to finish at shutdown. */
const DRAIN_MS = 5000;

export async function startAppliance(config: AppConfig, log: Logger = silentLogger): Promise<RunningAppliance> {
  const registries = config.servers.map((server) => new SessionRegistry(server, log));
  const served: ServedServer[] = registries.map((registry) => ({
    path: registry.server.path,
    streamable: new StreamableHttpEndpoint(registry, log),
    legacy: new LegacySseEndpoint(registry, log),
  }));

  const policy = new RequestPolicy({
    publicUrl: config.publicUrl,
    extraHosts: config.extraHosts,
    allowedOrigins: config.allowedOrigins,
    listenHost: config.listen.host,
  });

  const maxBody = Math.max(...config.servers.map((s) => s.maxMessageBytes)) + 64 * 1024;
  const app = new Elysia()
    .use(frontDoor(policy, log))
    .use(healthRoutes(registries))
    .use(mcpRoutes(served, log))
    .onError(({ code, request }) => {
      if (code === "NOT_FOUND") return Response.json({ error: "not_found" }, { status: 404 });
      log.error({ method: request.method, code }, "unhandled error while serving a request");
      return Response.json({ error: "server_error" }, { status: 500 });
    })
    .listen({
      hostname: config.listen.host,
      port: config.listen.port,
      idleTimeout: IDLE_TIMEOUT_S,
      maxRequestBodySize: maxBody,
    });

  const server = app.server;
  if (!server) throw new Error("the HTTP server did not start");
  const port = server.port ?? config.listen.port;
  const hostForUrl = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;
  const localHost = hostForUrl === "0.0.0.0" || hostForUrl === "[::]" ? "127.0.0.1" : hostForUrl;
  const url = config.publicUrl ?? `http://${localHost}:${port}`;

  const housekeeping = setInterval(() => {
    const now = Date.now();
    for (const registry of registries) registry.tick(now);
    flushLog(log);
  }, HOUSEKEEPING_EVERY_MS);

  log.info({ url, listen: `${hostForUrl}:${port}`, servers: config.servers.map((s) => ({ name: s.name, path: s.path })) }, "listening");

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    hostname: config.listen.host,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(housekeeping);
        // Stop accepting first; then ending the sessions ends their streams and children.
        const draining = server.stop(false);
        await Promise.all(registries.map((r) => r.closeAll("the appliance is shutting down")));
        await Promise.race([draining, Bun.sleep(DRAIN_MS)]);
        await server.stop(true);
        log.info("stopped");
      })()),
  };
}
