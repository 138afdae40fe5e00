// The MRTR relay the other way round, for a 2025 session on a child that speaks 2026-07-28
// itself (basic/patterns/mrtr.mdx; versioning §Backward Compatibility). The child answers a
// request that needs the client's input with an InputRequiredResult; a 2025 client knows only
// server-to-client requests. So each input request goes to the session as a request of the
// appliance's own (on the stream of the request it concerns), and once the client has answered
// them all the request is sent again with inputResponses under the child's keys and the child's
// requestState, until the child gives its final answer.

import { isObject } from "../../common/json-object.ts";
import { ErrorCode, errorResponse, type JsonRpcId, type PeekedMessage } from "../jsonrpc.ts";
import { insertMembers, replaceMember } from "./json-splice.ts";

type Answer = Extract<PeekedMessage, { kind: "response" }>;

/** One request of a requester waiting for its client's answers. */
interface Waiting<P> {
  port: P;
  /** The requester's id of its request, and the request as the requester sent it (the retry's base). */
  id: JsonRpcId;
  request: string;
  requestState: unknown;
  /** The appliance's id of each input request sent → the child's key of it. */
  keys: Map<string, string>;
  responses: Record<string, unknown>;
}

interface RelayTransport<P> {
  /** A request of the appliance to the requester, about its request `relatedTo`. */
  ask(port: P, line: string, relatedTo: JsonRpcId): void;
  /** The requester's request sent to the child again. */
  retry(port: P, line: string): void;
  /** The requester's request answered without the child (an error). */
  answer(port: P, line: string): void;
}

export class InputRelay<P> {
  /** By the appliance's id of an input request in flight. */
  private readonly asked = new Map<string, Waiting<P>>();
  private next = 0;

  constructor(private readonly transport: RelayTransport<P>) {}

  /**
   * The child's answer to `request` of `port` (its id `id`): true when it is an input_required
   * result and the relay has taken it over.
   */
  start(port: P, id: JsonRpcId, request: string, message: Answer): boolean {
    const result = message.result as { resultType?: unknown; inputRequests?: unknown; requestState?: unknown } | undefined;
    if (result?.resultType !== "input_required") return false;
    const inputs = isObject(result.inputRequests) ? Object.entries(result.inputRequests) : [];
    const wellFormed = inputs.filter((entry): entry is [string, { method: string; params?: unknown }] => {
      const input = entry[1];
      return isObject(input) && typeof input.method === "string";
    });
    if (wellFormed.length === 0 || wellFormed.length !== inputs.length) {
      this.transport.answer(port, errorResponse(id, ErrorCode.InternalError, "the MCP server asked for input it did not describe"));
      return true;
    }
    const waiting: Waiting<P> = { port, id, request, requestState: result.requestState, keys: new Map(), responses: {} };
    for (const [key, input] of wellFormed) {
      const askId = `mcp-appliance-input-${++this.next}`;
      waiting.keys.set(askId, key);
      this.asked.set(askId, waiting);
      const line = JSON.stringify({
        jsonrpc: "2.0",
        id: askId,
        method: input.method,
        ...(input.params !== undefined && { params: input.params }),
      });
      this.transport.ask(port, line, id);
    }
    return true;
  }

  /** A requester's answer: true when it answers one of the relay's requests (taken here). */
  answerFrom(port: P, message: Answer, line: string): boolean {
    const askId = typeof message.id === "string" ? message.id : undefined;
    const waiting = askId === undefined ? undefined : this.asked.get(askId);
    if (askId === undefined || waiting?.port !== port) return false;
    this.asked.delete(askId);
    const key = waiting.keys.get(askId) as string;
    waiting.keys.delete(askId);
    if (message.isError) {
      // The client could not answer: the request fails as the client's refusal.
      for (const other of waiting.keys.keys()) this.asked.delete(other);
      const reason = (JSON.parse(line) as { error?: { message?: unknown } }).error?.message;
      this.transport.answer(
        port,
        errorResponse(waiting.id, ErrorCode.InternalError, `the client refused the input asked for: ${String(reason)}`),
      );
      return true;
    }
    waiting.responses[key] = message.result;
    if (waiting.keys.size > 0) return true;
    // mrtr §Basic Workflow: the same request, with the answers and the state the child gave.
    let retried = insertMembers(waiting.request, [], [["params", "{}"]]);
    retried = replaceMember(retried, ["params", "inputResponses"], JSON.stringify(waiting.responses));
    retried = insertMembers(retried, ["params"], [["inputResponses", JSON.stringify(waiting.responses)]]);
    if (waiting.requestState !== undefined) {
      retried = replaceMember(retried, ["params", "requestState"], JSON.stringify(waiting.requestState));
      retried = insertMembers(retried, ["params"], [["requestState", JSON.stringify(waiting.requestState)]]);
    }
    this.transport.retry(port, retried);
    return true;
  }

  /** The requester cancelled its request `id` (MCP cancellation): its questions no longer matter. */
  cancel(port: P, id: JsonRpcId): void {
    for (const [askId, waiting] of this.asked) if (waiting.port === port && waiting.id === id) this.asked.delete(askId);
  }

  /** The requester is gone: its questions will never be answered. */
  forget(port: P): void {
    for (const [askId, waiting] of this.asked) if (waiting.port === port) this.asked.delete(askId);
  }
}
