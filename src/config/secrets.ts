// Secret references: a value may say where the secret is instead of containing it.
//   "env:NAME"      the appliance's environment variable NAME
//   "file:/path"    the content of a file, minus one trailing newline
//   "file:name"     a systemd credential: $CREDENTIALS_DIRECTORY/name (LoadCredential=)
// Anything else is the secret itself. Problems name the variable or the path, never a value.
// Files are read synchronously: this runs once at start-up, inside a synchronous validation pass.

import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Result } from "../common/result.ts";
import { describeReadError } from "./errors.ts";

export type Env = Record<string, string | undefined>;

/** Portable environment variable names (POSIX.1-2017 §8.1). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// A secret is a token or a password; a bigger file is a wrong path (or /dev/zero).
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** True for "env:..." and "file:...": the value says where the secret is rather than being it. */
export function isSecretReference(value: string): boolean {
  return value.startsWith("env:") || value.startsWith("file:");
}

export function resolveSecret(value: string, env: Env): Result<string> {
  if (value.startsWith("env:")) return fromEnv(value.slice("env:".length), env);
  if (value.startsWith("file:")) return fromFile(value.slice("file:".length), env);
  return { ok: true, value };
}

function fromEnv(name: string, env: Env): Result<string> {
  if (!ENV_NAME.test(name)) {
    return { ok: false, error: `"env:" must be followed by an environment variable name, e.g. "env:API_KEY"` };
  }
  const value = env[name];
  if (value === undefined) return { ok: false, error: `environment variable ${name} is not set` };
  return { ok: true, value };
}

function fromFile(path: string, env: Env): Result<string> {
  if (path === "") return { ok: false, error: `"file:" must be followed by a path, e.g. "file:/etc/credstore/api-key"` };
  let fullPath = path;
  if (!isAbsolute(path)) {
    const credentials = env.CREDENTIALS_DIRECTORY;
    if (!credentials) {
      return {
        ok: false,
        error: `"file:${path}" is relative, which needs $CREDENTIALS_DIRECTORY (set by systemd for LoadCredential=); otherwise use an absolute path`,
      };
    }
    fullPath = join(credentials, path);
  }
  try {
    const stat = statSync(fullPath);
    if (!stat.isFile()) return { ok: false, error: `cannot read the secret file ${fullPath} (not a regular file)` };
    if (stat.size > MAX_SECRET_FILE_BYTES) {
      return { ok: false, error: `cannot read the secret file ${fullPath} (larger than 64KiB)` };
    }
    return { ok: true, value: stripOneNewline(readFileSync(fullPath, "utf8")) };
  } catch (error) {
    return { ok: false, error: `cannot read the secret file ${fullPath} (${describeReadError(error)})` };
  }
}

// `echo secret > file` and systemd-creds both end the file with a newline that is not part of it.
function stripOneNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n")) return text.slice(0, -1);
  return text;
}
