// How a shared child that speaks 2026-07-28 itself (era-probe.ts) serves its requesters, beside
// the id and token rewriting of shared-child.ts. 2026 requesters' requests pass as written; a
// 2025 session's get the envelope its initialize declared (modern-child.ts), the child's
// input_required rounds reach it as server requests (input-relay.ts), and its change
// notifications come from a subscriptions/listen of the appliance's own (the subscriptions
// pattern): list_changed for every 2025 session, resources/updated for those that subscribed to
// the URI. That listen is opened again, with the new filter, whenever the set of URIs changes.
import { cancelledNotification, type JsonRpcId, type PeekedMessage, peek } from "../jsonrpc.ts";
import { modernMeta } from "../request-meta.ts";
import type { ChildListener } from "./child-channel.ts";
import { InputRelay } from "./input-relay.ts";
import { answerForChild, forSubscriber, type LegacyRequester, subscriptionOf, withEnvelope } from "./modern-child.ts";
import { SubscriptionCounts } from "./subscription-counts.ts";

type Request = Extract<PeekedMessage, { kind: "request" }>;
type Answer = Extract<PeekedMessage, { kind: "response" }>;

interface ModernPort extends LegacyRequester {
  readonly listener: ChildListener;
}

/** What the routing needs of its shared child. */
interface ModernHost<P> {
  forward(port: P, message: Request, line: string): boolean;
  /** A request of the appliance's own; returns the child's id of it. */
  ownRequest(method: string, params: Record<string, unknown>, onAnswer: () => void): number;
  send(line: string): boolean;
  ports(): Iterable<P>;
  /** The requester of the child's request `childId`, if still in flight. */
  requester(childId: number): { port: P; id: JsonRpcId } | undefined;
}

const LIST_CHANGED = ["notifications/tools/list_changed", "notifications/prompts/list_changed", "notifications/resources/list_changed"];

export class ModernRouting<P extends ModernPort> {
  /** The child's answer to server/discover. */
  discover = "";
  private readonly relay: InputRelay<P>;
  private readonly subscriptions = new SubscriptionCounts<P>();
  private readonly uris = new Set<string>();
  /** The appliance's own listen requests, by the child's id; the last one is the current. */
  private readonly listens = new Set<number>();
  private listening: number | undefined;

  constructor(private readonly host: ModernHost<P>) {
    this.relay = new InputRelay<P>({
      ask: (port, line, relatedTo) => port.listener.fromChild(line, relatedTo),
      retry: (port, line) => {
        const peeked = peek(line);
        if (peeked.ok && peeked.value.kind === "request" && [...host.ports()].includes(port)) host.forward(port, peeked.value, line);
      },
      answer: (port, line) => port.listener.fromChild(line),
    });
  }

  request(port: P, message: Request, line: string): boolean {
    const perRequest = port.listener.perRequest === true;
    const uri = message.params?.uri;
    if (
      !perRequest &&
      typeof uri === "string" &&
      (message.method === "resources/subscribe" || message.method === "resources/unsubscribe")
    ) {
      const changed =
        message.method === "resources/subscribe" ? this.subscriptions.add(uri, port) === "first" : this.subscriptions.remove(uri, port);
      if (changed) this.relisten(message.method === "resources/subscribe" ? () => this.uris.add(uri) : () => this.uris.delete(uri));
      queueMicrotask(() => port.listener.fromChild(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} })));
      return true;
    }
    const answer = answerForChild(message, port, perRequest, this.discover);
    if (answer === undefined) return this.host.forward(port, message, perRequest ? line : withEnvelope(line, port));
    // The first 2025 session: its list_changed notifications need a listen stream.
    if (!perRequest && message.method === "initialize" && this.listening === undefined) this.relisten(() => {});
    queueMicrotask(() => port.listener.fromChild(answer));
    return true;
  }

  /** The child's answer to a requester's request: true when the relay takes it over (2025 sessions). */
  answer(entry: { port: P; id: JsonRpcId; line?: string }, message: Answer): boolean {
    if (entry.port.listener.perRequest) return false;
    return this.relay.start(entry.port, entry.id, entry.line ?? "", message);
  }

  answerFrom(port: P, message: Answer, line: string): boolean {
    return this.relay.answerFrom(port, message, line);
  }

  /** A notification of the child on a listen stream: true when it was routed here. */
  notification(method: string, params: Record<string, unknown> | undefined, line: string): boolean {
    const subscription = subscriptionOf(params);
    if (subscription === undefined) return false;
    if (this.listens.has(subscription)) {
      if (subscription !== this.listening) return true;
      if (LIST_CHANGED.includes(method)) {
        for (const port of this.host.ports()) if (!port.listener.perRequest) port.listener.fromChild(line);
      } else if (method === "notifications/resources/updated") {
        for (const port of this.subscriptions.subscribers(String(params?.uri))) port.listener.fromChild(line);
      }
      return true;
    }
    // A listen that has ended (its requester gone) has no one to tell: never everyone.
    const entry = this.host.requester(subscription);
    entry?.port.listener.fromChild(forSubscriber(line, entry.id), entry.id);
    return true;
  }

  /** The requester cancelled its request `id`: if it waits for its client's input, it is not sent again. */
  cancelled(port: P, id: unknown): void {
    if (typeof id === "string" || typeof id === "number") this.relay.cancel(port, id);
  }

  detach(port: P): void {
    this.relay.forget(port);
    const dropped = this.subscriptions.removeAll(port);
    const legacyLeft = [...this.host.ports()].some((other) => other !== port && !other.listener.perRequest);
    if (!legacyLeft) {
      this.uris.clear();
      this.stopListening();
    } else if (dropped.length > 0) {
      this.relisten(() => {
        for (const uri of dropped) this.uris.delete(uri);
      });
    }
  }

  /** A new listen with the filter after `change`, then the old one cancelled (the new one is in place first). */
  private relisten(change: () => void): void {
    change();
    const previous = this.listening;
    const notifications = {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
      ...(this.uris.size > 0 && { resourceSubscriptions: [...this.uris] }),
    };
    const _meta = modernMeta();
    const id = this.host.ownRequest("subscriptions/listen", { notifications, _meta }, () => {
      this.listens.delete(id);
      if (this.listening === id) this.listening = undefined;
    });
    this.listens.add(id);
    this.listening = id;
    if (previous !== undefined) this.cancel(previous);
  }

  private stopListening(): void {
    if (this.listening !== undefined) this.cancel(this.listening);
    this.listening = undefined;
  }

  private cancel(id: number): void {
    this.host.send(cancelledNotification(id, "the appliance's subscriptions changed"));
  }
}
