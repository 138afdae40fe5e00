// Mounts each configured server's MCP endpoints from one route table: for a stdio server
// Streamable HTTP at its path and the legacy HTTP+SSE stream and message endpoint at its
// sse_path; for an HTTP upstream server the proxy at its path. The request pipeline has checked
// the Origin (MCP transports §Security Warning) before a route runs; with auth on, each route
// passes the bearer guard, and the principal it establishes is handed to the bridge, which binds
// sessions to it and counts them per client (without auth, per client address). Bodies are read
// (or streamed upstream) by the bridge itself (`parse: "none"`), so a message is never parsed twice.
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { HttpUpstreamEndpoint } from "../bridge/http-upstream.ts";
import type { LegacySseEndpoint } from "../bridge/legacy-sse.ts";
import type { RequestNotes } from "../bridge/request-notes.ts";
import type { StreamableHttpEndpoint } from "../bridge/streamable-http.ts";
import type { AuthorizationServer } from "../oauth/authorization-server.ts";
import type { GuardDecision } from "../oauth/bearer-guard.ts";
import type { AccessNotes } from "./access-log.ts";
import { errorResponse } from "./error-responses.ts";
import { noteRequest } from "./pipeline.ts";

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

type Handler = (request: Request, notes: RequestNotes, server: Server<unknown> | null) => Response | Promise<Response>;

/** One MCP endpoint: the route table is the one list of MCP paths (the pipeline's too). */
interface McpRoute {
  method: "ALL" | "GET" | "POST";
  path: string;
  /** The configured server's name: its protected resource, its access-log name. */
  server: string;
  /** The legacy HTTP+SSE transport: its own resource metadata URL in the challenge. */
  legacy: boolean;
  handle: Handler;
}

export function mcpRouteTable(servers: readonly ServedServer[], proxied: readonly ProxiedServer[]): McpRoute[] {
  const routes: McpRoute[] = [];
  for (const { path, streamable, legacy } of servers) {
    const server = streamable.serverName;
    routes.push(
      { method: "ALL", path, server, legacy: false, handle: (req, notes) => streamable.handle(req, notes) },
      { method: "GET", path: legacy.streamPath, server, legacy: true, handle: (req, notes) => legacy.openStream(req, notes) },
      { method: "POST", path: legacy.messagePath, server, legacy: true, handle: (req, notes) => legacy.postMessage(req, notes) },
    );
  }
  for (const { path, upstream } of proxied) {
    routes.push({
      method: "ALL",
      path,
      server: upstream.serverName,
      legacy: false,
      handle: (req, notes, bun) => {
        // A proxied exchange lasts as long as the upstream takes: upstream_timeout bounds the
        // wait for its headers, keep-alive frames the quiet of its streams. Bun's idle timeout
        // (app.ts) would cut a longer wait, so it is lifted, once the client is authenticated.
        bun?.timeout(req, 0);
        return upstream.handle(req, notes);
      },
    });
  }
  return routes;
}

/** RFC 6750 §3: the guard's status and challenge, the body a JSON-RPC error as on every MCP path. */
function refused(decision: Extract<GuardDecision, { ok: false }>): Response {
  // RFC 6750 §3.1: without credentials there is no error code; the challenge says what to do.
  const message = decision.error
    ? `${decision.error.code}: ${decision.error.description}`
    : "this MCP server needs an OAuth access token; see the WWW-Authenticate header";
  return errorResponse("mcp", decision.status, message, { "www-authenticate": decision.challenge });
}

/**
 * A route's bearer check, bound to its protected server once: the authorization server exists
 * only once the port is bound, so the binding happens at the first request.
 */
function bearerCheck(auth: () => AuthorizationServer, route: McpRoute): (authorization: string | null) => GuardDecision {
  let bound: ((authorization: string | null) => GuardDecision) | undefined;
  return (authorization) => {
    if (!bound) {
      const { guard } = auth();
      const target = auth().serverFor(route.server);
      if (!target) throw new Error(`no protected resource for the server ${route.server}`);
      bound = (header) => guard.check(header, target, Date.now(), route.legacy);
    }
    return bound(authorization);
  };
}

export function mcpRoutes(
  routes: readonly McpRoute[],
  auth: (() => AuthorizationServer) | undefined,
  addressOf: (request: Request) => string,
) {
  const app = new Elysia({ name: "mcp-routes" });
  for (const route of routes) {
    const check = auth && bearerCheck(auth, route);
    const handler = async ({ request, server }: { request: Request; server: Server<unknown> | null }): Promise<Response> => {
      const access: AccessNotes = { server: route.server };
      noteRequest(request, access);
      const decision = check?.(request.headers.get("authorization"));
      if (decision && !decision.ok) return refused(decision);
      const notes: RequestNotes = {};
      if (decision?.ok) {
        notes.principal = `${decision.principal.kind}:${decision.principal.id}`;
        notes.credential = decision.credential;
      }
      notes.client = () => notes.principal ?? `address:${addressOf(request)}`;
      const response = await route.handle(request, notes, server);
      access.session = notes.session;
      return response;
    };
    if (route.method === "GET") app.get(route.path, handler, { parse: "none" });
    else if (route.method === "POST") app.post(route.path, handler, { parse: "none" });
    else app.all(route.path, handler, { parse: "none" });
  }
  return app;
}
