// `mcp-appliance [run]` and `validate`: the same loader, so a file that validates is a file that runs.
import { createLogger } from "../../log.ts";
import type { ParsedArgs } from "../args.ts";
import { loadConfig } from "../command-context.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { serve } from "../serve.ts";

export async function validate(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  await loadConfig(args.config, io.env);
  io.out("Valid configuration\n");
  return ExitCode.Ok;
}

export async function run(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const config = await loadConfig(args.config, io.env);
  return serve(config, createLogger(config.log.level));
}
