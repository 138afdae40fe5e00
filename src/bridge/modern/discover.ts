// server/discover (protocol revision 2026-07-28, SEP-2575) answered for a 2025 child from what the
// child said to initialize: its capabilities, instructions and identity, as it wrote them.

import { isObject, parseObject } from "../../common/json-object.ts";
import { findMember } from "../channel/json-splice.ts";
import { ErrorCode, errorResponse, type JsonRpcId } from "../jsonrpc.ts";
import { META } from "../request-meta.ts";
import type { CacheHint } from "./result-shape.ts";

/**
 * Capabilities of a 2025 child that a 2026-07-28 client is not told of; every other member is
 * passed on as written (schema.ts: ServerCapabilities "is not a closed set").
 * - `tasks` (2025-11-25 task-augmented requests) is not a capability of this revision: tasks
 *   moved to the `io.modelcontextprotocol/tasks` extension with another wire (changelog, major
 *   change 6), which a 2025 child does not speak.
 * Kept, as this revision still defines them:
 * - `logging` (deprecated, SEP-2577): a request opts in with `_meta` logLevel (changelog, major
 *   change 5); the call sets the child to that level and the child's log messages reach only the
 *   ports that asked for one (stateless-call.ts, shared-child.ts), so a request without it gets none.
 * - `resources.subscribe` and the `listChanged` flags: delivered on subscriptions/listen
 *   (`resourceSubscriptions`, `*ListChanged` filters) from the child's 2025 notifications, as the
 *   SDK advertises them as-is on discover; a client picks its listen filters from them.
 */
const NOT_OFFERED = new Set(["tasks"]);

/**
 * The answer to server/discover `id` (schema.ts `DiscoverResult`, a CacheableResult):
 * `supportedVersions`, the child's capabilities less NOT_OFFERED, its instructions, the cache
 * hint, and its serverInfo in `_meta` (spec PR #3002 moved it out of the result body).
 * `initializeAnswer` is the child's JSON-RPC answer line to initialize; one without a result
 * gets an internal error, as the child cannot be described.
 */
export function discoverResponse(id: JsonRpcId, initializeAnswer: string, supportedVersions: readonly string[], cache: CacheHint): string {
  const result = parseObject(initializeAnswer)?.result;
  if (!isObject(result)) return errorResponse(id, ErrorCode.InternalError, "the MCP server did not answer initialize");
  const members = [
    `"resultType":"complete"`,
    `"ttlMs":${JSON.stringify(cache.ttlMs)}`,
    `"cacheScope":${JSON.stringify(cache.cacheScope)}`,
    `"supportedVersions":${JSON.stringify(supportedVersions)}`,
    `"capabilities":${capabilities(initializeAnswer, result.capabilities)}`,
  ];
  if (typeof result.instructions === "string") members.push(`"instructions":${asWritten(initializeAnswer, ["result", "instructions"])}`);
  const serverInfo = serverInfoIn(initializeAnswer, result);
  if (serverInfo !== undefined) members.push(`"_meta":{${JSON.stringify(META.serverInfo)}:${serverInfo}}`);
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{${members.join(",")}}}`;
}

/**
 * The child's `serverInfo` from its initialize answer line, as written, for the `_meta` of the
 * results it produces (schema.ts `ResultMetaObject`); absent unless it is an Implementation
 * (`name` and `version` strings).
 */
export function serverInfoOf(initializeAnswer: string, result: unknown = parseObject(initializeAnswer)?.result): string | undefined {
  return isObject(result) ? serverInfoIn(initializeAnswer, result) : undefined;
}

function serverInfoIn(line: string, result: Record<string, unknown>): string | undefined {
  const info = result.serverInfo;
  if (!isObject(info) || typeof info.name !== "string" || typeof info.version !== "string") return undefined;
  return asWritten(line, ["result", "serverInfo"]);
}

function capabilities(line: string, declared: unknown): string {
  if (!isObject(declared)) return "{}";
  const members = Object.keys(declared)
    .filter((name) => !NOT_OFFERED.has(name))
    .map((name) => `${JSON.stringify(name)}:${asWritten(line, ["result", "capabilities", name])}`);
  return `{${members.join(",")}}`;
}

/** The value at `path` as the child wrote it (the caller has seen it is there). */
function asWritten(line: string, path: readonly string[]): string {
  const span = findMember(line, path);
  return span ? line.slice(span.start, span.end) : "null";
}
