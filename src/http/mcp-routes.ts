// Mounts each configured server's MCP endpoints: for a stdio server Streamable HTTP at its path
// and the legacy HTTP+SSE stream and message endpoint at its sse_path; for an HTTP upstream
// server the proxy at its path. Every request passes the Origin check
// (MCP transports §Security Warning) and, with auth on, the bearer guard; the principal it
// establishes is handed to the bridge, which binds sessions to it and counts them per client
// (without auth, per client address). Bodies are read (or streamed upstream) by the bridge
// itself (`parse: "none"`), so a message is never parsed twice.
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { HttpUpstreamEndpoint } from "../bridge/http-upstream.ts";
import type { LegacySseEndpoint } from "../bridge/legacy-sse.ts";
import type { RequestNotes, StreamableHttpEndpoint } from "../bridge/streamable-http.ts";
import type { Logger } from "../log.ts";
import type { AuthorizationServer } from "../oauth/authorization-server.ts";
import type { GuardDecision } from "../oauth/bearer-guard.ts";
import { logRequest } from "./access-log.ts";
import { withCors } from "./cors.ts";
import type { RequestPolicy } from "./request-policy.ts";

export interface ServedServer {
  path: string;
  streamable: StreamableHttpEndpoint;
  legacy: LegacySseEndpoint;
}

/** An HTTP upstream server: one path, proxied. */
export interface ProxiedServer {
  path: string;
  upstream: HttpUpstreamEndpoint;
}

type Handler = (request: Request, notes: RequestNotes) => Response | Promise<Response>;

function refused(decision: Extract<GuardDecision, { ok: false }>): Response {
  // RFC 6750 §3.1: without credentials there is no error code; the challenge says what to do.
  const body = decision.error
    ? decision.error.toJSON()
    : { error: "unauthorized", error_description: "this MCP server needs an OAuth access token; see the WWW-Authenticate header" };
  return new Response(JSON.stringify(body), {
    status: decision.status,
    headers: { "content-type": "application/json", "www-authenticate": decision.challenge },
  });
}

export function mcpRoutes(
  servers: readonly ServedServer[],
  log: Logger,
  policy: RequestPolicy,
  auth: (() => AuthorizationServer) | undefined,
  proxied: readonly ProxiedServer[],
  addressOf: (request: Request) => string,
) {
  const guarded = (server: string, legacy: boolean, handler: Handler) => {
    return async ({ request }: { request: Request }): Promise<Response> => {
      const startedAt = performance.now();
      const notes: RequestNotes = {};
      const origin = request.headers.get("origin");
      let response: Response;
      if (!policy.originAllowed(origin)) {
        response = new Response(
          JSON.stringify({ error: "forbidden_origin", error_description: "requests from this Origin are not allowed" }),
          {
            status: 403,
            headers: { "content-type": "application/json" },
          },
        );
      } else {
        const decision = auth?.().guard.check(request.headers.get("authorization"), auth().serverFor(server)!, Date.now(), legacy);
        if (decision && !decision.ok) response = refused(decision);
        else {
          if (decision?.ok) notes.principal = `${decision.principal.kind}:${decision.principal.id}`;
          notes.client = () => notes.principal ?? `address:${addressOf(request)}`;
          response = await handler(request, notes);
        }
        response = withCors(response, origin);
      }
      logRequest(log, request, response.status, startedAt, { server, session: notes.session });
      return response;
    };
  };

  const app = new Elysia({ name: "mcp-routes" });
  for (const served of servers) {
    const name = served.streamable.serverName;
    app.all(
      served.path,
      guarded(name, false, (req, notes) => served.streamable.handle(req, notes)),
      { parse: "none" },
    );
    app.get(
      served.legacy.streamPath,
      guarded(name, true, (req, notes) => served.legacy.openStream(req, notes)),
      { parse: "none" },
    );
    app.post(
      served.legacy.messagePath,
      guarded(name, true, (req, notes) => served.legacy.postMessage(req, notes)),
      { parse: "none" },
    );
  }
  for (const { path, upstream } of proxied) {
    const route = ({ request, server }: { request: Request; server: Server<unknown> | null }) =>
      guarded(upstream.serverName, false, (req, notes) => {
        // A proxied exchange lasts as long as the upstream takes: upstream_timeout bounds the
        // wait for its headers, keep-alive frames the quiet of its streams. Bun's idle timeout
        // (app.ts) would cut a longer wait, so it is lifted, once the client is authenticated.
        server?.timeout(req, 0);
        return upstream.handle(req, notes);
      })({ request });
    app.all(path, route, { parse: "none" });
  }
  return app;
}
