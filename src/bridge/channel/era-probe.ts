// Which MCP era a stdio child speaks, learnt at spawn as the v2 SDK client learns it on stdio
// (2026-07-28 versioning §Backward Compatibility): a server/discover opening with the full
// per-request _meta. A DiscoverResult that lists 2026-07-28 makes it a 2026 child; an error, an
// exit or silence makes it a 2025 one. SDKs that serve both eras pin each connection (each
// process) to the era of its opening exchange, and some 2025 servers exit on any request before
// initialize, so the probe runs on a sibling process of its own, never on the child that will
// serve: that one is opened once, the right way, after the verdict (as the v2 client's disposable
// sibling does). The verdict is kept per server, so later spawns skip the sibling.
//
// This sits below supervision (shared-children.ts watches what it returns): the sibling's life
// is no failure of the child. The channel hears of the era through two calls beside ChildEvents.
import type { StdioServerConfig } from "../../config/types.ts";
import type { Logger } from "../../log.ts";
import type { ChildEvents } from "../child.ts";
import { peek } from "../jsonrpc.ts";
import { MODERN_PROTOCOL_VERSIONS } from "../protocol-version.ts";
import { APPLIANCE_CLIENT_INFO, modernMeta } from "../request-meta.ts";
import type { ChildProcessHandle, ChildSpawner } from "./child-channel.ts";

export type ChildEra = "2025" | "2026";

/** ChildEvents of a channel that can serve a 2026 child (shared-child.ts). */
export interface EraEvents extends ChildEvents {
  /** During spawn: the era is not known yet; nothing is to be sent until eraKnown. */
  eraPending?(): void;
  /** The child speaks `era`; for "2026", `discover` is its answer to server/discover, as it wrote it. */
  eraKnown?(era: ChildEra, discover?: string): void;
}

/** Silence this long after server/discover is a 2025 server's (the v2 client's stdio rule). */
const PROBE_TIMEOUT_MS = 5_000;
/** A string id: the channel numbers its own requests, so the answer cannot be mistaken for one. */
const PROBE_ID = "mcp-appliance/era-probe";

/** The probe, as the v2 client builds it: protocol version, client identity and capabilities in _meta. */
const DISCOVER = JSON.stringify({
  jsonrpc: "2.0",
  id: PROBE_ID,
  method: "server/discover",
  params: {
    _meta: modernMeta({}, APPLIANCE_CLIENT_INFO),
  },
});

/** The verdict of one discover exchange: the DiscoverResult line of a 2026 child, or undefined. */
function modernDiscover(line: string): string | "other" | undefined {
  const peeked = peek(line);
  if (!peeked.ok || peeked.value.kind !== "response" || peeked.value.id !== PROBE_ID) return "other";
  if (peeked.value.isError) return undefined;
  const versions = (peeked.value.result as { supportedVersions?: unknown } | undefined)?.supportedVersions;
  return Array.isArray(versions) && MODERN_PROTOCOL_VERSIONS.some((v) => versions.includes(v)) ? line : undefined;
}

type Probed = { era: "2025" } | { era: "2026"; discover: string };

export class EraProbe {
  /** What the last verdict was (protocol = "auto"); undefined until one was reached. */
  private learnt: ChildEra | undefined;

  private readonly timeoutMs: number;
  /** Receives the stop of each sibling, so that shutdown can wait for it to be gone. */
  private readonly stopping: (stop: Promise<void>) => void;

  constructor(
    private readonly server: Pick<StdioServerConfig, "name" | "protocol">,
    private readonly log: Logger,
    options: { timeoutMs?: number; stopping?: (stop: Promise<void>) => void } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
    this.stopping = options.stopping ?? (() => {});
  }

  /** `spawn`, with each child's era learnt (or known) before the channel sends it anything. */
  spawner(spawn: ChildSpawner): ChildSpawner {
    return (events: EraEvents) => {
      const { protocol } = this.server;
      const era = protocol === "auto" ? this.learnt : protocol;
      if (era === "2025") return spawn(events);
      events.eraPending?.();
      // Lines of the child go to the channel, but the answer to the appliance's discover.
      let opening: ((line: string) => void) | undefined;
      const child = spawn({
        ...events,
        line: (text) => (opening ? opening(text) : events.line(text)),
      });
      const open = (): void => {
        this.exchange(child, (handler) => (opening = handler), undefined, events.line).then((probed) => {
          opening = undefined;
          if (probed.era === "2026") {
            events.eraKnown?.("2026", probed.discover);
            return;
          }
          // Told it is a 2026 server (or learnt so a moment ago), it is not one: it failed.
          if (protocol === "auto") this.learnt = undefined;
          this.log.warn(
            { server: this.server.name, pid: child.pid },
            "the MCP server did not answer server/discover as a 2026-07-28 server",
          );
          void child.stop();
        });
      };
      if (era === "2026") {
        open();
        return child;
      }
      this.probeSibling(spawn).then((verdict) => {
        this.learnt = verdict;
        this.log.info({ server: this.server.name, era: verdict }, "learnt the MCP era of the server");
        if (verdict === "2026") open();
        else events.eraKnown?.("2025");
      });
      return child;
    };
  }

  /** A disposable sibling answers server/discover (or does not); it is stopped either way. */
  private async probeSibling(spawn: ChildSpawner): Promise<ChildEra> {
    let onLine: (line: string) => void = () => {};
    let onExit: () => void = () => {};
    let sibling: ChildProcessHandle;
    try {
      sibling = spawn({
        line: (text) => onLine(text),
        oversized: () => {},
        exit: () => onExit(),
        stdoutClosed: () => onExit(),
      });
    } catch {
      return "2025";
    }
    const probed = await this.exchange(
      sibling,
      (handler) => (onLine = handler),
      (handler) => (onExit = handler),
    );
    this.stopping(sibling.stop());
    return probed.era;
  }

  /** Send server/discover on `child` and wait for its answer, an exit (if heard) or the timeout. */
  private exchange(
    child: ChildProcessHandle,
    hearLines: (handler: (line: string) => void) => void,
    hearExit?: (handler: () => void) => void,
    other: (line: string) => void = () => {},
  ): Promise<Probed> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), this.timeoutMs);
      let settled = false;
      const settle = (discover: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(discover === undefined ? { era: "2025" } : { era: "2026", discover });
      };
      hearLines((line) => {
        const verdict = modernDiscover(line);
        // Anything else before the answer (a log line of a starting server) is not about it.
        if (verdict === "other") other(line);
        else settle(verdict);
      });
      hearExit?.(() => settle(undefined));
      if (!child.send(DISCOVER)) settle(undefined);
    });
  }
}
