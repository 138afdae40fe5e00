// The configuration loader shared by `run` and `validate`: file -> TOML -> validated AppConfig,
// or a ConfigError listing every problem found.

import { open } from "node:fs/promises";
import { resolve } from "node:path";
import * as v from "valibot";
import { ConfigError, ConfigReadError, describeReadError } from "./errors.ts";
import { describeIssue } from "./issues.ts";
import { configSchema } from "./schema.ts";
import type { Env } from "./secrets.ts";
import { parseToml, unsafeKeyProblems } from "./toml.ts";
import type { AppConfig } from "./types.ts";

export { ConfigError, ConfigReadError } from "./errors.ts";

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads and validates the file at `path`; `env` (default: process.env) resolves "env:NAME" secrets. */
export async function loadConfigFile(path: string, env: Env = process.env): Promise<AppConfig> {
  const file = resolve(path);
  const unreadable = (reason: string) => new ConfigReadError([`${file}: cannot read the configuration file (${reason})`]);
  let bytes: Uint8Array;
  try {
    const handle = await open(file, "r");
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw unreadable(info.isDirectory() ? "it is a directory" : "it is not a regular file");
      // Parsing time grows faster than linearly with the number of keys; a real file is a few KiB.
      if (info.size > MAX_CONFIG_BYTES) {
        throw new ConfigError([
          `${file}: the configuration file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; is it the right file?`,
        ]);
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(describeReadError(error));
  }
  let text: string;
  try {
    // TOML files must be UTF-8 (TOML 1.0 §Spec); a replacement character would hide the damage.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError([`${file}: cannot read the configuration file (it is not valid UTF-8)`]);
  }
  return parseConfig(text, file, env);
}

/** Validates configuration `text`; `file` names it in errors and becomes AppConfig.file (made absolute). */
export async function parseConfig(text: string, file: string, env: Env = process.env): Promise<AppConfig> {
  const path = resolve(file);
  const document = parseToml(text, path);
  const result = v.safeParse(configSchema(env), document);
  const problems = [...unsafeKeyProblems(document), ...(result.issues ?? []).map(describeIssue)];
  if (!result.success || problems.length > 0) throw new ConfigError(problems.map((problem) => `${path}: ${problem}`));
  return { file: path, ...result.output };
}
