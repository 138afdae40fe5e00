// `mcp-appliance demo`: the notes vault of this program on a loopback address, behind the
// authorization server with a generated owner password (or without auth: --no-auth), and
// `demo-vault-server`, the vault itself (the demo's child process).
import { tmpdir } from "node:os";
import { parseListen } from "../../config/net.ts";
import { demoConfig, demoNotesFolder } from "../../demo/demo-config.ts";
import { privateDemoHome } from "../../demo/demo-home.ts";
import { runVaultServer } from "../../demo/vault-server.ts";
import { createLogger } from "../../log.ts";
import { optionValue, type ParsedArgs } from "../args.ts";
import { fail } from "../command-failure.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { selfCommand } from "../self-command.ts";
import { serve } from "../serve.ts";
import { ensureDemoOwnerPassword } from "./demo-owner.ts";

export async function demo(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const listen = parseListen(optionValue(args, "listen") ?? "127.0.0.1:3001");
  if (!listen.ok) throw fail(ExitCode.Usage, `--listen: ${listen.error}`);
  const auth = args.flags.has("no-auth") ? "none" : "oauth";
  const home = privateDemoHome(io.env.TMPDIR || tmpdir(), process.getuid?.() ?? 0);
  if (!home.ok) throw fail(ExitCode.Failure, home.error);
  const config = demoConfig(selfCommand(), listen.value, auth, home.value);
  const passwordFile = auth === "oauth" ? await ensureDemoOwnerPassword(config.stateDir) : undefined;
  return serve(config, createLogger(config.log.level), (url) => {
    const access = passwordFile
      ? `  clients sign in through OAuth; the owner password (to approve them) is in ${passwordFile}\n`
      : "  no authentication (--no-auth): loopback only\n";
    io.err(
      `\nmcp-appliance demo: the notes vault is served at ${url}/vault/mcp (Streamable HTTP)\n` +
        access +
        `  legacy SSE clients: ${url}/vault/sse · health: ${url}/healthz · notes: ${demoNotesFolder(config)}\n` +
        `  try: npx @modelcontextprotocol/inspector, transport "Streamable HTTP", URL ${url}/vault/mcp\n\n`,
    );
  });
}

export async function demoVaultServer(args: ParsedArgs): Promise<ExitCodeValue> {
  const dir = optionValue(args, "dir");
  if (dir === undefined) throw fail(ExitCode.Usage, "demo-vault-server needs --dir");
  await runVaultServer(dir);
  return ExitCode.Ok;
}
