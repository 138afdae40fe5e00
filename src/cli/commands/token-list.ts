// `mcp-appliance token list [--json]`: the static API tokens of the config and of the state, by
// name and servers. Tokens are never stored, and their hashes are not shown either.
import type { ParsedArgs } from "../args.ts";
import { loadConfig, managementEnv, withStore } from "../command-context.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { formatTable, formatTime, isoTime } from "../table.ts";
import { allTokens } from "../tokens-view.ts";

export async function tokenList(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const config = await loadConfig(args.config, managementEnv(io.env));
  const tokens = await withStore(config, (store) => allTokens(config, store));
  if (args.flags.has("json")) {
    const json = tokens.map((token) => ({
      name: token.name,
      servers: token.servers,
      source: token.source,
      ...(token.stale && { removed_from_config: true }),
      created_at: isoTime(token.created_at),
    }));
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return ExitCode.Ok;
  }
  if (tokens.length === 0) {
    io.out("No static tokens. Add one with `mcp-appliance token add NAME --server SERVER`.\n");
    return ExitCode.Ok;
  }
  const rows = tokens.map((token) => [
    token.name,
    token.servers.join(" "),
    token.source + (token.stale ? "*" : ""),
    formatTime(token.created_at, "-"),
  ]);
  let text = formatTable(["NAME", "SERVERS", "SOURCE", "CREATED"], rows);
  if (tokens.some((token) => token.stale)) text += `\n* no longer in ${config.file}: removed when the appliance next starts\n`;
  io.out(text);
  return ExitCode.Ok;
}
