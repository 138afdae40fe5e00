// Entry point: argv → command. Exit codes are named in exit-codes.ts.
import { ConfigError, loadConfigFile } from "../config/load.ts";
import { parseListen } from "../config/net.ts";
import { demoConfig, demoNotesFolder } from "../demo/demo-config.ts";
import { runVaultServer } from "../demo/vault-server.ts";
import { createLogger } from "../log.ts";
import { VERSION } from "../version.ts";
import { HELP, UsageError, parseArgs } from "./args.ts";
import { ExitCode, type ExitCodeValue } from "./exit-codes.ts";
import { selfCommand } from "./self-command.ts";
import { serve } from "./serve.ts";

async function main(argv: readonly string[]): Promise<ExitCodeValue> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mcp-appliance: ${error.message}\n\n${HELP}`);
    return ExitCode.Usage;
  }

  switch (args.command) {
    case "help":
      process.stdout.write(HELP);
      return ExitCode.Ok;
    case "version":
      process.stdout.write(`mcp-appliance ${VERSION}\n`);
      return ExitCode.Ok;
    case "demo-vault-server":
      if (!args.dir) {
        process.stderr.write("mcp-appliance: demo-vault-server needs --dir\n");
        return ExitCode.Usage;
      }
      await runVaultServer(args.dir);
      return ExitCode.Ok;
    case "demo": {
      const listen = parseListen(args.listen ?? "127.0.0.1:3001");
      if (!listen.ok) {
        process.stderr.write(`mcp-appliance: --listen: ${listen.problem}\n`);
        return ExitCode.Usage;
      }
      const config = demoConfig(selfCommand(), listen.value);
      return serve(config, createLogger(config.log.level), (url) => {
        process.stderr.write(
          `\nmcp-appliance demo: the notes vault is served at ${url}/vault/mcp (Streamable HTTP)\n` +
            `  legacy SSE clients: ${url}/vault/sse · health: ${url}/healthz\n` +
            `  notes are kept in ${demoNotesFolder(config)}\n` +
            `  no authentication: loopback only. Try: npx @modelcontextprotocol/inspector, transport "Streamable HTTP", URL ${url}/vault/mcp\n\n`,
        );
      });
    }
    case "validate":
    case "run": {
      if (!(await Bun.file(args.config).exists())) {
        process.stderr.write(`${args.config}: cannot read the configuration file (it does not exist)\n`);
        return ExitCode.NoInput;
      }
      let config;
      try {
        config = await loadConfigFile(args.config);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`${error.problems.join("\n")}\n`);
        return ExitCode.Config;
      }
      if (args.command === "validate") {
        process.stdout.write("Valid configuration\n");
        return ExitCode.Ok;
      }
      return serve(config, createLogger(config.log.level));
    }
  }
}

process.exitCode = await main(process.argv.slice(2));
// Children and timers are all stopped by now; exit even if a stray handle lingers.
process.exit(process.exitCode);
