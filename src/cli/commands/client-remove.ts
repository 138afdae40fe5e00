// `mcp-appliance client remove NAME|CLIENT_ID`: a client of the state goes, and with it (the
// store cascades) its grants, codes, access and refresh tokens and remembered consent.
// A client declared in the config is the file's: removing it here would last until the next start.
import type { ParsedArgs } from "../args.ts";
import { allClients } from "../clients-view.ts";
import { loadConfig, managementEnv, withStore } from "../command-context.ts";
import { fail } from "../command-failure.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { sameName } from "../names.ts";

export async function clientRemove(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const wanted = args.positionals[0]!;
  const config = await loadConfig(args.config, managementEnv(io.env));
  const removed = await withStore(config, (store) => {
    const clients = allClients(config, store);
    // A client ID names one client; a name may be shared by dynamic registrations.
    const byId = clients.filter((client) => client.client_id === wanted);
    const matches = byId.length > 0 ? byId : clients.filter((client) => sameName(client.name, wanted));
    if (matches.length === 0) {
      throw fail(ExitCode.Failure, `no client is named or has the client ID "${wanted}" (see \`mcp-appliance client list\`)`);
    }
    if (matches.length > 1) {
      throw fail(
        ExitCode.Failure,
        `${matches.length} clients are named "${wanted}"; remove one by its client ID:\n` +
          matches.map((client) => `  ${client.client_id}  (${client.kind}, ${client.source})`).join("\n"),
      );
    }
    const client = matches[0]!;
    if (client.source === "config" && !client.stale) {
      throw fail(
        ExitCode.Config,
        `the client "${client.name}" (${client.client_id}) is declared in ${config.file}: ` +
          "remove its [[oauth.clients]] entry there and restart the appliance",
      );
    }
    if (!store.clients.remove(client.client_id)) {
      throw fail(ExitCode.Failure, `the client "${client.name}" (${client.client_id}) was removed meanwhile`);
    }
    return client;
  });
  io.out(`Client "${removed.name}" (${removed.client_id}) removed, with its grants and tokens.\n`);
  return ExitCode.Ok;
}
