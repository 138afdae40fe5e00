// Starts the vault server on a fresh temporary folder for one test file.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { StdioClient } from "./stdio-client.ts";

const ENTRY = path.join(import.meta.dir, "vault-entry.ts");

export interface VaultUnderTest {
  client: StdioClient;
  /** The parent temporary folder; the vault itself is `${base}/vault`, created by the server. */
  base: string;
  vault: string;
  stop(): Promise<void>;
}

export async function startVault(): Promise<VaultUnderTest> {
  const base = await mkdtemp(path.join(tmpdir(), "vault-test-"));
  const vault = path.join(base, "vault");
  const client = StdioClient.spawn([process.execPath, ENTRY, vault]);
  return {
    client,
    base,
    vault,
    async stop() {
      client.kill();
      await client.child.exited;
      await rm(base, { recursive: true, force: true });
    },
  };
}
