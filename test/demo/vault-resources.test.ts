// Notes as resources (MCP 2025-11-25 server/resources): note:///<name> URIs, text/markdown.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startVault, type VaultUnderTest } from "./vault-harness.ts";

let vault: VaultUnderTest;
beforeAll(async () => {
  vault = await startVault();
  await vault.client.initialize();
  await vault.client.callTool("write_note", { name: "ideas/today.md", content: "# Today" });
  await vault.client.callTool("write_note", { name: "ideas/my day.md", content: "spaced" });
});
afterAll(() => vault.stop());

describe("vault resources", () => {
  test("resources/list lists every note with a note:/// URI", async () => {
    const { result } = await vault.client.request("resources/list");
    expect(result.resources).toEqual([
      { uri: "note:///ideas/my%20day.md", name: "ideas/my day.md", mimeType: "text/markdown" },
      { uri: "note:///ideas/today.md", name: "ideas/today.md", mimeType: "text/markdown" },
    ]);
    expect(result.nextCursor).toBeUndefined();
  });

  test("resources/read returns the note as text/markdown", async () => {
    const { result } = await vault.client.request("resources/read", { uri: "note:///ideas/today.md" });
    expect(result.contents).toEqual([{ uri: "note:///ideas/today.md", mimeType: "text/markdown", text: "# Today" }]);
    const spaced = await vault.client.request("resources/read", { uri: "note:///ideas/my%20day.md" });
    expect(spaced.result.contents[0].text).toBe("spaced");
  });

  test("a missing note is -32002 Resource not found", async () => {
    const reply = await vault.client.request("resources/read", { uri: "note:///nope.md" });
    expect(reply.error).toEqual({ code: -32002, message: "Resource not found", data: { uri: "note:///nope.md" } });
  });

  test("traversal through the URI is refused, encoded or not", async () => {
    for (const uri of ["note:///../secret.md", "note:///%2E%2E/secret.md", "note:///a%2F..%2F..%2Fx.md", "note:////etc/passwd"]) {
      const reply = await vault.client.request("resources/read", { uri });
      expect(reply.error?.code).toBe(-32602);
    }
  });

  test("other schemes and malformed URIs are -32602", async () => {
    for (const uri of ["file:///etc/passwd", "note:///%E0%A4%A.md", 42]) {
      expect((await vault.client.request("resources/read", { uri })).error?.code).toBe(-32602);
    }
  });

  test("resources/templates/list offers the note template", async () => {
    const { result } = await vault.client.request("resources/templates/list");
    expect(result.resourceTemplates[0].uriTemplate).toBe("note:///{+name}");
  });

  test("a bad cursor is -32602", async () => {
    expect((await vault.client.request("resources/list", { cursor: "x" })).error?.code).toBe(-32602);
  });
});
