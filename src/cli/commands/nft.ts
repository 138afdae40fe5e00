// `mcp-appliance nft [--config PATH]`: print the nftables snippet for the configuration, so the
// firewall's ports always match the appliance's (the package ships its output for the default
// configuration as /etc/mcp-appliance/firewall.nft).
import { renderNftables } from "../../firewall/render.ts";
import type { ParsedArgs } from "../args.ts";
import { loadConfig, managementEnv } from "../command-context.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";

export async function nft(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  // The snippet needs no secret: a variable the operator's shell lacks must not stop it.
  const config = await loadConfig(args.config, managementEnv(io.env));
  io.out(renderNftables(config));
  return ExitCode.Ok;
}
