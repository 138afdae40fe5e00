// Test-only entry point: the appliance starts the vault through a hidden subcommand instead.
import { runVaultServer } from "../../src/demo/vault-server.ts";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: bun vault-entry.ts <folder>");
await runVaultServer(dir);
