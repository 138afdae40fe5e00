// A 2025 child's answers, shaped as the results of protocol revision 2026-07-28: the members that
// revision requires are added where the child left them out, and nothing else is touched, so
// tool schemas and results still reach the client byte for byte (see channel/json-splice.ts).

import { isObject, parseObject } from "../../common/json-object.ts";
import { findMember, insertMembers, replaceMember } from "../channel/json-splice.ts";
import { ErrorCode, type JsonRpcId } from "../jsonrpc.ts";
import { META } from "../request-meta.ts";

/** [servers.<name>] cache_ttl / cache_scope: the caching hint of results that carry none (SEP-2549). */
export interface CacheHint {
  ttlMs: number;
  cacheScope: "private" | "public";
}

/** schema.ts `CacheableResult`: the results that MUST carry ttlMs and cacheScope. */
const CACHEABLE = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

/** 2025-11-25 resources §Error Handling: the code a 2025 server answers an unknown URI with. */
const LEGACY_RESOURCE_NOT_FOUND = -32002;

/**
 * A 2025 child's answer line to a 2026-07-28 request, shaped as that revision's result:
 * `resultType: "complete"` when absent (schema.ts `Result`: servers of this revision MUST send
 * it; a 2025 answer is always complete — an input_required answer is built by
 * inputRequiredResponse), and on the cacheable results `ttlMs` / `cacheScope` from `cache` when
 * absent or not valid (CacheableResult: a non-negative integer, "public" or "private").
 * `serverInfo` (Implementation JSON text) goes into `result._meta` unless it names one already.
 * Error answers stay as they are, but a resources/read "resource not found" in the 2025 code
 * (-32002 with `data.uri`) gets the code that replaced it, -32602 (changelog, minor change 6):
 * the bridge's own -32002 (a message too large) carries no data and is left alone.
 */
export function modernAnswer(
  line: string,
  method: string,
  cache: CacheHint,
  serverInfo?: string,
  parsed?: Record<string, unknown>,
): string {
  // `parsed`: the answer as the caller read it already (jsonrpc.peek), so it is not parsed twice.
  const answer = parsed ?? parseObject(line);
  if (!answer) return line;
  if (Object.hasOwn(answer, "error")) return modernError(line, method, answer.error);
  const result = answer.result;
  if (!isObject(result)) return line;
  const members: [string, string][] = [];
  if (!Object.hasOwn(result, "resultType")) members.push(["resultType", '"complete"']);
  let text = line;
  if (CACHEABLE.has(method)) {
    const ttl = result.ttlMs;
    if (!(typeof ttl === "number" && Number.isSafeInteger(ttl) && ttl >= 0)) {
      if (Object.hasOwn(result, "ttlMs")) text = replaceMember(text, ["result", "ttlMs"], JSON.stringify(cache.ttlMs));
      else members.push(["ttlMs", JSON.stringify(cache.ttlMs)]);
    }
    const scope = result.cacheScope;
    if (scope !== "public" && scope !== "private") {
      if (Object.hasOwn(result, "cacheScope")) text = replaceMember(text, ["result", "cacheScope"], JSON.stringify(cache.cacheScope));
      else members.push(["cacheScope", JSON.stringify(cache.cacheScope)]);
    }
  }
  text = insertMembers(text, ["result"], members);
  return serverInfo === undefined ? text : withServerInfo(text, result._meta, serverInfo);
}

/**
 * mrtr §InputRequiredResult: the answer to the client's request `id` that asks it for the input
 * the child wants. `inputRequests` maps each server-assigned key to the child's request (its
 * JSON-RPC request line, or any object text with `method` and `params`): only `method` and
 * `params` are taken, as written — an input request is de-JSON-RPC'd, without `jsonrpc` or `id`
 * (schema.ts `InputRequest`). `requestState` is always present, so the result is never without
 * both (mrtr §Server Requirements 6); an empty map leaves `inputRequests` out.
 */
export function inputRequiredResponse(
  id: JsonRpcId,
  inputRequests: ReadonlyMap<string, string>,
  requestState: string,
  serverInfo?: string,
): string {
  const members = [`"resultType":"input_required"`];
  if (inputRequests.size > 0) {
    const entries = [...inputRequests].map(([key, request]) => `${JSON.stringify(key)}:${embeddedRequest(request)}`);
    members.push(`"inputRequests":{${entries.join(",")}}`);
  }
  members.push(`"requestState":${JSON.stringify(requestState)}`);
  if (serverInfo !== undefined) members.push(`"_meta":{${JSON.stringify(META.serverInfo)}:${serverInfo}}`);
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{${members.join(",")}}}`;
}

function modernError(line: string, method: string, error: unknown): string {
  if (method !== "resources/read" || !isObject(error) || error.code !== LEGACY_RESOURCE_NOT_FOUND) return line;
  if (!isObject(error.data) || typeof error.data.uri !== "string") return line;
  return replaceMember(line, ["error", "code"], String(ErrorCode.InvalidParams));
}

function withServerInfo(text: string, meta: unknown, serverInfo: string): string {
  if (meta === undefined) return insertMembers(text, ["result"], [["_meta", `{${JSON.stringify(META.serverInfo)}:${serverInfo}}`]]);
  // A `_meta` that is not an object is the child's to answer for; it is not rewritten.
  return insertMembers(text, ["result", "_meta"], [[META.serverInfo, serverInfo]]);
}

/** `{"method":…,"params":…}` with both values copied from `request` as written. */
function embeddedRequest(request: string): string {
  // The child's lines were parsed when they arrived; this only keeps a broken one from throwing.
  if (!parseObject(request)) return "{}";
  const parts: string[] = [];
  for (const key of ["method", "params"]) {
    const span = findMember(request, [key]);
    if (span) parts.push(`"${key}":${request.slice(span.start, span.end)}`);
  }
  return `{${parts.join(",")}}`;
}
