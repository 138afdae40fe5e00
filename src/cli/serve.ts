// Runs the appliance in the foreground until SIGTERM or SIGINT, then shuts down gracefully:
// stop accepting, end streams, stop every child, exit 0.
import { type RunningAppliance, startAppliance } from "../app.ts";
import type { AppConfig } from "../config/types.ts";
import { flushLogBounded, type Logger } from "../log.ts";
import { ExitCode, type ExitCodeValue } from "./exit-codes.ts";

export async function serve(config: AppConfig, log: Logger, announce?: (url: string) => void): Promise<ExitCodeValue> {
  // Signal handlers go in before the port is bound: a signal that arrives while starting up
  // still gets the graceful path.
  let stopRequested: ((signal: string) => void) | undefined;
  const stop = new Promise<string>((resolve) => (stopRequested = resolve));
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(ExitCode.Failure);
    }
    stopRequested?.(signal);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));

  let appliance: RunningAppliance;
  try {
    appliance = await startAppliance(config, log);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.fatal({ listen: `${config.listen.host}:${config.listen.port}`, reason }, "could not start");
    await flushLogBounded(log);
    return ExitCode.Failure;
  }
  announce?.(appliance.url);

  const signal = await stop;
  log.info({ signal }, "shutting down");
  await appliance.stop();
  await flushLogBounded(log);
  return ExitCode.Ok;
}
