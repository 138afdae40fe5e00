// The log level each requester of a shared child asked for (MCP 2025-11-25 server/utilities
// logging): the child is set to the most verbose level anyone asked for, and each of its
// notifications/message goes only to the requesters that asked for that level or a more
// verbose one. A requester that never sent logging/setLevel gets no log messages.

// RFC 5424 severities, most verbose first (MCP logging §Log Levels).
const LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;

function rank(level: unknown): number {
  return LEVELS.indexOf(level as (typeof LEVELS)[number]);
}

export function isLogLevel(level: unknown): level is string {
  return rank(level) >= 0;
}

export class LogLevels<R> {
  private readonly levels = new Map<R, number>();

  set(requester: R, level: string): void {
    this.levels.set(requester, rank(level));
  }

  remove(requester: R): void {
    this.levels.delete(requester);
  }

  /** The level to set the child to: the most verbose asked for. */
  mostVerbose(): string | undefined {
    if (this.levels.size === 0) return undefined;
    return LEVELS[Math.min(...this.levels.values())];
  }

  /** Who gets a message of `level` (an unknown level goes to everyone who asked for logs). */
  receivers(level: unknown): R[] {
    const severity = rank(level);
    return [...this.levels].filter(([, wanted]) => severity < 0 || severity >= wanted).map(([requester]) => requester);
  }
}
