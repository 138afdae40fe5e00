// The vault's tools over stdio (MCP 2025-11-25 server/tools): listing, writing, reading,
// listing by prefix and searching.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { textOf } from "./stdio-client.ts";
import { startVault, type VaultUnderTest } from "./vault-harness.ts";

let vault: VaultUnderTest;
beforeAll(async () => {
  vault = await startVault();
  await vault.client.initialize();
});
afterAll(() => vault.stop());

describe("vault tools", () => {
  test("tools/list describes the four tools with object input schemas", async () => {
    const { result } = await vault.client.request("tools/list");
    const names = result.tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(["list_notes", "read_note", "write_note", "search_notes"]);
    for (const tool of result.tools) {
      expect(tool.inputSchema.type).toBe("object");
      expect(typeof tool.description).toBe("string");
    }
    const write = result.tools.find((t: { name: string }) => t.name === "write_note");
    expect(write.inputSchema.required).toEqual(["name", "content"]);
  });

  test("an empty vault says so", async () => {
    const result = await vault.client.callTool("list_notes");
    expect(result.isError).toBeUndefined();
    expect(textOf(result)).toContain("no notes");
  });

  test("write_note creates sub-folders and read_note returns the content", async () => {
    const content = "# Today\n\nBuy milk.\nCall Ada about the Engine.\n";
    const written = await vault.client.callTool("write_note", { name: "ideas/today.md", content });
    expect(written.isError).toBeUndefined();
    expect(textOf(written)).toContain("Created");
    expect(await readFile(path.join(vault.vault, "ideas", "today.md"), "utf8")).toBe(content);
    expect(textOf(await vault.client.callTool("read_note", { name: "ideas/today.md" }))).toBe(content);
  });

  test("write_note replaces an existing note", async () => {
    await vault.client.callTool("write_note", { name: "top.md", content: "v1" });
    const again = await vault.client.callTool("write_note", { name: "top.md", content: "v2 — ünïcode" });
    expect(textOf(again)).toContain("Replaced");
    expect(textOf(await vault.client.callTool("read_note", { name: "top.md" }))).toBe("v2 — ünïcode");
  });

  test("list_notes lists every note, and only those under a prefix when asked", async () => {
    await vault.client.callTool("write_note", { name: "ideas/deep/later.md", content: "someday" });
    expect(textOf(await vault.client.callTool("list_notes")).split("\n")).toEqual(["ideas/deep/later.md", "ideas/today.md", "top.md"]);
    const ideas = await vault.client.callTool("list_notes", { prefix: "ideas/" });
    expect(textOf(ideas).split("\n")).toEqual(["ideas/deep/later.md", "ideas/today.md"]);
    expect(textOf(await vault.client.callTool("list_notes", { prefix: "nope/" }))).toContain("No notes");
  });

  test("search_notes is case-insensitive and returns names with line snippets", async () => {
    const result = await vault.client.callTool("search_notes", { query: "ADA" });
    expect(result.isError).toBeUndefined();
    expect(textOf(result)).toBe("ideas/today.md\n  4: Call Ada about the Engine.");
    expect(textOf(await vault.client.callTool("search_notes", { query: "zebra" }))).toContain("No note contains");
  });

  test("search_notes caps long lines and the number of lines per note", async () => {
    const long = `${"a".repeat(500)} needle ${"b".repeat(500)}`;
    const many = Array.from({ length: 20 }, (_, i) => `needle ${i}`).join("\n");
    await vault.client.callTool("write_note", { name: "long.md", content: long });
    await vault.client.callTool("write_note", { name: "many.md", content: many });
    const text = textOf(await vault.client.callTool("search_notes", { query: "needle" }));
    const lines = text.split("\n");
    expect(lines.filter((l) => l.startsWith("  ")).length).toBe(1 + 5);
    for (const line of lines) expect(line.length).toBeLessThan(200);
    expect(text).toContain("needle");
  });

  test("bad arguments are tool errors, an unknown tool is a protocol error", async () => {
    const missing = await vault.client.callTool("read_note", {});
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('"name" must be a string');
    expect((await vault.client.callTool("search_notes", { query: "" })).isError).toBe(true);
    const unknown = await vault.client.request("tools/call", { name: "delete_everything", arguments: {} });
    expect(unknown.error.code).toBe(-32602);
  });

  test("reading a missing note or a folder is a tool error", async () => {
    const missing = await vault.client.callTool("read_note", { name: "nothing.md" });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe('No note named "nothing.md".');
    const folder = await vault.client.callTool("read_note", { name: "ideas" });
    expect(folder.isError).toBe(true);
    expect(textOf(folder)).toContain("is a folder");
  });

  test("a note cannot be written where a folder is, nor under a note", async () => {
    expect(textOf(await vault.client.callTool("write_note", { name: "ideas", content: "x" }))).toContain("is a folder");
    const under = await vault.client.callTool("write_note", { name: "top.md/child.md", content: "x" });
    expect(under.isError).toBe(true);
    expect(textOf(under)).toContain("to be a folder");
  });
});
