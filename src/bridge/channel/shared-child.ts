// One child process shared by many requesters (sessions of either transport, whoever opened
// them). Everyone numbers their requests from 1, so every request gets an id of the child's
// own on the way in and its requester's id back on the way out; progress tokens are mapped the
// same way, and a requester can cancel only its own requests. What the child sends on its own
// goes to whom it concerns: its requests to the requester whose request it is handling,
// list_changed to everyone, resources/updated to that URI's subscribers, log messages to those
// who asked for them. Ids and tokens are spliced into the text, never re-serialised.
import type { Logger } from "../../log.ts";
import { cancelledNotification, ErrorCode, errorResponse, idKey, type JsonRpcId, type PeekedMessage, peek, sniffId } from "../jsonrpc.ts";
import type { ChildChannel, ChildListener, ChildProcessHandle, ChildSpawner } from "./child-channel.ts";
import { AskedRequests, attributed, missingCapabilityError, NEEDS_CAPABILITY, unattributedError } from "./child-requests.ts";
import type { ChildEra, EraEvents } from "./era-probe.ts";
import { InitializeOnce } from "./initialize-once.ts";
import { findMember, replaceMember } from "./json-splice.ts";
import { isLogLevel, LogLevels } from "./log-levels.ts";
import type { LegacyRequester } from "./modern-child.ts";
import { ModernRouting } from "./modern-routing.ts";
import { SubscriptionCounts } from "./subscription-counts.ts";

type Request = Extract<PeekedMessage, { kind: "request" }>;
type Notification = Extract<PeekedMessage, { kind: "notification" }>;
type Answer = Extract<PeekedMessage, { kind: "response" }>;

/** One requester's end of the child; on a 2026 child, what its 2025 requests' envelope declares. */
interface Port extends LegacyRequester {
  readonly listener: ChildListener;
  /** Its requests in flight: idKey of its id → the child's id. */
  readonly inFlight: Map<string, number>;
}

interface ClientRequest {
  port: Port;
  id: JsonRpcId;
  /** The requester's progress token as it wrote it (JSON text); the child's is the child's id. */
  progressToken?: string;
  /** A resources/subscribe that asked the child: a refusal takes the subscription back. */
  subscribedUri?: string;
  /** On a 2026 child, the request as the requester sent it: input-relay.ts sends it again. */
  line?: string;
}

export class SharedChild {
  readonly pid: number;
  private readonly process: ChildProcessHandle;
  private readonly ports = new Set<Port>();
  private readonly clientRequests = new Map<number, ClientRequest>();
  private readonly ownRequests = new Map<number, (line: string, message: PeekedMessage) => void>();
  /** The child's requests sent to a requester, by idKey of the child's id. */
  private readonly serverRequests = new AskedRequests<Port>();
  private readonly subscriptions = new SubscriptionCounts<Port>();
  private readonly logLevels = new LogLevels<Port>();
  private readonly initialize: InitializeOnce;
  private readonly modern: ModernRouting<Port> = new ModernRouting<Port>({
    forward: (port, message, line) => this.forward(port, message, line),
    ownRequest: (method, params, onAnswer) => this.ownRequest(method, params, onAnswer),
    send: (line) => this.process.send(line),
    ports: () => this.ports,
    requester: (childId) => this.clientRequests.get(childId),
  });
  private nextId = 0;
  private exited = false;
  /** era-probe.ts: a 2025 child unless the spawner says otherwise; messages wait while it learns. */
  private era: ChildEra | "pending" = "2025";
  private readonly waiting: Array<[Port, string]> = [];
  lastActivity = Date.now();

  constructor(
    private readonly server: string,
    private readonly log: Logger,
    spawn: ChildSpawner,
    private readonly onExit: () => void = () => {},
  ) {
    this.initialize = new InitializeOnce({
      request: (method, params, onAnswer) => this.ownRequest(method, params, onAnswer),
      notify: (line) => this.process.send(line),
    });
    const events: EraEvents = {
      eraPending: () => (this.era = "pending"),
      eraKnown: (era, discover) => this.eraKnown(era, discover),
      line: (text) => this.fromChild(text),
      oversized: (length, head, tail) => this.oversizedFromChild(length, head, tail),
      exit: (code, signal) => this.childExited(code, signal),
      // It can never answer again: stopping it turns this into an exit, which every requester hears.
      stdoutClosed: () => void this.process.stop(),
    };
    this.process = spawn(events);
    this.pid = this.process.pid;
  }

  /** Still worth attaching to: running, and it did not refuse initialize. */
  get usable(): boolean {
    return !this.exited && !this.initialize.failed;
  }

  /** No requester attached and nothing in flight: it may be reaped once idle long enough. */
  get unused(): boolean {
    return this.ports.size === 0 && this.clientRequests.size === 0;
  }

  attach(listener: ChildListener): ChildChannel {
    const port: Port = { listener, capabilities: {}, inFlight: new Map() };
    this.ports.add(port);
    const child = this;
    return {
      send: (line) => this.fromPort(port, line),
      stop: () => this.detach(port),
      get modern() {
        return child.era === "2026";
      },
    };
  }

  private eraKnown(era: ChildEra, discover = ""): void {
    this.era = era;
    this.modern.discover = discover;
    for (const [port, line] of this.waiting.splice(0)) if (this.ports.has(port)) this.fromPort(port, line);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  // ---- requester → child ---------------------------------------------------------------------

  private fromPort(port: Port, line: string): boolean {
    if (this.exited) return false;
    this.lastActivity = Date.now();
    if (this.era === "pending") {
      this.waiting.push([port, line]);
      return true;
    }
    const peeked = peek(line);
    // The endpoints pass only messages they have classified already.
    if (!peeked.ok) return true;
    const message = peeked.value;
    if (message.kind === "request") {
      return this.era === "2026" ? this.modern.request(port, message, line) : this.requestFromPort(port, message, line);
    }
    if (message.kind === "notification") return this.notificationFromPort(port, message, line);
    return this.answerFromPort(port, message, line);
  }

  private requestFromPort(port: Port, message: Request, line: string): boolean {
    const params = message.params;
    switch (message.method) {
      case "initialize": {
        const declared = params?.capabilities;
        port.capabilities = typeof declared === "object" && declared !== null ? (declared as Record<string, unknown>) : {};
        const relayable = port.listener.relayable;
        const told = relayable ? { ...params, capabilities: relayable } : params;
        this.initialize.request(message.id, told, (answer) => port.listener.fromChild(answer));
        return true;
      }
      case "resources/subscribe":
      case "resources/unsubscribe": {
        const uri = params?.uri;
        if (typeof uri !== "string") break;
        const subscribe = message.method === "resources/subscribe";
        const askChild = subscribe ? this.subscriptions.add(uri, port) === "first" : this.subscriptions.remove(uri, port);
        if (askChild) return this.forward(port, message, line, subscribe ? uri : undefined);
        // The child already has (or still needs) the subscription for someone else.
        queueMicrotask(() => port.listener.fromChild(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} })));
        return true;
      }
      case "logging/setLevel": {
        const level = params?.level;
        if (!isLogLevel(level)) break;
        this.logLevels.set(port, level);
        return this.forward(port, message, replaceMember(line, ["params", "level"], JSON.stringify(this.logLevels.mostVerbose())));
      }
    }
    return this.forward(port, message, line);
  }

  private forward(port: Port, message: Request, line: string, subscribedUri?: string): boolean {
    const childId = ++this.nextId;
    let text = replaceMember(line, ["id"], String(childId));
    const token = findMember(text, ["params", "_meta", "progressToken"]);
    let progressToken: string | undefined;
    if (token) {
      progressToken = text.slice(token.start, token.end);
      text = text.slice(0, token.start) + String(childId) + text.slice(token.end);
    }
    this.clientRequests.set(childId, { port, id: message.id, progressToken, subscribedUri, ...(this.era === "2026" && { line }) });
    port.inFlight.set(idKey(message.id), childId);
    return this.process.send(text);
  }

  private notificationFromPort(port: Port, message: Notification, line: string): boolean {
    // Sent once, by InitializeOnce: a second one would be a protocol error at the child.
    if (message.method === "notifications/initialized") return true;
    if (message.method === "notifications/cancelled") {
      const requestId = message.params?.requestId;
      const childId = typeof requestId === "string" || typeof requestId === "number" ? port.inFlight.get(idKey(requestId)) : undefined;
      // Not one of this requester's requests in flight (or one waiting for its client's input): nothing goes to the child.
      if (childId === undefined && this.era === "2026") this.modern.cancelled(port, requestId);
      if (childId === undefined) return true;
      this.forget(childId);
      return this.process.send(replaceMember(line, ["params", "requestId"], String(childId)));
    }
    return this.process.send(line);
  }

  /** A requester's answer to one of the child's requests: only the requester asked may give it. */
  private answerFromPort(port: Port, message: Answer, line: string): boolean {
    if (this.era === "2026" && this.modern.answerFrom(port, message, line)) return true;
    if (this.serverRequests.take(message.id, port)) return this.process.send(line);
    this.log.debug({ server: this.server }, "dropped an answer to a request the MCP server did not send to this session");
    return true;
  }

  private detach(port: Port): Promise<void> {
    if (!this.ports.delete(port)) return Promise.resolve();
    this.lastActivity = Date.now();
    if (this.exited) return Promise.resolve();
    // MCP cancellation: no one will read these answers any more.
    for (const childId of [...port.inFlight.values()]) {
      this.forget(childId);
      this.process.send(cancelledNotification(childId, "the client's session ended"));
    }
    for (const id of this.serverRequests.takeAll(port)) {
      this.process.send(errorResponse(id, ErrorCode.InternalError, "the client session this request was sent to has ended"));
    }
    for (const uri of this.subscriptions.removeAll(port)) this.ownRequest("resources/unsubscribe", { uri }, () => {});
    this.logLevels.remove(port);
    if (this.era === "2026") this.modern.detach(port);
    return Promise.resolve();
  }

  // ---- child → requesters --------------------------------------------------------------------

  private fromChild(line: string): void {
    const peeked = peek(line);
    if (!peeked.ok) {
      this.log.warn(
        { server: this.server, length: line.length, reason: peeked.error },
        "ignored a line from the MCP server that is not a JSON-RPC message",
      );
      return;
    }
    const message = peeked.value;
    if (message.kind === "response") this.answerFromChild(message, line);
    else if (message.kind === "request") this.requestFromChild(message, line);
    else this.notificationFromChild(message, line);
  }

  private answerFromChild(message: Answer, line: string): void {
    if (typeof message.id !== "number") {
      this.log.warn({ server: this.server, id: message.id }, "the shared MCP server answered an id the appliance never sent");
      return;
    }
    const own = this.ownRequests.get(message.id);
    if (own) {
      this.ownRequests.delete(message.id);
      own(line, message);
      return;
    }
    const entry = this.forget(message.id);
    if (!entry) {
      this.log.debug({ server: this.server }, "dropped a response to a request no longer in flight");
      return;
    }
    if (entry.subscribedUri !== undefined && message.isError) this.subscriptions.remove(entry.subscribedUri, entry.port);
    // A 2025 session cannot continue a 2026 child's input_required result: the relay does it for it.
    if (this.era === "2026" && this.modern.answer(entry, message)) return;
    entry.port.listener.fromChild(replaceMember(line, ["id"], JSON.stringify(entry.id)));
  }

  /**
   * MCP 2025-11-25 transports: a server's request SHOULD relate to the client request it serves.
   * It goes to the requester of that request, or is answered with an error at once: nobody else
   * may answer it, and a child waiting for an answer that never comes would hang its caller.
   */
  private requestFromChild(message: Request, line: string): void {
    const entry = attributed(this.clientRequests, message.params);
    if (!entry) {
      this.log.info(
        { server: this.server, method: message.method },
        "refused a request of a shared MCP server that no session is waiting for",
      );
      this.process.send(unattributedError(message.id));
      return;
    }
    const capability = NEEDS_CAPABILITY[message.method];
    if (capability !== undefined && entry.port.capabilities[capability] === undefined) {
      this.process.send(missingCapabilityError(message.id, capability));
      return;
    }
    this.serverRequests.add(message.id, entry.port);
    const token = findMember(line, ["params", "_meta", "progressToken"]);
    const text = token && entry.progressToken ? line.slice(0, token.start) + entry.progressToken + line.slice(token.end) : line;
    entry.port.listener.fromChild(text, entry.id);
  }

  private notificationFromChild(message: Notification, line: string): void {
    const params = message.params;
    // A 2026 child's listen streams: their notifications belong to their listen request (modern-routing.ts).
    if (this.era === "2026" && this.modern.notification(message.method, params, line)) return;
    switch (message.method) {
      case "notifications/progress": {
        const token = params?.progressToken;
        const entry = typeof token === "number" ? this.clientRequests.get(token) : undefined;
        if (entry?.progressToken === undefined) break;
        entry.port.listener.fromChild(replaceMember(line, ["params", "progressToken"], entry.progressToken), entry.id);
        return;
      }
      case "notifications/message": {
        // A stateless request's stream carries only messages about that request (2026-07-28
        // streamable-http §Receiving Messages): the one it names, or the only one in flight.
        const about = attributed(this.clientRequests, params);
        // A 2026 child was given the level of each request in its envelope.
        if (this.era === "2026") {
          about?.port.listener.fromChild(line, about.id);
          return;
        }
        for (const port of this.logLevels.receivers(params?.level)) {
          if (port.listener.perRequest && about?.port !== port) continue;
          port.listener.fromChild(line);
        }
        return;
      }
      case "notifications/resources/updated":
        for (const port of this.subscriptions.subscribers(String(params?.uri))) port.listener.fromChild(line);
        return;
      case "notifications/cancelled": {
        // The child gave up one of its own requests: only the requester it asked has it.
        const asked = this.serverRequests.take(params?.requestId);
        if (!asked) break;
        asked.listener.fromChild(line);
        return;
      }
      default: {
        if (message.method.endsWith("/list_changed")) {
          for (const port of this.ports) port.listener.fromChild(line);
          return;
        }
        const entry = attributed(this.clientRequests, params);
        if (!entry) break;
        entry.port.listener.fromChild(line, entry.id);
        return;
      }
    }
    this.log.debug(
      { server: this.server, method: message.method },
      "dropped a notification of a shared MCP server that concerns no session",
    );
  }

  private oversizedFromChild(length: number, head: string, tail: string): void {
    this.log.warn({ server: this.server, length }, "dropped a message from the MCP server larger than max_message_size");
    const id = sniffId(head, tail);
    const entry = typeof id === "number" ? this.forget(id) : undefined;
    entry?.port.listener.fromChild(
      errorResponse(entry.id, ErrorCode.MessageTooLarge, `the MCP server's response (${length} bytes) exceeds max_message_size`),
    );
  }

  private childExited(code: number | null, signal: string | null): void {
    this.exited = true;
    const ports = [...this.ports];
    this.ports.clear();
    this.clientRequests.clear();
    this.serverRequests.clear();
    this.ownRequests.clear();
    for (const port of ports) port.listener.childExited(code, signal);
    this.onExit();
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private forget(childId: number): ClientRequest | undefined {
    const entry = this.clientRequests.get(childId);
    if (!entry) return undefined;
    this.clientRequests.delete(childId);
    entry.port.inFlight.delete(idKey(entry.id));
    return entry;
  }

  private ownRequest(method: string, params: Record<string, unknown>, onAnswer: (line: string, message: PeekedMessage) => void): number {
    const id = ++this.nextId;
    this.ownRequests.set(id, onAnswer);
    this.process.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return id;
  }
}
