// The vault as an MCP stdio server: lifecycle and JSON-RPC framing (MCP 2025-11-25
// basic/lifecycle, basic/transports §stdio, JSON-RPC 2.0 §5).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { startVault, type VaultUnderTest } from "./vault-harness.ts";

let vault: VaultUnderTest;
beforeAll(async () => {
  vault = await startVault();
});
afterAll(() => vault.stop());

describe("vault lifecycle", () => {
  test("initialize echoes a supported version and advertises tools and resources", async () => {
    const reply = await vault.client.initialize("2025-06-18");
    expect(reply.result.protocolVersion).toBe("2025-06-18");
    expect(reply.result.capabilities).toEqual({ tools: {}, resources: {} });
    expect(reply.result.serverInfo).toMatchObject({ name: "vault", version: expect.any(String) });
    expect(typeof reply.result.instructions).toBe("string");
    // The notification gets no response; the next request is answered normally.
    expect((await vault.client.request("ping")).result).toEqual({});
  });

  test("creates the vault folder when it is missing", () => {
    expect(existsSync(vault.vault)).toBe(true);
  });

  test("answers an unsupported version with the latest one", async () => {
    const reply = await vault.client.request("initialize", {
      protocolVersion: "1999-01-01",
      capabilities: {},
      clientInfo: { name: "old", version: "1" },
    });
    expect(reply.result.protocolVersion).toBe("2025-11-25");
  });

  test("unknown method is -32601", async () => {
    const reply = await vault.client.request("prompts/list");
    expect(reply.error.code).toBe(-32601);
  });

  test("a method named like an Object.prototype member is still unknown", async () => {
    expect((await vault.client.request("constructor")).error.code).toBe(-32601);
  });

  test("an invalid JSON line is -32700 with id null, and the server keeps going", async () => {
    vault.client.sendRaw("{not json\n");
    const reply = await vault.client.waitFor((r) => r.message?.error?.code === -32700);
    expect(reply.message?.id).toBeNull();
    expect((await vault.client.request("ping")).result).toEqual({});
  });

  test("a request with a null id or without jsonrpc is -32600", async () => {
    vault.client.sendRaw('{"jsonrpc":"2.0","id":null,"method":"ping"}\n');
    expect((await vault.client.waitFor((r) => r.message?.error?.code === -32600)).message?.id).toBeNull();
    vault.client.sendRaw('{"id":77,"method":"ping"}\n');
    expect((await vault.client.response(77)).error.code).toBe(-32600);
  });

  test("a batch (removed from MCP in 2025-06-18) is -32600", async () => {
    vault.client.sendRaw('[{"jsonrpc":"2.0","id":88,"method":"ping"}]\n');
    expect((await vault.client.waitFor((r) => r.message?.error?.code === -32600)).message?.id).toBeNull();
  });

  test("params that are not an object are -32602", async () => {
    vault.client.sendRaw('{"jsonrpc":"2.0","id":"p","method":"tools/list","params":[1]}\n');
    expect((await vault.client.response("p")).error.code).toBe(-32602);
  });

  test("notifications and CRLF line endings are accepted", async () => {
    vault.client.sendRaw('{"jsonrpc":"2.0","method":"notifications/whatever"}\r\n');
    vault.client.sendRaw('{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r\n');
    expect((await vault.client.response("crlf")).result).toEqual({});
  });

  test("a message split across writes is reassembled", async () => {
    vault.client.sendRaw('{"jsonrpc":"2.0","id":"sp');
    // Only so that the halves are likely to be read apart; the answer is awaited below.
    await Bun.sleep(20);
    vault.client.sendRaw('lit","method":"ping"}\n');
    expect((await vault.client.response("split")).result).toEqual({});
  });

  test("everything written to stdout is a JSON-RPC message on its own line", () => {
    for (const { raw, message } of vault.client.received) {
      expect(message).toBeDefined();
      expect(message?.jsonrpc).toBe("2.0");
      expect(raw.includes("\n")).toBe(false);
    }
  });

  test("exits with 0 when stdin ends", async () => {
    expect(await vault.client.close()).toBe(0);
  });
});

describe("vault message size", () => {
  test("a line over the 8 MiB cap is refused with -32600 and the server keeps going", async () => {
    const big = await startVault();
    try {
      await big.client.initialize();
      const filler = "x".repeat(8 * 1024 * 1024);
      big.client.sendRaw(`{"jsonrpc":"2.0","id":"big","method":"ping","params":{"pad":"${filler}"}}\n`);
      const reply = await big.client.waitFor((r) => r.message?.error?.code === -32600, 15000);
      expect(reply.message?.id).toBeNull();
      expect((await big.client.request("ping")).result).toEqual({});
    } finally {
      await big.stop();
    }
  });
});
