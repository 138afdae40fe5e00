// What commands start from: the configuration file (the one loader `run` uses too)
// and the state database in its state_dir.

import { describeReadError } from "../config/errors.ts";
import { ConfigError, ConfigReadError, loadConfigFile } from "../config/load.ts";
import type { Env } from "../config/secrets.ts";
import type { AppConfig } from "../config/types.ts";
import { openStore, type Store, StoreVersionError } from "../store/index.ts";
import { CommandFailure, fail } from "./command-failure.ts";
import { ExitCode } from "./exit-codes.ts";

/**
 * The configuration at `path`, or a CommandFailure: 66 when the file does not exist, 78 with
 * every problem when it cannot be used.
 */
export async function loadConfig(path: string, env: Env): Promise<AppConfig> {
  try {
    return await loadConfigFile(path, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const code = error instanceof ConfigReadError ? ExitCode.NoInput : ExitCode.Config;
    throw new CommandFailure(code, error.problems.join("\n"));
  }
}

// Stands in for an "env:NAME" the shell does not have. A well-formed Argon2id string, so it
// passes wherever a secret, a client secret or a password hash is expected; never used as one.
const UNSET_SECRET = "$argon2id$v=19$m=65536,t=2,p=1$bm90LXNldC1oZXJl$bm90LXNldC1oZXJl";

/**
 * The environment for loading the configuration in passwd, client and token. They never use the
 * secrets it references, and the service's environment (systemd Environment=, EnvironmentFile=)
 * is seldom the operator's shell's: a missing variable must not stop `client list`. A variable
 * that is set is used as is. `run` and `validate` use the real environment.
 */
export function managementEnv(env: Env): Env {
  return new Proxy(env, {
    get: (target, name) => {
      if (typeof name !== "string") return undefined;
      // A directory, not a secret: "file:NAME" credentials are still read from it, or refused.
      if (name === "CREDENTIALS_DIRECTORY") return target[name];
      return target[name] ?? UNSET_SECRET;
    },
  });
}

/** Run `use` with the state database of `config` open, closing it afterwards. */
export async function withStore<T>(config: AppConfig, use: (store: Store) => T | Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = openStore(config.stateDir);
  } catch (error) {
    if (error instanceof StoreVersionError) throw fail(ExitCode.StateUnavailable, error.message);
    throw fail(
      ExitCode.StateUnavailable,
      `cannot open the state database in ${config.stateDir} (${describeReadError(error)}); ` +
        "run this as the user the appliance runs as, or as root",
    );
  }
  try {
    return await use(store);
  } finally {
    store.close();
  }
}
