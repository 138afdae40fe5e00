// Command-line parsing: `mcp-appliance [command] [--config PATH] [options]`. Hand-written: the
// grammar is tiny and every error message should say exactly what was wrong.

export const COMMANDS = ["run", "validate", "version", "help", "demo", "demo-vault-server"] as const;
export type Command = (typeof COMMANDS)[number];

export interface ParsedArgs {
  command: Command;
  config: string;
  /** demo: where it listens; demo-vault-server: the notes folder. */
  listen?: string;
  dir?: string;
}

export class UsageError extends Error {}

export const DEFAULT_CONFIG_PATH = "/etc/mcp.toml";

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { command: "run", config: DEFAULT_CONFIG_PATH };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const valueOf = (flag: string): string => {
      const eq = arg.indexOf("=");
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (arg === "--config" || arg.startsWith("--config=") || arg === "-c") parsed.config = valueOf("--config");
    else if (arg === "--listen" || arg.startsWith("--listen=")) parsed.listen = valueOf("--listen");
    else if (arg === "--dir" || arg.startsWith("--dir=")) parsed.dir = valueOf("--dir");
    else if (arg === "--help" || arg === "-h") parsed.command = "help";
    else if (arg === "--version" || arg === "-V") parsed.command = "version";
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else if (!commandSeen && (COMMANDS as readonly string[]).includes(arg)) {
      if (parsed.command === "run") parsed.command = arg as Command;
      commandSeen = true;
    } else throw new UsageError(`unexpected argument "${arg}"`);
  }
  return parsed;
}

export const HELP = `mcp-appliance: put self-hosted MCP servers on the internet, safely.

Usage:
  mcp-appliance [run] [--config PATH]     serve the configured MCP servers (default config: ${DEFAULT_CONFIG_PATH})
  mcp-appliance validate [--config PATH]  check a configuration file and exit
  mcp-appliance demo [--listen HOST:PORT] run the built-in demo: a notes vault at /vault/mcp on 127.0.0.1:3001
  mcp-appliance version                   print the version
  mcp-appliance help                      print this help

Exit codes: 0 ok, 1 failure while running, 64 bad command line, 66 config file unreadable, 78 config invalid.
`;
