// Inputs the fuzz properties steer around while a bug they found is open. Each bug has its own
// failing test in found-bugs.test.ts; once it is fixed, delete its function here (and its call)
// so the properties reach those inputs again.
import { parseEventId } from "../../src/bridge/event-log.ts";

const SILENT_VERSIONS = ["2025-06-18", "2025-03-26", "2024-11-05"];

/**
 * "BUG: a GET stream with nothing to send at once gets its response headers only with the first
 * keep-alive (~15 s)": a GET stream for a protocol version before 2025-11-25, or resumed with a
 * Last-Event-ID that has nothing to replay, would be reported as a hang. Such GETs go without
 * those two headers.
 */
export function avoidSilentStreamBug(method: string, headers: Record<string, string>): Record<string, string> {
  if (method !== "GET") return headers;
  const { "mcp-protocol-version": version, "last-event-id": lastEventId, ...rest } = headers;
  const silentVersion = version !== undefined && SILENT_VERSIONS.includes(version);
  const resumes = lastEventId !== undefined && lastEventId !== "" && parseEventId(lastEventId) !== undefined;
  return {
    ...rest,
    ...(version !== undefined && !silentVersion ? { "mcp-protocol-version": version } : {}),
    ...(lastEventId !== undefined && !resumes ? { "last-event-id": lastEventId } : {}),
  };
}

/**
 * "BUG: a Host header with a port that is not a port passes the Host check and answers 500": a
 * loopback Host with a bad port ("127.0.0.1:99999", "localhost:x") becomes the plain loopback
 * name. (Other hosts are refused with 421 before any route runs.)
 */
export function avoidBadPortHostBug(host: string): string {
  const match = /^\s*(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(host);
  if (!match || match[2] === undefined) return host;
  const port = match[2].trim();
  return /^\d{1,5}$/.test(port) && Number(port) <= 65535 ? host : match[1]!;
}
