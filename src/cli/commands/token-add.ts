// `mcp-appliance token add NAME --server SERVER...`: a static API token for a headless client
// that cannot run an OAuth flow (a backup script, a cron job), opening only the servers named.
// Printed once; the state keeps only its SHA-256.
import { randomToken, sha256Hex } from "../../oauth/crypto.ts";
import { optionValues, type ParsedArgs } from "../args.ts";
import { loadConfig, managementEnv, withStore } from "../command-context.ts";
import { fail } from "../command-failure.ts";
import { endpointsOf } from "../endpoints.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { nameProblem, sameName } from "../names.ts";
import { allTokens } from "../tokens-view.ts";

/** Says what a leaked string is, beside the OAuth token prefixes (mcpa_, mcpr_, ...). */
const STATIC_TOKEN_PREFIX = "mcpt_";

export async function tokenAdd(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const name = args.positionals[0]!;
  const problem = nameProblem(name);
  if (problem !== undefined) throw fail(ExitCode.Usage, `token add: ${problem}`);
  const servers = [...new Set(optionValues(args, "server"))];

  const config = await loadConfig(args.config, managementEnv(io.env));
  const known = [...config.servers, ...config.httpServers].map((server) => server.name);
  const unknown = servers.filter((server) => !known.includes(server));
  if (unknown.length > 0) {
    const verb = unknown.length === 1 ? "is not a server" : "are not servers";
    throw fail(ExitCode.Usage, `token add: ${quoted(unknown)} ${verb} of ${config.file} (the servers are ${quoted(known)})`);
  }

  const token = await withStore(config, (store) => {
    const taken = allTokens(config, store).find((existing) => sameName(existing.name, name));
    if (taken !== undefined) {
      throw fail(
        ExitCode.Failure,
        `a static token named "${taken.name}" exists already (${taken.source === "config" ? `in ${config.file}` : "in the state"}); ` +
          "choose another name, or remove that token first",
      );
    }
    const token = randomToken(STATIC_TOKEN_PREFIX);
    store.staticTokens.insert({ name, token_hash: sha256Hex(token), servers, source: "state" });
    return token;
  });

  const endpoints = endpointsOf(config);
  const urls = endpoints.mcp.filter(({ server }) => servers.includes(server)).map(({ url }) => `  ${url}\n`);
  io.out(
    `Static token "${name}" added for ${quoted(servers)}.\n\n` +
      `  Token:  ${token}\n\n` +
      "The token is shown only this once and cannot be shown again (only its hash is kept): copy it now.\n" +
      "If it is lost, remove the token and add it again.\n\n" +
      `Send it as "Authorization: Bearer <token>" to:\n${urls.join("")}`,
  );
  if (endpoints.note !== undefined) io.err(`note: ${endpoints.note}\n`);
  if (config.auth !== "oauth") io.err(`note: auth is "${config.auth}" in ${config.file}; tokens are checked only with auth = "oauth"\n`);
  return ExitCode.Ok;
}

const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(", ");
