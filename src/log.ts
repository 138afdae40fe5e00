// One logger for the whole process: pino, JSON lines on stdout (journald collects them).
// No worker transports: they do not survive `bun build --compile` and cost a thread.
//
// Secrets stay out of the log by construction: call sites log chosen fields only (ids, paths,
// statuses, sizes), never request bodies, headers, tokens or environment values. pino's `redact`
// is not used: it re-parses its paths on every call and cost ~7 % of the request path.
import pino from "pino";
import type { LogLevel } from "./config/types.ts";

export type Logger = pino.Logger;

/** Lines are written in batches of this many bytes at most; `flushLog` empties the batch. */
const BATCH_BYTES = 4096;

export function createLogger(level: LogLevel = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES }),
  );
}

/** Write out whatever is batched (called every second and at shutdown, so no line waits long). */
export function flushLog(log: Logger): void {
  try {
    log.flush();
  } catch {
    // a destination without a buffer has nothing to flush
  }
}

/**
 * Before the process exits: write the batch out, but give up after `withinMs`. (sonic-boom's
 * flushSync retries forever on EPIPE, so a vanished stdout reader would keep the process from
 * ever exiting.)
 */
export async function flushLogBounded(log: Logger, withinMs = 1000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flushed = new Promise<void>((resolve) => {
    try {
      log.flush(() => resolve());
    } catch {
      resolve();
    }
  });
  await Promise.race([flushed, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: "silent" });
