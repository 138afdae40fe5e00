// In-process command runs: a CommandIO that records what a command prints and answers its
// questions, and a configuration file in a fresh directory.
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../../src/cli/dispatch.ts";
import type { CommandIO } from "../../src/cli/io.ts";
import type { Answer } from "../../src/cli/prompt.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { AppConfig } from "../../src/config/types.ts";
import { sha256Hex } from "../../src/oauth/crypto.ts";
import { openStore, type Store } from "../../src/store/index.ts";

export interface Input {
  /** Standard input is a pipe holding this text. */
  piped?: string;
  /** Standard input is a terminal; each prompt takes the next answer. */
  typed?: Answer[];
  env?: Record<string, string | undefined>;
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  prompts: string[];
}

export async function run(argv: string[], input: Input = {}): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const prompts: string[] = [];
  const typed = [...(input.typed ?? [])];
  const io: CommandIO = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    env: input.env ?? {},
    input: {
      interactive: input.typed !== undefined,
      ask: async (prompt) => {
        prompts.push(prompt);
        return typed.shift() ?? { ok: false, error: "ended" };
      },
      firstLine: async () => {
        const text = input.piped ?? "";
        if (text === "") return undefined;
        const line = text.split("\n")[0]!;
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      },
    },
  };
  const code = await runCommand(argv, io);
  return { code, stdout, stderr, prompts };
}

export interface Workspace {
  dir: string;
  config: string;
  stateDir: string;
  /** The state database, opened for a look and closed again. */
  peek<T>(look: (store: Store) => T): T;
  cleanup(): void;
}

/** A directory with a config (auth = "none", one server "vault") plus `extra` TOML appended. */
export function workspace(extra = "", top = ""): Workspace {
  const dir = mkdtempSync(join(tmpdir(), "mcp-appliance-cli-cmd-"));
  const stateDir = join(dir, "state");
  const config = join(dir, "mcp.toml");
  writeFileSync(
    config,
    `${top}
listen = "127.0.0.1:3001"
auth = "none"
state_dir = "${stateDir}"

[servers.vault]
command = "node"

[servers.notes]
command = "node"
${extra}
`,
  );
  return {
    dir,
    config,
    stateDir,
    peek: (look) => {
      const store = openStore(stateDir);
      try {
        return look(store);
      } finally {
        store.close();
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every text value stored in the state database, whatever the table: for "no secret is stored" checks. */
export function everyStoredValue(stateDir: string): string {
  const db = new Database(join(stateDir, "state.db"), { readonly: true });
  try {
    const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    return tables.map(({ name }) => JSON.stringify(db.query(`SELECT * FROM "${name}"`).all())).join("\n");
  } finally {
    db.close();
  }
}

/** Loads a file `init` wrote, exactly as `validate` would. */
export async function loadWritten(text: string, file: string): Promise<AppConfig> {
  return parseConfig(text, file, {});
}

/** A config with a pre-registered client and a static token, as the management commands meet it. */
export const MANAGED_CONFIG = `
[[oauth.clients]]
name = "inspector"
client_id = "inspector-client"
client_secret = "env:INSPECTOR_SECRET"
redirect_uris = ["http://localhost:6274/oauth/callback"]

[[oauth.static_tokens]]
name = "cron"
token_sha256 = "${sha256Hex("mcpt_from-the-config")}"
servers = ["vault"]
`;

export function managementWorkspace(): Workspace {
  return workspace(MANAGED_CONFIG, `public_url = "https://mcp.example.com"`);
}
