// argv → the command that handles it → an exit code. Usage errors and a command's early stop
// (CommandFailure) are printed here, once. Tests call runCommand in-process with their own IO.
import { VERSION } from "../version.ts";
import { type ParsedArgs, parseArgs, UsageError } from "./args.ts";
import { CommandFailure } from "./command-failure.ts";
import { clientAdd } from "./commands/client-add.ts";
import { clientList } from "./commands/client-list.ts";
import { clientRemove } from "./commands/client-remove.ts";
import { demo, demoVaultServer } from "./commands/demo.ts";
import { init } from "./commands/init.ts";
import { nft } from "./commands/nft.ts";
import { passwd } from "./commands/passwd.ts";
import { run, validate } from "./commands/run.ts";
import { tokenAdd } from "./commands/token-add.ts";
import { tokenList } from "./commands/token-list.ts";
import { tokenRemove } from "./commands/token-remove.ts";
import { ExitCode, type ExitCodeValue } from "./exit-codes.ts";
import { HELP } from "./help.ts";
import type { CommandIO } from "./io.ts";

type Handler = (args: ParsedArgs, io: CommandIO) => Promise<ExitCodeValue>;

const HANDLERS: Record<string, Handler> = {
  run,
  validate,
  init,
  passwd,
  "client add": clientAdd,
  "client list": clientList,
  "client remove": clientRemove,
  "token add": tokenAdd,
  "token list": tokenList,
  "token remove": tokenRemove,
  nft,
  demo,
  "demo-vault-server": demoVaultServer,
  help: async (_args, io) => {
    io.out(HELP);
    return ExitCode.Ok;
  },
  version: async (_args, io) => {
    io.out(`mcp-appliance ${VERSION}\n`);
    return ExitCode.Ok;
  },
};

export async function runCommand(argv: readonly string[], io: CommandIO): Promise<ExitCodeValue> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`mcp-appliance: ${error.message}\n\n${HELP}`);
    return ExitCode.Usage;
  }
  const handler = HANDLERS[args.subcommand === undefined ? args.command : `${args.command} ${args.subcommand}`]!;
  try {
    return await handler(args, io);
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    io.err(`${error.text}\n`);
    return error.code;
  }
}
