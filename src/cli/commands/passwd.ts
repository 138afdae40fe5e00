// `mcp-appliance passwd`: set the owner password of the login page. Only its Argon2id hash is
// kept, in the state; the password is never printed, logged or passed on the command line
// (where `ps` and shell history would show it).
import { OWNER_PASSWORD_SETTING } from "../../oauth/owner.ts";
import type { ParsedArgs } from "../args.ts";
import { loadConfig, managementEnv, withStore } from "../command-context.ts";
import { fail } from "../command-failure.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";

const MIN_PASSWORD_LENGTH = 12;
// The login page refuses longer input before hashing (src/oauth/owner.ts): a password it could
// never accept must not be set.
const MAX_PASSWORD_LENGTH = 1024;

export async function passwd(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const config = await loadConfig(args.config, managementEnv(io.env));
  if (config.oauth.ownerPasswordHash !== undefined) {
    throw fail(
      ExitCode.Config,
      `${config.file} sets owner_password_hash in [oauth], and the configuration wins over a password set here: ` +
        "change the password there, or remove that key to use `mcp-appliance passwd`",
    );
  }
  // The state is opened before asking, so that a permission problem shows before any typing.
  await withStore(config, async (store) => {
    const password = await readNewPassword(io);
    const hash = await Bun.password.hash(password, { algorithm: "argon2id" });
    store.settings.set(OWNER_PASSWORD_SETTING, hash);
  });
  io.out("Owner password updated.\n");
  if (config.auth !== "oauth") {
    io.err(`note: auth is "${config.auth}" in ${config.file}; the login page asks for this password only with auth = "oauth"\n`);
  }
  return ExitCode.Ok;
}

async function readNewPassword(io: CommandIO): Promise<string> {
  if (!io.input.interactive) {
    const line = await io.input.firstLine();
    if (line === undefined || line === "") {
      throw fail(ExitCode.DataError, `no password on standard input (give it as the first line: echo "$PASSWORD" | mcp-appliance passwd)`);
    }
    return checked(line);
  }
  const first = checked(await ask(io, "New owner password: "));
  const again = await ask(io, "Repeat the new owner password: ");
  if (again !== first) throw fail(ExitCode.DataError, "the two passwords differ; nothing was changed");
  return first;
}

async function ask(io: CommandIO, prompt: string): Promise<string> {
  const answer = await io.input.ask(prompt);
  if (answer.ok) return answer.value;
  if (answer.error === "interrupted") throw fail(ExitCode.Interrupted, "interrupted; nothing was changed");
  throw fail(ExitCode.DataError, "no password given; nothing was changed");
}

function checked(password: string): string {
  // Counted in characters as a person types them, not UTF-16 code units.
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw fail(ExitCode.DataError, `the password is too short: it needs at least ${MIN_PASSWORD_LENGTH} characters; nothing was changed`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw fail(
      ExitCode.DataError,
      `the password is longer than ${MAX_PASSWORD_LENGTH} characters, more than the login page accepts; nothing was changed`,
    );
  }
  return password;
}
