// Which requesters of a shared child are subscribed to which resource URI (MCP 2025-11-25
// server/resources §Subscriptions). The child is asked once per URI, when the first requester
// subscribes, and told (resources/unsubscribe) when the last one goes; in between, every
// subscriber gets the child's notifications/resources/updated for that URI.

export class SubscriptionCounts<R> {
  private readonly byUri = new Map<string, Set<R>>();

  /** "first": the child must be asked; "joined": it already is; "again": this requester already was. */
  add(uri: string, requester: R): "first" | "joined" | "again" {
    const subscribers = this.byUri.get(uri);
    if (!subscribers) {
      this.byUri.set(uri, new Set([requester]));
      return "first";
    }
    if (subscribers.has(requester)) return "again";
    subscribers.add(requester);
    return "joined";
  }

  /** True when this was the URI's last subscriber: the child must be told. */
  remove(uri: string, requester: R): boolean {
    const subscribers = this.byUri.get(uri);
    if (!subscribers?.delete(requester)) return false;
    if (subscribers.size > 0) return false;
    this.byUri.delete(uri);
    return true;
  }

  /** A requester has gone: the URIs that no one is subscribed to any more. */
  removeAll(requester: R): string[] {
    const unused: string[] = [];
    for (const uri of [...this.byUri.keys()]) if (this.remove(uri, requester)) unused.push(uri);
    return unused;
  }

  subscribers(uri: string): readonly R[] {
    return [...(this.byUri.get(uri) ?? [])];
  }

  count(uri: string): number {
    return this.byUri.get(uri)?.size ?? 0;
  }
}
