// A real HTTPS server on 127.0.0.1, port 0, that serves client ID metadata documents (or
// misbehaves on purpose) and counts what reached it.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { TestCertificates } from "./tls-fixture.ts";

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface DocumentServer {
  port: number;
  /** `https://<host>:<port><path>` */
  url(path: string, host?: string): string;
  /** Requests that reached a handler, by path. */
  requests: Map<string, number>;
  /** TCP connections accepted (any request or not). */
  connections: number;
  /** SNI names and Host headers seen. */
  serverNames: string[];
  hostHeaders: string[];
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

export function json(body: unknown, headers: Record<string, string> = {}): Route {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

export async function startDocumentServer(certs: TestCertificates): Promise<DocumentServer> {
  const routes = new Map<string, Route>();
  const server = createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    const path = req.url ?? "";
    state.requests.set(path, (state.requests.get(path) ?? 0) + 1);
    state.hostHeaders.push(req.headers.host ?? "");
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  server.on("connection", () => state.connections++);
  server.on("secureConnection", (socket: TLSSocket) => state.serverNames.push(String((socket as { servername?: unknown }).servername)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const state: DocumentServer = {
    port,
    url: (path, host = "cimd.test") => `https://${host}:${port}${path}`,
    requests: new Map(),
    connections: 0,
    serverNames: [],
    hostHeaders: [],
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  return state;
}
