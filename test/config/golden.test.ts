// Golden files: every golden/NAME.toml is loaded and the result compared with NAME.expected,
// the pretty JSON of the AppConfig or the exact error lines. Adding a case is adding two files;
// `UPDATE_GOLDEN=1 bun test test/config` rewrites the .expected files (read the diff!).
//
// "@GOLDEN@" in a .toml stands for this directory (for absolute file: secrets), and the directory
// is written back as "@GOLDEN@" in results, so the goldens do not depend on the machine.

import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../../src/config/load.ts";

const GOLDEN = join(import.meta.dir, "golden");
const PLACEHOLDER = "@GOLDEN@";
const UPDATE = process.env.UPDATE_GOLDEN === "1";

// The environment every case sees: "env:" secrets and systemd credentials come from here.
const ENV = {
  VAULT_TOKEN: "token-from-env",
  HOME: "/home/mcp",
  CREDENTIALS_DIRECTORY: join(GOLDEN, "credentials"),
};

async function render(name: string): Promise<string> {
  const file = join(GOLDEN, `${name}.toml`);
  const text = (await Bun.file(file).text()).replaceAll(PLACEHOLDER, GOLDEN);
  let output: string;
  try {
    output = JSON.stringify(await parseConfig(text, file, ENV), null, 2);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.message).toBe(error.problems.join("\n"));
    output = error.problems.join("\n");
  }
  return `${output.replaceAll(GOLDEN, PLACEHOLDER)}\n`;
}

const cases = readdirSync(GOLDEN)
  .filter((entry) => entry.endsWith(".toml"))
  .map((entry) => entry.slice(0, -".toml".length))
  .sort();

describe("config goldens", () => {
  test("there are cases", () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    test(name, async () => {
      const actual = await render(name);
      const expectedFile = Bun.file(join(GOLDEN, `${name}.expected`));
      if (UPDATE) {
        await Bun.write(expectedFile, actual);
        return;
      }
      if (!(await expectedFile.exists())) throw new Error(`golden/${name}.expected is missing (run with UPDATE_GOLDEN=1)`);
      expect(actual).toBe(await expectedFile.text());
    });
  }
});
