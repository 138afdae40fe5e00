// `mcp-appliance init [--config PATH] [--public-url URL] [--force]`: write a starting
// configuration. Never over an existing file unless asked: it is the operator's.
import { closeSync, fchmodSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { describeReadError } from "../../config/errors.ts";
import { parsePublicUrl } from "../../config/urls.ts";
import { DEFAULT_CONFIG_PATH, optionValue, type ParsedArgs } from "../args.ts";
import { fail } from "../command-failure.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import type { CommandIO } from "../io.ts";
import { selfCommand } from "../self-command.ts";
import { configTemplate } from "./init-template.ts";

// Nothing secret inside, and the operator's tools (and `validate` run as anyone) read it.
const FILE_MODE = 0o644;

export async function init(args: ParsedArgs, io: CommandIO): Promise<ExitCodeValue> {
  const path = resolve(args.config);
  const given = optionValue(args, "public-url");
  let publicUrl: string | undefined;
  if (given !== undefined) {
    const parsed = parsePublicUrl(given);
    if (!parsed.ok) throw fail(ExitCode.Usage, `--public-url: expected a URL such as "https://mcp.example.com" (${parsed.error})`);
    publicUrl = parsed.value;
  }
  const force = args.flags.has("force");
  writeConfig(path, configTemplate({ ...(publicUrl !== undefined && { publicUrl }), self: selfCommand() }), force);

  const withConfig = path === DEFAULT_CONFIG_PATH ? "" : ` --config ${path}`;
  io.out(
    `Wrote ${path}.\n\n` +
      "Next steps:\n" +
      "  1. Set the owner password, asked on the login page when a client wants access:\n" +
      `       mcp-appliance passwd${withConfig}\n` +
      `  2. ${publicUrl === undefined ? "Set public_url, r" : "R"}eplace the example server with yours, then check the file:\n` +
      `       mcp-appliance validate${withConfig}\n` +
      "  3. Start the appliance:\n" +
      `       mcp-appliance run${withConfig}\n`,
  );
  return ExitCode.Ok;
}

function writeConfig(path: string, text: string, force: boolean): void {
  // Without --force, "wx" creates the file or fails: no window in which another file could
  // appear and be overwritten. With --force the text goes to a temporary file renamed over the
  // old one, so a reader never sees half a configuration.
  const target = force ? `${path}.init-${process.pid}.tmp` : path;
  let fd: number;
  try {
    fd = openSync(target, force ? "w" : "wx", FILE_MODE);
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST") {
      throw fail(ExitCode.CantCreate, `${path} exists already; nothing was written (use --force to replace it)`);
    }
    throw fail(ExitCode.CantCreate, `cannot create ${path} (${whyNot(error)})`);
  }
  try {
    writeSync(fd, text);
    // The mode given to open is filtered by the umask; say it exactly.
    fchmodSync(fd, FILE_MODE);
  } catch (error) {
    closeSync(fd);
    rmSync(target, { force: true });
    throw fail(ExitCode.CantCreate, `cannot write ${path} (${whyNot(error)})`);
  }
  closeSync(fd);
  if (!force) return;
  try {
    renameSync(target, path);
  } catch (error) {
    rmSync(target, { force: true });
    throw fail(ExitCode.CantCreate, `cannot replace ${path} (${whyNot(error)})`);
  }
}

function whyNot(error: unknown): string {
  return (error as { code?: unknown }).code === "ENOENT" ? "its directory does not exist" : describeReadError(error);
}
