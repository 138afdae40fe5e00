// One stateless (2026-07-28) request served by a 2025-era child, from its first POST to its
// answer. The child has no idea of per-request metadata: the call opens a port of the shared
// child, has it initialized (once per child, answered from the cache after that), sets the
// request's log level, and sends the request. What the child says about it goes to the round
// (the POST) waiting for it.
//
// MRTR relay (basic/patterns/mrtr): a child's sampling, elicitation or roots request is not
// sent to the client as a request (streamable-http §Receiving Messages forbids it); the round
// ends with an InputRequiredResult carrying it as an input request, the child's call stays
// waiting, and the client's retry (a new POST with inputResponses and the requestState) delivers
// the answers to the child and waits for what comes next: the final answer, or another round.
// A 2026 child (channel/era-probe.ts) gets the request as written; its answers pass unchanged but
// the requestState of its input_required rounds, sealed around the child's (mrtr §Server Requirements 4-5).
import { isObject } from "../../common/json-object.ts";
import type { Logger } from "../../log.ts";
import type { ChildChannel, ChildListener } from "../channel/child-channel.ts";
import { findMember, insertMembers, replaceMember } from "../channel/json-splice.ts";
import { ErrorCode, errorResponse, idKey, type JsonRpcId, type PeekedMessage, peek, requestTimeoutResponse } from "../jsonrpc.ts";
import { MODERN_PROTOCOL_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS } from "../protocol-version.ts";
import { discoverResponse, serverInfoOf } from "./discover.ts";
import type { ModernEnvelope } from "./envelope.ts";
import type { CallBinding, RequestStateSealer } from "./request-state.ts";
import { type CacheHint, inputRequiredResponse, modernAnswer } from "./result-shape.ts";
import type { Round } from "./round.ts";

/** The port's own ids: each call has a port of its own, so they never meet another call's. */
const INITIALIZE_ID = 0;
const REQUEST_ID = 1;
const SET_LEVEL_ID = 2;

/**
 * A child that asks several questions at once writes them one line after another, and they may
 * be read apart: the questions that come within this long of the first go in one round
 * (mrtr: several input requests in one InputRequiredResult).
 */
const GATHER_INPUT_MS = 20;

/**
 * The child's errors that 2026-07-28 answers with an HTTP status of their own (streamable-http
 * §Protocol Version Header: a method not implemented is 404; basic §Error Codes: a missing
 * client capability is 400).
 */
const ERROR_STATUS: Record<number, number> = { [ErrorCode.MethodNotFound]: 404, [ErrorCode.MissingRequiredClientCapability]: 400 };

/** Requests a child may make of the client, carried as MRTR input requests (mrtr §InputRequests). */
const INPUT_METHODS = new Set(["sampling/createMessage", "elicitation/create", "roots/list"]);

/** mrtr §Supported Requests: only these may be answered with an InputRequiredResult. */
const MAY_ASK_FOR_INPUT = new Set(["tools/call", "prompts/get", "resources/read"]);

/**
 * What the appliance tells a shared child the client side can do: all three, since the relay
 * carries each to whichever client declares it; a request for one that the asking client did
 * not declare is refused per request (shared-child.ts), as mrtr §Server Requirements 7 needs.
 */
export const RELAYABLE_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} };

interface CallSettings {
  server: string;
  requestTimeoutMs: number;
  cache: CacheHint;
  log: Logger;
  sealer: RequestStateSealer;
  /** Told of the child's answer (as the child wrote it), before it is shaped for the client. */
  observeAnswer?: (line: string) => void;
}

/** The request of one POST of a call. */
export interface CallRequest {
  id: JsonRpcId;
  method: string;
  params: Record<string, unknown> | undefined;
  /** The request as the client wrote it, on one line. */
  text: string;
  envelope: ModernEnvelope;
  binding: CallBinding;
}

interface InputRequest {
  /** The child's id of its request, as the child wrote it. */
  childId: JsonRpcId;
  /** The child's request line: its method and params go to the client as written. */
  request: string;
}

export class StatelessCall implements ChildListener {
  /** shared-child.ts: messages of the child reach this port only when they concern its request. */
  readonly perRequest = true;
  readonly relayable = RELAYABLE_CAPABILITIES;
  readonly key = crypto.randomUUID();
  private channel: ChildChannel | undefined;
  private state: "starting" | "running" | "parked" | "ended" = "starting";
  private clientId: JsonRpcId;
  private round: Round;
  /** Input requests the client was sent and has not answered yet, by key. */
  private readonly asked = new Map<string, InputRequest>();
  /** Input requests of the child not yet sent to the client. */
  private readonly unsent = new Map<string, InputRequest>();
  private inputCount = 0;
  private roundCount = 0;
  private flushQueued = false;
  /** The child's serverInfo (JSON text), named in each result's _meta (schema ResultMetaObject). */
  private serverInfo: string | undefined;
  private deadline: number;
  /** A 2026 child's own requestState (JSON text) of the round the client is asked to answer. */
  private childState: string | undefined;
  private readonly endListeners: Array<() => void> = [];

  constructor(
    private readonly settings: CallSettings,
    private readonly request: CallRequest,
    round: Round,
  ) {
    this.clientId = request.id;
    this.round = round;
    this.deadline = Date.now() + settings.requestTimeoutMs;
    round.onClientGone(() => this.end("the client closed the request"));
  }

  get ended(): boolean {
    return this.state === "ended";
  }

  /** Waiting for the client's input, not for the child (shared-child.ts: what the child asks now is not this call's). */
  get awaitingInput(): boolean {
    return this.state === "parked";
  }

  /** Which round's requestState the call waits for: an older one is a replay. */
  get expectedState(): string {
    return `${this.key}.${this.roundCount}`;
  }

  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  /** Open the port (`attach` may throw: the caller answers the round) and start. */
  start(attach: (listener: ChildListener) => ChildChannel): void {
    this.channel = attach(this);
    const { envelope } = this.request;
    this.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: INITIALIZE_ID,
        method: "initialize",
        params: {
          protocolVersion: SUPPORTED_PROTOCOL_VERSIONS[0],
          // What this request's client can serve; the child is told `relayable`.
          capabilities: envelope.clientCapabilities,
        },
      }),
    );
  }

  /** The client's retry with its inputResponses (mrtr §Basic Workflow), on a new POST. */
  resume(request: CallRequest, round: Round): void {
    if (this.state !== "parked") {
      round.finish(errorResponse(request.id, ErrorCode.InvalidParams, "this requestState is not waiting for input"));
      return;
    }
    const responses = request.params?.inputResponses;
    if (!isObject(responses)) {
      round.finish(errorResponse(request.id, ErrorCode.InvalidParams, "inputResponses must be an object of answers by input request key"));
      return;
    }
    this.clientId = request.id;
    this.round = round;
    this.state = "running";
    this.deadline = Date.now() + this.settings.requestTimeoutMs;
    round.onClientGone(() => this.end("the client closed the request"));
    if (this.channel?.modern) {
      this.send(replaceMember(this.withChildState(request.text), ["id"], String(REQUEST_ID)));
      return;
    }
    for (const [key, asked] of this.asked) {
      const answer = responses[key];
      // mrtr §Error Handling: what is missing is asked for again; what is unknown is ignored.
      if (!isObject(answer)) continue;
      this.asked.delete(key);
      this.send(JSON.stringify({ jsonrpc: "2.0", id: asked.childId, result: answer }));
    }
    if (this.asked.size > 0 || this.unsent.size > 0) this.queueFlush();
  }

  // ---- child → client ----------------------------------------------------------------------

  fromChild(line: string): void {
    if (this.state === "ended") return;
    const peeked = peek(line);
    if (!peeked.ok) return;
    const message = peeked.value;
    if (message.kind === "response") this.answer(message, line);
    else if (message.kind === "request") this.childRequest(message, line);
    else if (message.method === "notifications/progress" || message.method === "notifications/message") {
      if (this.state === "running") this.round.notify(line);
    } else if (message.method === "notifications/cancelled") {
      // The child gave up one of its input requests: the client need not answer it.
      const requestId = message.params?.requestId;
      if (typeof requestId === "string" || typeof requestId === "number") this.forgetInput(requestId);
    }
    // list_changed and resources/updated are for subscriptions/listen streams (listen-stream.ts).
  }

  oversizedFromChild(length: number): void {
    this.finishWith(
      errorResponse(this.clientId, ErrorCode.MessageTooLarge, `the MCP server's message (${length} bytes) exceeds max_message_size`),
    );
  }

  childExited(code: number | null, signal: string | null): void {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.finishWith(
      errorResponse(this.clientId, ErrorCode.ServerUnavailable, `the MCP server process exited (${how}); send the request again`),
    );
  }

  private answer(message: Extract<PeekedMessage, { kind: "response" }>, line: string): void {
    if (message.id === INITIALIZE_ID && this.channel?.modern) {
      this.openedModern(line);
      return;
    }
    if (message.id === INITIALIZE_ID) {
      if (message.isError) {
        this.finishWith(errorResponse(this.clientId, ErrorCode.ServerUnavailable, "the MCP server did not initialize"));
        return;
      }
      this.initialized(message, line);
      return;
    }
    if (message.id !== REQUEST_ID) return;
    this.settings.observeAnswer?.(line);
    const code = message.isError ? (JSON.parse(line) as { error?: { code?: unknown } }).error?.code : undefined;
    const status = typeof code === "number" ? (ERROR_STATUS[code] ?? 200) : 200;
    if (this.channel?.modern) {
      this.modernResult(message, line, status);
      return;
    }
    const answer = modernAnswer(
      replaceMember(line, ["id"], JSON.stringify(this.clientId)),
      this.request.method,
      this.settings.cache,
      this.serverInfo,
      message.isError ? undefined : { result: message.result },
    );
    this.finishWith(answer, status);
  }

  /** A 2026 child's initialize is its DiscoverResult (channel/modern-child.ts): the request goes as written. */
  private openedModern(discover: string): void {
    if (this.request.method === "server/discover") {
      this.finishWith(replaceMember(discover, ["id"], JSON.stringify(this.clientId)));
      return;
    }
    this.state = "running";
    this.send(replaceMember(this.request.text, ["id"], String(REQUEST_ID)));
  }

  /** A 2026 child's answer, unchanged but its id; an input_required one parks the call with the child's requestState. */
  private modernResult(message: Extract<PeekedMessage, { kind: "response" }>, line: string, status: number): void {
    const answer = replaceMember(line, ["id"], JSON.stringify(this.clientId));
    if ((message.result as { resultType?: unknown } | undefined)?.resultType !== "input_required") {
      this.finishWith(answer, status);
      return;
    }
    const own = findMember(answer, ["result", "requestState"]);
    this.childState = own ? answer.slice(own.start, own.end) : undefined;
    this.roundCount++;
    const sealed = JSON.stringify(this.settings.sealer.seal(this.expectedState, this.request.binding, Date.now()));
    this.state = "parked";
    this.deadline = Date.now() + this.settings.requestTimeoutMs;
    this.round.finish(
      own ? replaceMember(answer, ["result", "requestState"], sealed) : insertMembers(answer, ["result"], [["requestState", sealed]]),
    );
  }

  /** The client's retry as the child expects it: with the child's requestState in place of the appliance's, or none. */
  private withChildState(text: string): string {
    if (this.childState !== undefined) return replaceMember(text, ["params", "requestState"], this.childState);
    const { params, ...message } = JSON.parse(text) as { params: Record<string, unknown> };
    return JSON.stringify({ ...message, params: { ...params, requestState: undefined } });
  }

  private initialized(message: Extract<PeekedMessage, { kind: "response" }>, line: string): void {
    const { method, envelope, text } = this.request;
    if (method === "server/discover") {
      this.finishWith(discoverResponse(this.clientId, line, MODERN_PROTOCOL_VERSIONS, this.settings.cache));
      return;
    }
    this.state = "running";
    this.serverInfo = serverInfoOf(line, message.result);
    const capabilities = (message.result as { capabilities?: Record<string, unknown> } | undefined)?.capabilities;
    // 2026-07-28 carries the log level in each request's _meta; a 2025 child is set to it (the
    // child is set to the most verbose level any requester asked for: shared-child.ts).
    if (envelope.logLevel !== undefined && capabilities?.logging !== undefined) {
      this.send(JSON.stringify({ jsonrpc: "2.0", id: SET_LEVEL_ID, method: "logging/setLevel", params: { level: envelope.logLevel } }));
    }
    this.send(replaceMember(text, ["id"], String(REQUEST_ID)));
  }

  private childRequest(message: Extract<PeekedMessage, { kind: "request" }>, line: string): void {
    if (message.method === "ping") {
      this.send(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} }));
      return;
    }
    if (!INPUT_METHODS.has(message.method) || !MAY_ASK_FOR_INPUT.has(this.request.method)) {
      this.send(
        errorResponse(
          message.id,
          ErrorCode.MethodNotFound,
          `${message.method} cannot be relayed to the client of a 2026-07-28 ${this.request.method}`,
        ),
      );
      return;
    }
    const key = `input-${++this.inputCount}`;
    this.unsent.set(key, { childId: message.id, request: line });
    this.queueFlush();
  }

  /** Input requests of one burst go in one InputRequiredResult (GATHER_INPUT_MS). */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setTimeout(() => {
      this.flushQueued = false;
      this.flush();
    }, GATHER_INPUT_MS);
  }

  private flush(): void {
    if (this.state !== "running" || (this.asked.size === 0 && this.unsent.size === 0)) return;
    for (const [key, input] of this.unsent) this.asked.set(key, input);
    this.unsent.clear();
    this.roundCount++;
    const requestState = this.settings.sealer.seal(this.expectedState, this.request.binding, Date.now());
    const inputRequests = new Map([...this.asked].map(([key, input]) => [key, input.request]));
    this.state = "parked";
    this.deadline = Date.now() + this.settings.requestTimeoutMs;
    this.round.finish(inputRequiredResponse(this.clientId, inputRequests, requestState, this.serverInfo));
  }

  private forgetInput(childId: JsonRpcId): void {
    for (const inputs of [this.asked, this.unsent]) {
      for (const [key, input] of inputs) if (idKey(input.childId) === idKey(childId)) inputs.delete(key);
    }
  }

  // ---- housekeeping ------------------------------------------------------------------------

  /** About once a second: the request's deadline, and its round's stream upgrade. */
  tick(now: number): void {
    if (this.state === "ended") return;
    if (this.state !== "parked") this.round.tick(now);
    if (now < this.deadline) return;
    if (this.state === "parked") {
      this.end("the client did not send the input asked for within request_timeout");
      return;
    }
    this.finishWith(requestTimeoutResponse(this.clientId, this.settings.requestTimeoutMs));
  }

  keepAlive(): void {
    if (this.state === "running") this.round.keepAlive();
  }

  /**
   * Stop: the child's request, if still running, is cancelled (shared-child.ts detach), and a
   * round still waiting is answered with the reason (shutdown, a credential that ended).
   */
  end(reason: string): void {
    if (this.state === "ended") return;
    if (this.state !== "parked")
      this.round.finish(errorResponse(this.clientId, ErrorCode.ServerUnavailable, `the request ended: ${reason}`));
    this.state = "ended";
    this.settings.log.debug({ server: this.settings.server, reason }, "stateless request ended");
    void this.channel?.stop();
    for (const listener of this.endListeners.splice(0)) listener();
  }

  private finishWith(line: string, status = 200): void {
    if (this.state === "ended") return;
    this.round.finish(line, status);
    this.end("answered");
  }

  private send(line: string): void {
    if (this.channel?.send(line) === false) {
      this.finishWith(errorResponse(this.clientId, ErrorCode.ServerUnavailable, "the MCP server process is not running"));
    }
  }
}
