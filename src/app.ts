// The composition root: builds the bridge, the authorization server and the HTTP front door
// from a Config and starts listening. Everything else is wired here and only here.
import { Elysia } from "elysia";
import { HttpUpstreamEndpoint } from "./bridge/http-upstream.ts";
import { LegacySseEndpoint } from "./bridge/legacy-sse.ts";
import { SessionRegistry } from "./bridge/session-registry.ts";
import { StreamableHttpEndpoint } from "./bridge/streamable-http.ts";
import { formatListen } from "./config/net.ts";
import { listenOrigin } from "./config/rules.ts";
import type { AppConfig } from "./config/types.ts";
import { assetRoutes } from "./http/assets.ts";
import { clientAddress } from "./http/client-address.ts";
import { healthRoutes } from "./http/health.ts";
import { mcpRoutes, mcpRouteTable, type ProxiedServer, type ServedServer } from "./http/mcp-routes.ts";
import { OAUTH_API_PATHS, oauthRoutes } from "./http/oauth-routes.ts";
import { NO_PATHS, PathKinds } from "./http/path-kinds.ts";
import { requestPipeline } from "./http/pipeline.ts";
import { RequestPolicy } from "./http/request-policy.ts";
import { flushLog, type Logger, silentLogger } from "./log.ts";
import { AuthorizationServer } from "./oauth/authorization-server.ts";
import type { MetadataFetchOptions } from "./oauth/client-metadata-document/index.ts";
import { openStore, type Store } from "./store/index.ts";

export interface RunningAppliance {
  /** Origin the appliance answers at, e.g. http://127.0.0.1:3001 (the public URL when configured). */
  url: string;
  port: number;
  hostname: string;
  /** Present when auth = "oauth". */
  authorizationServer?: AuthorizationServer;
  /** Stop accepting, end streams, stop every child; resolves when all children are gone. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Tests only: relaxations for fetching client ID metadata documents from a test server. */
  metadataDocumentFetch?: MetadataFetchOptions;
}

const HOUSEKEEPING_EVERY_MS = 1000;
const STORE_HOUSEKEEPING_EVERY_MS = 60_000;
/** Seconds a connection may stay silent; SSE keep-alive frames come far more often. */
const IDLE_TIMEOUT_S = 60;
/** At shutdown, past shutdown_timeout: the answers given as the sessions end get this long to be written. */
const LAST_ANSWERS_MS = 1000;

export async function startAppliance(config: AppConfig, log: Logger = silentLogger, options: StartOptions = {}): Promise<RunningAppliance> {
  const registries = config.servers.map((server) => new SessionRegistry(server, config.limits, log));
  const served: ServedServer[] = registries.map((registry) => ({
    path: registry.server.path,
    streamable: new StreamableHttpEndpoint(registry, log),
    legacy: new LegacySseEndpoint(registry, log),
  }));
  const upstreams = config.httpServers.map((server) => new HttpUpstreamEndpoint(server, log));
  const proxied: ProxiedServer[] = upstreams.map((upstream) => ({ path: upstream.server.path, upstream }));
  const mcp = mcpRouteTable(served, proxied);

  const policy = new RequestPolicy({
    publicUrl: config.publicUrl,
    extraHosts: config.extraHosts,
    allowedOrigins: config.allowedOrigins,
    listenHost: config.listen.host,
  });

  // The authorization server needs the public origin, which with port 0 is known only once
  // bound: the routes reach it through `auth()`, set right after listen().
  const oauth = config.auth === "oauth";
  const store: Store | undefined = oauth ? openStore(config.stateDir) : undefined;
  let authorizationServer: AuthorizationServer | undefined;
  const auth = oauth ? () => authorizationServer! : undefined;

  // Bun's own cap on request bodies; each server's max_message_size is checked by the bridge.
  const maxBody = Math.max(0, ...[...config.servers, ...config.httpServers].map((s) => s.maxMessageBytes)) + 64 * 1024;
  // The pipeline comes first: Elysia applies a hook to the routes registered after it.
  const paths = new PathKinds(
    mcp.map((route) => route.path),
    oauth ? OAUTH_API_PATHS : NO_PATHS,
  );
  const app = new Elysia()
    .use(requestPipeline({ log, policy, paths, maxHeaderBytes: config.limits.maxHeaderBytes }))
    .use(healthRoutes(registries, upstreams));
  const addressOf = (request: Request) =>
    clientAddress(app.server?.requestIP(request)?.address, request.headers.get("x-forwarded-for"), config.trustProxy);
  if (auth) app.use(await assetRoutes()).use(oauthRoutes(auth, log, addressOf));
  app.use(mcpRoutes(mcp, auth, addressOf)).listen({
    hostname: config.listen.host,
    port: config.listen.port,
    idleTimeout: IDLE_TIMEOUT_S,
    maxRequestBodySize: maxBody,
    // Elysia asks for SO_REUSEPORT by default: a second appliance (or anything else) on the same
    // port would then bind too and take half the connections, each process with sessions the
    // other answers 404 for. A port in use must be an error at start.
    reusePort: false,
    // Bun's development mode renders its own error pages; the appliance answers every error itself.
    development: false,
  });

  const server = app.server;
  if (!server) throw new Error("the HTTP server did not start");
  const port = server.port ?? config.listen.port;
  const url = config.publicUrl ?? listenOrigin({ host: config.listen.host, port });
  if (store) {
    authorizationServer = new AuthorizationServer({
      config,
      issuer: url,
      store,
      log,
      metadataDocumentFetch: options.metadataDocumentFetch,
    });
    const { guard } = authorizationServer;
    for (const registry of registries) registry.checkCredentialsWith((credential) => guard.credentialState(credential, Date.now()));
    if (!authorizationServer.owner.passwordHash) {
      log.warn("no owner password is set: run `mcp-appliance passwd` so that the owner can approve clients");
    }
  }

  let lastStoreHousekeeping = Date.now();
  const housekeeping = setInterval(() => {
    const now = Date.now();
    for (const registry of registries) registry.tick(now);
    authorizationServer?.noticeOutsideChanges();
    if (authorizationServer && now - lastStoreHousekeeping >= STORE_HOUSEKEEPING_EVERY_MS) {
      lastStoreHousekeeping = now;
      authorizationServer.housekeeping();
    }
    flushLog(log);
  }, HOUSEKEEPING_EVERY_MS);

  const servers = [
    ...config.servers.map((s) => ({ name: s.name, path: s.path })),
    ...upstreams.map((u) => ({ name: u.serverName, path: u.server.path, upstream: u.upstreamOrigin })),
  ];
  log.info({ url, listen: formatListen({ host: config.listen.host, port }), auth: config.auth, servers }, "listening");

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    hostname: config.listen.host,
    authorizationServer,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(housekeeping);
        // Stop accepting first; then ending the sessions ends their streams and children.
        // Requests in flight get shutdown_timeout, sessions' and others' (OAuth, proxied) alike.
        const drainMs = config.limits.shutdownTimeoutMs;
        const deadline = Date.now() + drainMs;
        const draining = server.stop(false);
        await Promise.all(registries.map((r) => r.closeAll("the appliance is shutting down", drainMs)));
        await Promise.race([draining, Bun.sleep(Math.max(deadline - Date.now(), LAST_ANSWERS_MS))]);
        await server.stop(true);
        store?.close();
        log.info("stopped");
      })()),
  };
}
