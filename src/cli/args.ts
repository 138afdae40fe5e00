// Command-line parsing: `mcp-appliance [command [subcommand]] [--config PATH] [options] [arguments]`.
// Hand-written: the grammar is small and every error message should say exactly what was wrong.
// Options may come before or after the command word; each option means one thing everywhere
// (takes a value or not), so the whole line is read first and checked against the command after.

const COMMANDS = ["run", "validate", "init", "passwd", "client", "token", "nft", "version", "help", "demo", "demo-vault-server"] as const;
type Command = (typeof COMMANDS)[number];

export interface ParsedArgs {
  command: Command;
  /** client and token: "add", "list" or "remove". */
  subcommand?: string;
  config: string;
  /** The arguments after the command (and subcommand) word, e.g. client add's NAME. */
  positionals: string[];
  /** Options that take a value, by name without "--", every value in the order given. */
  values: Record<string, string[]>;
  /** Options without a value that were given, by name without "--". */
  flags: Set<string>;
}

export class UsageError extends Error {}

export const DEFAULT_CONFIG_PATH = "/etc/mcp.toml";

type OptionKind = "value" | "repeatable" | "flag";

/** Every long option; "config", "help" and "version" are accepted by every command. */
const OPTIONS: Record<string, OptionKind> = {
  config: "value",
  help: "flag",
  version: "flag",
  listen: "value",
  dir: "value",
  "public-url": "value",
  force: "flag",
  "redirect-uri": "repeatable",
  public: "flag",
  "auto-approve": "flag",
  json: "flag",
  server: "repeatable",
  "no-auth": "flag",
};
const SHORT: Record<string, string> = { "-c": "config", "-h": "help", "-V": "version" };
const GLOBAL = ["config", "help", "version"];

interface CommandSpec {
  options?: string[];
  /** Names of the positional arguments, all required, as the help writes them. */
  positionals?: string[];
  /** Options that must be given at least once. */
  required?: string[];
}

const SPECS: Record<string, CommandSpec> = {
  run: {},
  validate: {},
  init: { options: ["public-url", "force"] },
  passwd: {},
  "client add": { options: ["redirect-uri", "public", "auto-approve"], positionals: ["NAME"], required: ["redirect-uri"] },
  "client list": { options: ["json"] },
  "client remove": { positionals: ["NAME|CLIENT_ID"] },
  "token add": { options: ["server"], positionals: ["NAME"], required: ["server"] },
  "token list": { options: ["json"] },
  "token remove": { positionals: ["NAME"] },
  nft: {},
  version: {},
  help: {},
  demo: { options: ["listen", "no-auth"] },
  "demo-vault-server": { options: ["dir"] },
};

const SUBCOMMANDS: Partial<Record<Command, string[]>> = {
  client: ["add", "list", "remove"],
  token: ["add", "list", "remove"],
};

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const words: string[] = [];
  const values: Record<string, string[]> = {};
  const flags = new Set<string>();
  // help / version win over everything else; the later of the two if both are given.
  let asked: "help" | "version" | undefined;
  let onlyWords = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyWords || !arg.startsWith("-") || arg === "-") {
      words.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyWords = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const spelled = eq === -1 ? arg : arg.slice(0, eq);
    const name = SHORT[spelled] ?? (spelled.startsWith("--") ? spelled.slice(2) : undefined);
    const kind = name === undefined ? undefined : OPTIONS[name];
    if (name === undefined || kind === undefined) throw new UsageError(`unknown option ${spelled}`);
    if (kind === "flag") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      if (name === "help" || name === "version") asked = name;
      else flags.add(name);
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      value = next;
    }
    // A single-valued option given twice: the last one counts, as with most Unix tools.
    values[name] = kind === "repeatable" ? [...(values[name] ?? []), value] : [value];
  }

  const config = values.config?.at(-1) ?? DEFAULT_CONFIG_PATH;
  delete values.config;
  const parsed: ParsedArgs = { command: "run", config, positionals: [], values, flags };
  if (asked !== undefined) return { ...parsed, command: asked };

  const [first, ...rest] = words;
  if (first !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command "${first}"`);
    parsed.command = first as Command;
  }
  let key: string = parsed.command;
  const subcommands = SUBCOMMANDS[parsed.command];
  if (subcommands !== undefined) {
    const sub = rest.shift();
    if (sub === undefined || !subcommands.includes(sub)) {
      const given = sub === undefined ? "" : ` (got "${sub}")`;
      throw new UsageError(`${parsed.command} needs one of: ${subcommands.join(", ")}${given}`);
    }
    parsed.subcommand = sub;
    key = `${parsed.command} ${sub}`;
  }
  parsed.positionals = rest;
  check(key, parsed);
  return parsed;
}

function check(key: string, parsed: ParsedArgs): void {
  const spec = SPECS[key] ?? {};
  const allowed = [...GLOBAL, ...(spec.options ?? [])];
  for (const name of [...Object.keys(parsed.values), ...parsed.flags]) {
    if (!allowed.includes(name)) throw new UsageError(`--${name} is not an option of ${key}`);
  }
  const names = spec.positionals ?? [];
  if (parsed.positionals.length > names.length) {
    throw new UsageError(`unexpected argument "${parsed.positionals[names.length]}"`);
  }
  if (parsed.positionals.length < names.length) throw new UsageError(`${key} needs ${names.slice(parsed.positionals.length).join(" ")}`);
  for (const name of spec.required ?? []) {
    if (parsed.values[name] === undefined) throw new UsageError(`${key} needs --${name}`);
  }
}

/** The value of a single-valued option, if given. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  return args.values[name]?.at(-1);
}

/** Every value of a repeatable option, in the order given. */
export function optionValues(args: ParsedArgs, name: string): string[] {
  return args.values[name] ?? [];
}
