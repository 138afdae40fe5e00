// Which requester a shared child's own messages concern. MCP 2025-11-25 transports: a server's
// request SHOULD relate to the client request it serves; it goes to that requester only, and
// only that requester may answer it (or is answered for when it goes).
import { ErrorCode, errorResponse, idKey, type JsonRpcId } from "../jsonrpc.ts";

/**
 * No 2025 revision carries the id of the request a server's own request is about (the SDKs keep
 * it inside the HTTP transport); a child may name it here, in the child's numbering.
 */
const RELATED_REQUEST_META = "io.modelcontextprotocol/related-request-id";

/** The client capability each server-to-client request needs (MCP 2025-11-25 client features). */
export const NEEDS_CAPABILITY: Record<string, string> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};

/** The answer to a child's request that no requester waits for: nobody else may answer it, and a child waiting would hang. */
export function unattributedError(id: JsonRpcId): string {
  return errorResponse(id, ErrorCode.InternalError, "no client request in flight to attribute this request to (the MCP server is shared)");
}

/** 2026-07-28 basic §Error Codes: MissingRequiredClientCapability names what is missing. */
export function missingCapabilityError(id: JsonRpcId, capability: string): string {
  return errorResponse(
    id,
    ErrorCode.MissingRequiredClientCapability,
    `the client of this request did not declare the ${capability} capability`,
    {
      requiredCapabilities: { [capability]: {} },
    },
  );
}

/**
 * The client request (by the child's id) a message of the child is about: named in _meta, by
 * progress token, or the only one. A request whose client was asked for input and has not come
 * back (a 2026-07-28 call parked in a multi round-trip) is waiting, not asking: the one request
 * left is the asker.
 */
export function attributed<E extends { port: { listener: { awaitingInput?: boolean } } }>(
  requests: ReadonlyMap<number, E>,
  params: Record<string, unknown> | undefined,
): E | undefined {
  const meta = params?._meta as Record<string, unknown> | undefined;
  for (const named of [meta?.[RELATED_REQUEST_META], meta?.progressToken]) {
    const entry = typeof named === "number" ? requests.get(named) : undefined;
    if (entry) return entry;
  }
  let only: E | undefined;
  for (const entry of requests.values()) {
    if (entry.port.listener.awaitingInput) continue;
    if (only) return undefined;
    only = entry;
  }
  return only;
}

/** The child's requests sent to requesters, by the child's id. */
export class AskedRequests<P> {
  private readonly asked = new Map<string, { port: P; id: JsonRpcId }>();

  add(id: JsonRpcId, port: P): void {
    this.asked.set(idKey(id), { port, id });
  }

  /** The requester asked `id`, taken off the list (answered, or cancelled by the child). */
  take(id: unknown, port?: P): P | undefined {
    const key = typeof id === "string" || typeof id === "number" ? idKey(id) : undefined;
    const asked = key === undefined ? undefined : this.asked.get(key);
    if (key === undefined || !asked || (port !== undefined && asked.port !== port)) return undefined;
    this.asked.delete(key);
    return asked.port;
  }

  /** The ids of the requests `port` was asked and will never answer now, taken off the list. */
  takeAll(port: P): JsonRpcId[] {
    const ids: JsonRpcId[] = [];
    for (const [key, asked] of this.asked) {
      if (asked.port !== port) continue;
      this.asked.delete(key);
      ids.push(asked.id);
    }
    return ids;
  }

  clear(): void {
    this.asked.clear();
  }
}
