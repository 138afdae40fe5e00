// What the vault refuses: names that leave the folder lexically or through symbolic links,
// malformed names and oversized notes. Every refusal is a tool result with isError: true.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { textOf } from "./stdio-client.ts";
import { startVault, type VaultUnderTest } from "./vault-harness.ts";

let vault: VaultUnderTest;
let outside: string;
beforeAll(async () => {
  vault = await startVault();
  await vault.client.initialize();
  outside = path.join(vault.base, "outside");
  await mkdir(outside);
  await writeFile(path.join(outside, "secret.md"), "top secret");
  // The server created the vault folder during startup, which initialize waited for.
  await symlink(outside, path.join(vault.vault, "escape"));
  await symlink(path.join(outside, "secret.md"), path.join(vault.vault, "leak.md"));
  await writeFile(path.join(vault.vault, "inside.md"), "inside");
  await symlink(path.join(vault.vault, "inside.md"), path.join(vault.vault, "alias.md"));
});
afterAll(() => vault.stop());

async function refused(tool: string, args: Record<string, unknown>): Promise<string> {
  const result = await vault.client.callTool(tool, args);
  expect(result.isError).toBe(true);
  return textOf(result);
}

describe("vault refuses", () => {
  const badNames: [string, string][] = [
    ["../x.md", ".."],
    ["a/../../x.md", ".."],
    ["/etc/passwd", "absolute"],
    ["a\\b.md", "backslash"],
    ["a\0b.md", "NUL"],
    ["line\nbreak.md", "control"],
    ["a//b.md", "empty"],
    ["./a.md", 'empty or "."'],
    [".git/config", 'starting with "."'],
    ["", "non-empty"],
    ["x".repeat(201), "at most 200"],
  ];
  for (const [name, why] of badNames) {
    test(`the name ${JSON.stringify(name.slice(0, 20))} for every tool (${why})`, async () => {
      expect(await refused("read_note", { name })).toContain(why);
      expect(await refused("write_note", { name, content: "x" })).toContain(why);
    });
  }

  test("reading or writing through a symlinked folder that points outside", async () => {
    expect(await refused("read_note", { name: "escape/secret.md" })).toContain("outside the vault");
    expect(await refused("write_note", { name: "escape/new.md", content: "x" })).toContain("outside the vault");
    expect(await refused("write_note", { name: "escape/sub/new.md", content: "x" })).toContain("outside the vault");
    expect(await readdir(outside)).toEqual(["secret.md"]);
  });

  test("reading or overwriting a symlinked note that points outside", async () => {
    expect(await refused("read_note", { name: "leak.md" })).toContain("outside the vault");
    expect(await refused("write_note", { name: "leak.md", content: "pwned" })).toContain("outside the vault");
    expect(await Bun.file(path.join(outside, "secret.md")).text()).toBe("top secret");
  });

  test("but a symlink that stays inside the vault works", async () => {
    expect(textOf(await vault.client.callTool("read_note", { name: "alias.md" }))).toBe("inside");
  });

  test("links are not listed or searched, so nothing outside shows up", async () => {
    expect(textOf(await vault.client.callTool("list_notes")).split("\n")).toEqual(["inside.md"]);
    expect(textOf(await vault.client.callTool("search_notes", { query: "secret" }))).toContain("No note contains");
  });

  test("a note over 1 MiB", async () => {
    const content = "x".repeat(1024 * 1024 + 1);
    expect(await refused("write_note", { name: "big.md", content })).toContain("at most 1048576 bytes");
    expect(existsSync(path.join(vault.vault, "big.md"))).toBe(false);
    // Exactly 1 MiB is allowed; the size counts UTF-8 bytes, not characters.
    const exact = await vault.client.callTool("write_note", { name: "big.md", content: content.slice(1) });
    expect(exact.isError).toBeUndefined();
    expect(await refused("write_note", { name: "wide.md", content: "é".repeat(512 * 1024 + 1) })).toContain("bytes");
  });

  test("reading an oversized file put there by someone else", async () => {
    await writeFile(path.join(vault.vault, "huge.md"), Buffer.alloc(1024 * 1024 + 1, 0x61));
    expect(await refused("read_note", { name: "huge.md" })).toContain("at most");
  });
});
