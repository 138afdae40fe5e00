// One logger for the whole process: pino, JSON lines on stdout (journald collects them).
// No worker transports: they do not survive `bun build --compile` and cost a thread.
import pino from "pino";
import type { LogLevel } from "./config/types.ts";

export type Logger = pino.Logger;

/** Keys whose values must never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "client_secret",
  "*.client_secret",
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "code",
  "*.code_verifier",
  "env",
  "*.env",
];

export function createLogger(level: LogLevel = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: "silent" });
