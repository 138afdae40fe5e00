// One log line per HTTP request: method, path, status, duration, server, session. The request
// pipeline writes it, once for every answer. Never the body, the query string or any header
// value (they may carry secrets).
import type { Logger } from "../log.ts";
import { pathOf } from "./path-kinds.ts";

export interface AccessNotes {
  server?: string;
  session?: string;
}

export function logRequest(log: Logger, request: Request, status: number, startedAt: number, notes: AccessNotes): void {
  // Checked first: building the line costs more than pino's own level check saves.
  if (!log.isLevelEnabled("info")) return;
  const path = pathOf(request.url);
  log.info(
    {
      method: request.method,
      path: path.length > 200 ? `${path.slice(0, 200)}…` : path,
      status,
      ms: Math.round((performance.now() - startedAt) * 100) / 100,
      server: notes.server,
      session: notes.session,
    },
    "request",
  );
}
