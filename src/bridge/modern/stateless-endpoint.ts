// The 2026-07-28 side of a stdio server's MCP endpoint: requests that carry their own protocol
// version, capabilities and client identity in _meta, with no session (basic/versioning: a
// dual-era server serves them statelessly beside 2025 sessions). Each is a call on the child
// that serves its client (session-registry.ts attachStateless: per client, or one for everyone
// with sharing = "shared"); a call that needs the client's input spans several POSTs, joined by
// a tamper-evident requestState bound to the client, the server and the request (mrtr §Server
// Requirements 4–5). Stateless requests count against the same [limits] as sessions' requests.
import { isObject } from "../../common/json-object.ts";
import type { Logger } from "../../log.ts";
import { jsonResponse, jsonRpcErrorResponse, tooManyRequestsResponse } from "../http-responses.ts";
import { ErrorCode, errorResponse, type PeekedMessage } from "../jsonrpc.ts";
import type { RequestNotes } from "../request-notes.ts";
import type { IncomingMessage } from "../session.ts";
import { SESSION_LIMITS } from "../session-limits.ts";
import { SessionLimitError, type SessionRegistry, SpawnError } from "../session-registry.ts";
import type { ModernEnvelope } from "./envelope.ts";
import { ListenStream, readFilter } from "./listen-stream.ts";
import { checkParamHeaders } from "./param-headers.ts";
import { type CallBinding, paramsDigest, RequestStateSealer } from "./request-state.ts";
import { Round } from "./round.ts";
import { type CallRequest, RELAYABLE_CAPABILITIES, StatelessCall } from "./stateless-call.ts";
import { ToolSchemas } from "./tool-schemas.ts";

/**
 * Methods of the 2025 revisions that 2026-07-28 removed (changelog): a modern request for one is
 * a method this revision does not have, 404 with -32601 (streamable-http §Protocol Version Header).
 */
const REMOVED_METHODS = new Set(["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"]);

type Request_ = Extract<PeekedMessage, { kind: "request" }>;

export class StatelessEndpoint {
  private readonly calls = new Map<string, StatelessCall>();
  private readonly listens = new Set<ListenStream>();
  /** Calls and listen streams open per client, for the per-client [limits]. */
  private readonly heldBy = new Map<string, number>();
  private readonly sealer: RequestStateSealer;
  private readonly tools = new ToolSchemas();
  private lastKeepAlive = Date.now();

  constructor(
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
  ) {
    this.sealer = new RequestStateSealer(registry.server.requestTimeoutMs);
    registry.keep(this);
  }

  /** Calls in flight: shutdown gives them a little time, as it gives sessions. */
  get busy(): boolean {
    return [...this.calls.values()].some((call) => !call.awaitingInput);
  }

  post(request: Request, incoming: IncomingMessage, envelope: ModernEnvelope, notes: RequestNotes): Response | Promise<Response> {
    const message = incoming.message;
    // streamable-http §Sending Messages 5: this revision defines no client notifications over HTTP.
    if (message.kind !== "request") return new Response(null, { status: 202 });
    if (REMOVED_METHODS.has(message.method)) {
      return jsonRpcErrorResponse(404, ErrorCode.MethodNotFound, `Method not found: ${message.method} is not part of MCP 2026-07-28`, {
        id: message.id,
      });
    }
    const client = notes.client?.() ?? "anonymous";
    const server = this.registry.server.name;
    let binding: CallBinding | undefined;
    const callRequest: CallRequest = {
      id: message.id,
      method: message.method,
      params: message.params,
      text: incoming.text,
      envelope,
      // Digested only when a requestState is sealed or opened: most requests never need one.
      get binding() {
        binding ??= { principal: client, server, method: message.method, paramsDigest: paramsDigest(message.params) };
        return binding;
      },
    };
    if (message.method === "subscriptions/listen") return this.listen(message, envelope, client, notes.credential);
    if (message.method === "tools/call") {
      const name = message.params?.name;
      const schema = typeof name === "string" ? this.tools.get(name) : undefined;
      const refused = schema === undefined ? undefined : checkParamHeaders(request.headers, schema, message.params?.arguments);
      if (refused) return jsonRpcErrorResponse(refused.status, refused.code, refused.message, { id: message.id, data: refused.data });
    }
    // mrtr §Error Handling: inputResponses that are not an InputResponses object are refused.
    const responses = message.params?.inputResponses;
    if (responses !== undefined && !isObject(responses)) {
      return jsonResponse(
        errorResponse(message.id, ErrorCode.InvalidParams, "inputResponses must be an object of answers by input request key"),
      );
    }
    const state = message.params?.requestState;
    if (state !== undefined) return this.resume(request, callRequest, state);
    return this.start(request, callRequest, client, notes.credential);
  }

  private start(request: Request, callRequest: CallRequest, client: string, credential: string | undefined): Promise<Response> | Response {
    const held = this.heldBy.get(client) ?? 0;
    const { maxRequestsPerSession, maxSessionsPerClient } = this.registry.limits;
    if (held >= maxRequestsPerSession * maxSessionsPerClient) {
      return tooManyRequestsResponse(
        `this client already has ${held} stateless requests in flight (max_requests_per_session × max_sessions_per_client); send it again once one is answered`,
        SESSION_LIMITS.retryAfterS,
        callRequest.id,
      );
    }
    const round = new Round(request.signal);
    const { server } = this.registry;
    const call = new StatelessCall(
      {
        server: server.name,
        requestTimeoutMs: server.requestTimeoutMs,
        cache: { ttlMs: server.cacheTtlMs, cacheScope: server.cacheScope },
        log: this.log,
        sealer: this.sealer,
        ...(callRequest.method === "tools/list" && { observeAnswer: (line: string) => this.tools.learn(line) }),
      },
      callRequest,
      round,
    );
    try {
      call.start((listener) => this.registry.attachStateless(client, listener));
    } catch (error) {
      return this.unavailable(error, callRequest.id);
    }
    this.hold(client, call);
    // A call is one long request (across its rounds): it ends with the token it began with.
    this.registry.credentials.hold(
      credential,
      "stream",
      () => call.end("its credential expired or was revoked"),
      () => !call.ended,
    );
    this.calls.set(call.key, call);
    call.onEnd(() => this.calls.delete(call.key));
    return round.response;
  }

  /** A retry with inputResponses: the call its requestState names, if it is this client's, for this request. */
  private resume(request: Request, callRequest: CallRequest, state: unknown): Response | Promise<Response> {
    const opened = typeof state === "string" ? this.sealer.open(state, callRequest.binding, Date.now()) : undefined;
    const expected = opened?.ok ? opened.value : undefined;
    const call = expected === undefined ? undefined : this.calls.get(expected.slice(0, expected.lastIndexOf(".")));
    if (!call || call.ended || call.expectedState !== expected) {
      // mrtr §Server Requirements 4: rejected, without telling the client which check failed
      // (in-band, as a request's own error: the request itself was well-formed).
      const why = opened?.ok === false ? opened.error : opened === undefined ? "malformed" : "used";
      this.log.info({ server: this.registry.server.name, why }, "refused a requestState");
      return jsonResponse(
        errorResponse(callRequest.id, ErrorCode.InvalidParams, "Invalid or expired requestState", { reason: "invalid_request_state" }),
      );
    }
    const round = new Round(request.signal);
    call.resume(callRequest, round);
    return round.response;
  }

  private listen(message: Request_, envelope: ModernEnvelope, client: string, credential: string | undefined): Response {
    const filter = readFilter(message.params);
    if (!filter) {
      return jsonRpcErrorResponse(400, ErrorCode.InvalidParams, "subscriptions/listen needs params.notifications, a filter object", {
        id: message.id,
      });
    }
    const held = this.heldBy.get(client) ?? 0;
    if (held >= this.registry.limits.maxStreamsPerSession * this.registry.limits.maxSessionsPerClient) {
      return tooManyRequestsResponse(
        `this client already has ${held} streams and requests open (max_streams_per_session × max_sessions_per_client)`,
        SESSION_LIMITS.retryAfterS,
        message.id,
      );
    }
    const stream = new ListenStream(message.id, filter, envelope.clientCapabilities, RELAYABLE_CAPABILITIES);
    try {
      stream.start((listener) => this.registry.attachStateless(client, listener));
    } catch (error) {
      return this.unavailable(error, message.id);
    }
    this.hold(client, stream);
    this.registry.credentials.hold(
      credential,
      "stream",
      () => stream.close(),
      () => this.listens.has(stream),
    );
    this.listens.add(stream);
    stream.onEnd(() => this.listens.delete(stream));
    return stream.response;
  }

  private hold(client: string, held: { onEnd(listener: () => void): void }): void {
    this.heldBy.set(client, (this.heldBy.get(client) ?? 0) + 1);
    held.onEnd(() => {
      const left = (this.heldBy.get(client) ?? 1) - 1;
      if (left > 0) this.heldBy.set(client, left);
      else this.heldBy.delete(client);
    });
  }

  private unavailable(error: unknown, id: string | number): Response {
    if (error instanceof SessionLimitError) return error.response();
    if (error instanceof SpawnError) return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, error.message, { id });
    throw error;
  }

  /** About once a second (with the sessions): deadlines, stream upgrades, keep-alives. */
  tick(now: number): void {
    const keepAlive = now - this.lastKeepAlive >= SESSION_LIMITS.keepAliveEveryMs;
    if (keepAlive) this.lastKeepAlive = now;
    for (const call of [...this.calls.values()]) {
      call.tick(now);
      if (keepAlive) call.keepAlive();
    }
    if (keepAlive) for (const stream of this.listens) stream.keepAlive();
  }

  /** Shutdown: calls end (their child requests cancelled), listen streams get their closing result. */
  close(reason: string): void {
    for (const call of [...this.calls.values()]) call.end(reason);
    for (const stream of [...this.listens]) stream.close();
  }
}
