// `mcp-appliance client add NAME --redirect-uri URI...`: a pre-registered client in the state,
// the way a Claude.ai connector is set up with a client ID and secret. The secret is printed
// once and only its SHA-256 is stored: whoever reads the state cannot act as the client.
import { randomToken, sha256Hex, TOKEN_PREFIX } from "../../oauth/crypto.ts";
import { checkRedirectUris } from "../../oauth/redirect-uris.ts";
import { optionValues, type ParsedArgs } from "../args.ts";
import { allClients } from "../clients-view.ts";
import { loadConfig, managementEnv, withStore } from "../command-context.ts";
import { fail } from "../command-failure.ts";
import { endpointsOf, labelled } from "../endpoints.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { nameProblem, readableClientId, sameName } from "../names.ts";

export async function clientAdd(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const name = args.positionals[0]!;
  const isPublic = args.flags.has("public");
  const autoApprove = args.flags.has("auto-approve");
  const problem = nameProblem(name);
  if (problem !== undefined) throw fail(ExitCode.Usage, `client add: ${problem}`);
  // RFC 8252 §8.6, RFC 6749 §10.2: a public client proves nothing but its redirect URI, so
  // skipping the owner for it would give tokens to whoever asks (the config loader says the same).
  if (isPublic && autoApprove) {
    throw fail(
      ExitCode.Usage,
      "client add: --auto-approve needs a confidential client (drop --public): a public client has no secret, so anyone could " +
        "start a sign-in with its client ID and a loopback redirect on their own machine, and get tokens without the owner",
    );
  }
  const redirectUris = [...new Set(optionValues(args, "redirect-uri"))];
  // RFC 7591 §2 / RFC 8252 §7: the same rules as a dynamic registration; every bad URI listed at once.
  const uriProblems = checkRedirectUris(redirectUris);
  if (uriProblems.length > 0) {
    throw fail(
      ExitCode.Usage,
      "client add: redirect URIs refused:\n" +
        uriProblems.map(({ index, problem }) => `  --redirect-uri ${JSON.stringify(redirectUris[index])}: ${problem}`).join("\n"),
    );
  }

  const config = await loadConfig(args.config, managementEnv(io.env));
  const { clientId, secret } = await withStore(config, (store) => {
    const clients = allClients(config, store);
    const taken = clients.find((client) => sameName(client.name, name));
    if (taken !== undefined) {
      throw fail(
        ExitCode.Failure,
        `a client named "${taken.name}" exists already (client ID ${taken.client_id}, ` +
          `${taken.source === "config" ? `in ${config.file}` : "in the state"}); choose another name, or remove that client first`,
      );
    }
    let clientId = readableClientId(name);
    while (clients.some((client) => client.client_id === clientId)) clientId = readableClientId(name);
    const secret = isPublic ? undefined : randomToken(TOKEN_PREFIX.clientSecret);
    store.clients.insert({
      client_id: clientId,
      kind: "preregistered",
      name,
      ...(secret !== undefined && { secret_hash: sha256Hex(secret) }),
      redirect_uris: redirectUris,
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: secret === undefined ? "none" : "client_secret_basic",
      auto_approve: autoApprove,
      source: "state",
    });
    return { clientId, secret };
  });

  const endpoints = endpointsOf(config);
  const kind = secret === undefined ? "public: no secret, PKCE only" : "confidential";
  let text = `Client "${name}" added (${kind}${autoApprove ? ", approved without asking" : ""}).\n\n`;
  text += labelled([["Client ID", clientId], ...(secret === undefined ? [] : [["Client secret", secret] as [string, string]])]);
  if (secret !== undefined) {
    text += "\nThe client secret is shown only this once and cannot be shown again (only its hash is kept): copy it now.\n";
    text += "If it is lost, remove the client and add it again.\n";
  }
  text += "\nWhat the client needs:\n";
  text += labelled([
    ...endpoints.mcp.map(({ url }): [string, string] => ["MCP server URL", url]),
    ["Authorization server", endpoints.issuer],
    ["Authorization endpoint", `${endpoints.issuer}/authorize`],
    ["Token endpoint", `${endpoints.issuer}/token`],
    ["Client authentication", secret === undefined ? "none (PKCE)" : "client_secret_basic"],
    ...redirectUris.map((uri): [string, string] => ["Redirect URI", uri]),
  ]);
  io.out(text);
  if (endpoints.note !== undefined) io.err(`note: ${endpoints.note}\n`);
  if (config.auth !== "oauth") io.err(`note: auth is "${config.auth}" in ${config.file}; clients sign in only with auth = "oauth"\n`);
  if (autoApprove) {
    // Anyone can start a request; the code goes to a registered redirect URI and only the secret redeems it.
    io.err(
      "warning: the owner is never asked for this client: whoever holds its secret and receives codes at one of its " +
        "redirect URIs gets tokens; keep the secret as safe as the owner password\n",
    );
  }
  return ExitCode.Ok;
}
