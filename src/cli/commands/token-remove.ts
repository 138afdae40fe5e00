// `mcp-appliance token remove NAME`: a static token of the state stops opening anything.
// A token declared in the config is the file's: removing it here would last until the next start.
import type { ParsedArgs } from "../args.ts";
import { loadConfig, managementEnv, withStore } from "../command-context.ts";
import { fail } from "../command-failure.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { sameName } from "../names.ts";
import { allTokens } from "../tokens-view.ts";

export async function tokenRemove(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const wanted = args.positionals[0]!;
  const config = await loadConfig(args.config, managementEnv(io.env));
  const removed = await withStore(config, (store) => {
    const tokens = allTokens(config, store);
    const token = tokens.find((t) => t.name === wanted) ?? tokens.find((t) => sameName(t.name, wanted));
    if (token === undefined) throw fail(ExitCode.Failure, `no static token is named "${wanted}" (see \`mcp-appliance token list\`)`);
    if (token.source === "config" && !token.stale) {
      throw fail(
        ExitCode.Config,
        `the static token "${token.name}" is declared in ${config.file}: ` +
          "remove its [[oauth.static_tokens]] entry there and restart the appliance",
      );
    }
    if (!store.staticTokens.remove(token.name)) throw fail(ExitCode.Failure, `the static token "${token.name}" was removed meanwhile`);
    return token;
  });
  io.out(`Static token "${removed.name}" removed.\n`);
  return ExitCode.Ok;
}
