// [limits]: what one client may take of the machine, the same for every server. The per-server
// caps (max_sessions, max_message_size) stay in [servers.<name>]; the per-address rates of the
// authorization server stay in [oauth].

import * as v from "valibot";
import { duration, integerAtLeast, size } from "./fields.ts";
import { table } from "./table.ts";
import type { LimitsConfig } from "./types.ts";

const KiB = 1024;
const MINUTE = 60_000;

// Bun's HTTP parser (1.4.5) answers 431 with no body and closes the connection when a request's
// header section — request line, header lines and line ends — is over 16 KiB, or has more than
// 198 header lines; the appliance never sees such a request. Its cap is a runtime flag
// (--max-http-header-size), not an option of Bun.serve. 15 KiB leaves 1 KiB of that section for
// the request line and the separators, so that up to this bound the appliance's own check,
// with its JSON answer, is the one that refuses.
const MAX_HEADER_SIZE = 15 * KiB;

type Hint = (key: string) => string | undefined;

function limitsEntries() {
  return {
    max_header_size: v.optional(size(KiB, MAX_HEADER_SIZE), "15KiB"),
    // A client that opens sessions without ending them would otherwise take all of max_sessions.
    max_sessions_per_client: v.optional(integerAtLeast(1), 8),
    // Each request in flight holds an entry and, once it streams, a stream buffer.
    max_requests_per_session: v.optional(integerAtLeast(1), 64),
    // Each open stream may buffer up to 32 MiB for a slow reader (SESSION_LIMITS.streamBufferBytes).
    max_streams_per_session: v.optional(integerAtLeast(1), 8),
    // The packaged unit's TimeoutStopSec=20 covers this plus the staged stop of a child (3.5 s)
    // for values up to about 14 s; a longer drain needs a longer TimeoutStopSec.
    shutdown_timeout: v.optional(duration(0, 10 * MINUTE), "5s"),
  };
}

/** The [limits] table; `hint` explains unknown keys that mean something elsewhere. */
export function limitsTable(hint: Hint) {
  return table(limitsEntries(), { hint });
}

/** For an unknown key of another table that is a key of [limits]: where it belongs. */
export function limitsKeyHint(key: string): string | undefined {
  return Object.hasOwn(limitsEntries(), key) ? `"${key}" belongs in the [limits] table, which applies to every server` : undefined;
}

type LimitsOutput = v.InferOutput<ReturnType<typeof limitsTable>>;

export function toLimitsConfig(limits: LimitsOutput): LimitsConfig {
  return {
    maxHeaderBytes: limits.max_header_size,
    maxSessionsPerClient: limits.max_sessions_per_client,
    maxRequestsPerSession: limits.max_requests_per_session,
    maxStreamsPerSession: limits.max_streams_per_session,
    shutdownTimeoutMs: limits.shutdown_timeout,
  };
}

/** What a file without a [limits] table gets; for AppConfig objects built in code (demo, tests). */
export function defaultLimitsConfig(): LimitsConfig {
  return toLimitsConfig(
    v.parse(
      limitsTable(() => undefined),
      {},
    ),
  );
}
