// Mounts each configured server's MCP endpoints: Streamable HTTP at its path, the legacy
// HTTP+SSE stream and message endpoint at its sse_path. Bodies are read by the bridge itself
// (`parse: "none"`), so a message is never parsed twice.
import { Elysia } from "elysia";
import type { LegacySseEndpoint } from "../bridge/legacy-sse.ts";
import type { RequestNotes, StreamableHttpEndpoint } from "../bridge/streamable-http.ts";
import type { Logger } from "../log.ts";
import { logRequest } from "./access-log.ts";
import { withCors } from "./cors.ts";

export interface ServedServer {
  path: string;
  streamable: StreamableHttpEndpoint;
  legacy: LegacySseEndpoint;
}

type Handler = (request: Request, notes: RequestNotes) => Response | Promise<Response>;

function logged(log: Logger, server: string, handler: Handler) {
  return async ({ request }: { request: Request }): Promise<Response> => {
    const startedAt = performance.now();
    const notes: RequestNotes = {};
    const response = withCors(await handler(request, notes), request.headers.get("origin"));
    logRequest(log, request, response.status, startedAt, { server, session: notes.session });
    return response;
  };
}

export function mcpRoutes(servers: readonly ServedServer[], log: Logger) {
  const app = new Elysia({ name: "mcp-routes" });
  for (const served of servers) {
    const name = served.streamable.serverName;
    app.all(served.path, logged(log, name, (req, notes) => served.streamable.handle(req, notes)), { parse: "none" });
    app.get(served.legacy.streamPath, logged(log, name, (req, notes) => served.legacy.openStream(req, notes)), { parse: "none" });
    app.post(served.legacy.messagePath, logged(log, name, (req, notes) => served.legacy.postMessage(req, notes)), { parse: "none" });
  }
  return app;
}
