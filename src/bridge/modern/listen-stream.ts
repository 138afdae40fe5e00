// One subscriptions/listen stream (2026-07-28 streamable-http §Receiving Messages, the
// subscriptions pattern): a long-lived POST response that carries the change notifications the
// client opted in to, each stamped with the listen request's id as its subscriptionId. It is a
// port of the shared child like any requester: the child's list_changed notifications reach
// every port, and resources/subscribe goes to the child once per URI however many listen
// (shared-child.ts counts the subscribers and unsubscribes after the last). A child that speaks
// 2026-07-28 itself (channel/era-probe.ts) holds the subscription: it is sent the listen request,
// and what it sends on it passes unchanged, but for the subscriptionId, the client's listen id.
import { isObject } from "../../common/json-object.ts";
import type { ChildChannel, ChildListener } from "../channel/child-channel.ts";
import { replaceMember } from "../channel/json-splice.ts";
import { forSubscriber } from "../channel/modern-child.ts";
import { ErrorCode, errorResponse, type JsonRpcId, type PeekedMessage, peek } from "../jsonrpc.ts";
import { SUPPORTED_PROTOCOL_VERSIONS } from "../protocol-version.ts";
import { META, modernMeta } from "../request-meta.ts";
import { SESSION_LIMITS } from "../session-limits.ts";
import { SSE_HEADERS, SseConnection, sseEvent } from "../sse.ts";

const INITIALIZE_ID = 0;
/** The listen request's id at a 2026 child (this port's own numbering). */
const LISTEN_ID = 1;

/** The notification filter of subscriptions/listen (schema: SubscriptionFilter). */
interface Filter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

const LIST_CHANGED: Record<string, keyof Filter> = {
  "notifications/tools/list_changed": "toolsListChanged",
  "notifications/prompts/list_changed": "promptsListChanged",
  "notifications/resources/list_changed": "resourcesListChanged",
};

/** The filter as the client sent it, reduced to well-formed members (anything else is not asked for). */
export function readFilter(params: Record<string, unknown> | undefined): Filter | undefined {
  const raw = params?.notifications;
  if (!isObject(raw)) return undefined;
  const asked = raw as Record<string, unknown>;
  const filter: Filter = {};
  for (const key of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) {
    if (asked[key] === true) filter[key] = true;
  }
  const uris = asked.resourceSubscriptions;
  if (Array.isArray(uris)) filter.resourceSubscriptions = [...new Set(uris.filter((uri): uri is string => typeof uri === "string"))];
  return filter;
}

export class ListenStream implements ChildListener {
  readonly perRequest = true;
  readonly response: Response;
  private readonly connection = new SseConnection(SESSION_LIMITS.streamBufferBytes);
  private channel: ChildChannel | undefined;
  private honoured: Filter = {};
  private closed = false;
  private readonly endListeners: Array<() => void> = [];

  constructor(
    private readonly id: JsonRpcId,
    private readonly asked: Filter,
    /** The listening client's capabilities, from the request's _meta. */
    private readonly capabilities: Record<string, unknown>,
    /** What a child this stream starts is told the client side can serve (stateless-call.ts). */
    readonly relayable: Record<string, unknown>,
  ) {
    this.response = new Response(this.connection.body, { status: 200, headers: SSE_HEADERS });
    this.connection.onClose(() => this.end());
  }

  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  start(attach: (listener: ChildListener) => ChildChannel): void {
    this.channel = attach(this);
    this.channel.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: INITIALIZE_ID,
        method: "initialize",
        params: { protocolVersion: SUPPORTED_PROTOCOL_VERSIONS[0], capabilities: this.capabilities },
      }),
    );
  }

  fromChild(line: string): void {
    if (this.closed) return;
    const peeked = peek(line);
    if (!peeked.ok) return;
    const message = peeked.value;
    if (this.channel?.modern) {
      this.fromModernChild(message, line);
      return;
    }
    if (message.kind === "response") {
      if (message.id === INITIALIZE_ID) this.initialized(message.isError ? undefined : message.result);
      return;
    }
    if (message.kind !== "notification") return;
    const listChanged = LIST_CHANGED[message.method];
    if (listChanged !== undefined && this.honoured[listChanged]) {
      this.emit(message.method, message.params);
      return;
    }
    if (message.method === "notifications/resources/updated") {
      const uri = message.params?.uri;
      if (typeof uri === "string" && this.honoured.resourceSubscriptions?.includes(uri)) this.emit(message.method, message.params);
    }
  }

  /** Its DiscoverResult first (channel/modern-child.ts); then the child's own listen stream. */
  private fromModernChild(message: PeekedMessage, line: string): void {
    if (message.kind === "response" && message.id === INITIALIZE_ID) {
      const params = {
        notifications: this.asked,
        _meta: modernMeta(this.capabilities),
      };
      this.channel?.send(JSON.stringify({ jsonrpc: "2.0", id: LISTEN_ID, method: "subscriptions/listen", params }));
    } else if (message.kind === "response" && message.id === LISTEN_ID) {
      this.finish(replaceMember(line, ["id"], JSON.stringify(this.id)));
    } else if (message.kind === "notification") {
      this.connection.write(sseEvent(forSubscriber(line, this.id)));
    }
  }

  oversizedFromChild(): void {}

  childExited(): void {
    this.finish(errorResponse(this.id, ErrorCode.ServerUnavailable, "the MCP server process exited; listen again"));
  }

  keepAlive(): void {
    this.connection.write(":\n\n");
  }

  /** The appliance ends the subscription (shutdown): the listen request's result says so. */
  close(): void {
    this.finish(JSON.stringify({ jsonrpc: "2.0", id: this.id, result: { _meta: { [META.subscriptionId]: this.id } } }));
  }

  /** What the child can notify of decides what is honoured (the acknowledgement reports it). */
  private initialized(result: unknown): void {
    if (result === undefined) {
      this.finish(errorResponse(this.id, ErrorCode.ServerUnavailable, "the MCP server did not initialize"));
      return;
    }
    const capabilities = ((result as { capabilities?: unknown }).capabilities ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const honoured: Filter = {};
    if (this.asked.toolsListChanged && capabilities.tools?.listChanged) honoured.toolsListChanged = true;
    if (this.asked.promptsListChanged && capabilities.prompts?.listChanged) honoured.promptsListChanged = true;
    if (this.asked.resourcesListChanged && capabilities.resources?.listChanged) honoured.resourcesListChanged = true;
    if (this.asked.resourceSubscriptions?.length && capabilities.resources?.subscribe) {
      honoured.resourceSubscriptions = this.asked.resourceSubscriptions;
      let next = INITIALIZE_ID;
      for (const uri of honoured.resourceSubscriptions) {
        this.channel?.send(JSON.stringify({ jsonrpc: "2.0", id: ++next, method: "resources/subscribe", params: { uri } }));
      }
    }
    this.honoured = honoured;
    this.emit("notifications/subscriptions/acknowledged", { notifications: honoured });
  }

  private emit(method: string, params: Record<string, unknown> | undefined): void {
    const meta = { ...(params?._meta as Record<string, unknown> | undefined), [META.subscriptionId]: this.id };
    this.connection.write(sseEvent(JSON.stringify({ jsonrpc: "2.0", method, params: { ...params, _meta: meta } })));
  }

  private finish(line: string): void {
    if (this.closed) return;
    this.connection.write(sseEvent(line));
    this.connection.close();
  }

  /** The stream is over (either side): the port goes, and with it its subscriptions at the child. */
  private end(): void {
    if (this.closed) return;
    this.closed = true;
    void this.channel?.stop();
    for (const listener of this.endListeners.splice(0)) listener();
  }
}
