// How a command stops early: the exit code and the message for stderr. Thrown from anywhere in a
// command; dispatch.ts prints the message and returns the code.
import type { ExitCodeValue } from "./exit-codes.ts";

export class CommandFailure extends Error {
  constructor(
    readonly code: ExitCodeValue,
    /** Printed as is, one or more complete lines (without the final newline). */
    readonly text: string,
  ) {
    super(text);
  }
}

/** A failure whose message starts with "mcp-appliance: ", like every other CLI error. */
export function fail(code: ExitCodeValue, message: string): CommandFailure {
  return new CommandFailure(code, `mcp-appliance: ${message}`);
}
