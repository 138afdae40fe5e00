// `mcp-appliance client list [--json]`: every client of the config and of the state. Names, ids
// and redirect URIs only: secrets are never stored, and their hashes are not shown either.
import type { ParsedArgs } from "../args.ts";
import { allClients, type ClientView } from "../clients-view.ts";
import { loadConfig, managementEnv, withStore } from "../command-context.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { formatTable, formatTime, isoTime } from "../table.ts";

export async function clientList(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const config = await loadConfig(args.config, managementEnv(io.env));
  const clients = await withStore(config, (store) => allClients(config, store));
  if (args.flags.has("json")) {
    io.out(`${JSON.stringify(clients.map(asJson), null, 2)}\n`);
    return ExitCode.Ok;
  }
  if (clients.length === 0) {
    io.out("No clients. Add one with `mcp-appliance client add NAME --redirect-uri URI`.\n");
    return ExitCode.Ok;
  }
  const rows = clients.map((client) => [
    client.name,
    client.client_id,
    client.kind + (client.public ? " (public)" : "") + (client.auto_approve ? " (auto-approve)" : ""),
    client.source + (client.stale ? "*" : ""),
    client.redirect_uris.join(" "),
    formatTime(client.last_used_at, "never"),
    formatTime(client.created_at, "-"),
  ]);
  let text = formatTable(["NAME", "CLIENT ID", "KIND", "SOURCE", "REDIRECT URIS", "LAST USED", "CREATED"], rows);
  if (clients.some((client) => client.stale)) {
    text += `\n* no longer in ${config.file}: removed when the appliance next starts\n`;
  }
  io.out(text);
  return ExitCode.Ok;
}

function asJson(client: ClientView) {
  return {
    name: client.name,
    client_id: client.client_id,
    kind: client.kind,
    source: client.source,
    ...(client.stale && { removed_from_config: true }),
    public: client.public,
    auto_approve: client.auto_approve,
    redirect_uris: client.redirect_uris,
    last_used_at: isoTime(client.last_used_at),
    created_at: isoTime(client.created_at),
  };
}
