// Entry point: the process's argv and standard streams → dispatch.ts. Exit codes are named in exit-codes.ts.
import { runCommand } from "./dispatch.ts";
import { processIO } from "./io.ts";

process.exitCode = await runCommand(process.argv.slice(2), processIO());
// Children and timers are all stopped by now; exit even if a stray handle lingers.
process.exit(process.exitCode);
