// The command line: commands and subcommands, options anywhere, and a precise reason for every
// mistake (which dispatch turns into exit 64).
import { describe, expect, test } from "bun:test";
import { DEFAULT_CONFIG_PATH, optionValue, optionValues, parseArgs, UsageError } from "../../src/cli/args.ts";

const refused = (argv: string[]) => {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`accepted: ${argv.join(" ")}`);
};

describe("parseArgs", () => {
  test("no arguments: run with the default config", () => {
    const args = parseArgs([]);
    expect(args.command).toBe("run");
    expect(args.config).toBe(DEFAULT_CONFIG_PATH);
  });

  test("--config before or after the command, -c, and --config=PATH; the last one counts", () => {
    expect(parseArgs(["--config", "/a.toml", "validate"]).config).toBe("/a.toml");
    expect(parseArgs(["validate", "-c", "/b.toml"]).config).toBe("/b.toml");
    expect(parseArgs(["validate", "--config=/c.toml", "--config", "/d.toml"]).config).toBe("/d.toml");
  });

  test("--help and --version win wherever they are, even on an incomplete command", () => {
    expect(parseArgs(["client", "add", "--help"]).command).toBe("help");
    expect(parseArgs(["-h"]).command).toBe("help");
    expect(parseArgs(["validate", "-V"]).command).toBe("version");
  });

  test("subcommands with their positionals and options", () => {
    const add = parseArgs(["client", "add", "claude", "--redirect-uri", "https://a/cb", "--redirect-uri=https://b/cb", "--public"]);
    expect(add.command).toBe("client");
    expect(add.subcommand).toBe("add");
    expect(add.positionals).toEqual(["claude"]);
    expect(optionValues(add, "redirect-uri")).toEqual(["https://a/cb", "https://b/cb"]);
    expect(add.flags.has("public")).toBe(true);
    expect(add.flags.has("auto-approve")).toBe(false);

    const token = parseArgs(["--server", "vault", "token", "add", "backup", "--server", "notes"]);
    expect(token.subcommand).toBe("add");
    expect(optionValues(token, "server")).toEqual(["vault", "notes"]);

    expect(parseArgs(["client", "list", "--json"]).flags.has("json")).toBe(true);
    expect(parseArgs(["token", "remove", "backup"]).positionals).toEqual(["backup"]);
    expect(optionValue(parseArgs(["init", "--public-url", "https://x.example"]), "public-url")).toBe("https://x.example");
    expect(optionValue(parseArgs(["demo", "--listen", "127.0.0.1:0"]), "listen")).toBe("127.0.0.1:0");
  });

  test("after --, everything is an argument (a name that starts with a dash)", () => {
    expect(parseArgs(["client", "remove", "--", "--odd-name"]).positionals).toEqual(["--odd-name"]);
  });

  test("every mistake says what was wrong", () => {
    expect(refused(["--frobnicate"])).toBe("unknown option --frobnicate");
    expect(refused(["-x"])).toBe("unknown option -x");
    expect(refused(["frob"])).toBe(`unknown command "frob"`);
    expect(refused(["validate", "extra"])).toBe(`unexpected argument "extra"`);
    expect(refused(["validate", "--config"])).toBe("--config needs a value");
    expect(refused(["validate", "--listen", "127.0.0.1:1"])).toBe("--listen is not an option of validate");
    expect(refused(["client"])).toBe("client needs one of: add, list, remove");
    expect(refused(["token", "rename", "x"])).toBe(`token needs one of: add, list, remove (got "rename")`);
    expect(refused(["client", "add", "--redirect-uri", "https://a/cb"])).toBe("client add needs NAME");
    expect(refused(["client", "add", "claude"])).toBe("client add needs --redirect-uri");
    expect(refused(["client", "remove"])).toBe("client remove needs NAME|CLIENT_ID");
    expect(refused(["token", "add", "backup"])).toBe("token add needs --server");
    expect(refused(["client", "list", "--public"])).toBe("--public is not an option of client list");
    expect(refused(["init", "--force=yes"])).toBe("--force takes no value");
  });
});
