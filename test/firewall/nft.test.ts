// nft itself checks every golden snippet (`nft -c`), and loads them for real, inside a network
// namespace of a user namespace of its own (`unshare -rn`: no root needed, the host's firewall
// untouched). nftables is a tool of the test suite: scripts/ensure-tools.ts installs it.
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTools, tool } from "../../scripts/ensure-tools.ts";
import { cases, GOLDEN } from "./goldens.ts";

/** Runs a shell script in a fresh network namespace, with `nft` and files in `dir` at hand. */
function inNamespace(script: string, files: Record<string, string> = {}): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "nft-test-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const result = Bun.spawnSync([tool("unshare"), "-rn", "sh", "-ec", script], {
      cwd: dir,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NFT: tool("nft") },
      stdout: "pipe",
      stderr: "pipe",
    });
    return { code: result.exitCode ?? 1, output: result.stdout.toString() + result.stderr.toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// npm test installs nftables beforehand; this is for `bun test test/firewall`. Never skipped.
beforeAll(() => {
  if (!ensureTools(["nft", "unshare"])) throw new Error("nft or unshare is missing: apt-get install nftables util-linux");
}, 300_000);

const snippet = (name: string) => Bun.file(join(GOLDEN, `${name}.nft`)).text();

describe("nft accepts the generated snippets", () => {
  test("nft -c finds a broken snippet (the check can fail)", () => {
    const broken = inNamespace('"$NFT" -c -f broken.nft', {
      "broken.nft": "table inet mcp_appliance {\n\tchain input {\n\t\ttcp dport 99999 drop\n\t}\n}\n",
    });
    expect(broken.code).not.toBe(0);
  });

  for (const name of cases) {
    test(`nft -c: ${name}`, async () => {
      const result = inNamespace('"$NFT" -c -f rules.nft', { "rules.nft": await snippet(name) });
      expect(result).toEqual({ code: 0, output: "" });
    });
  }
});

describe("loading a snippet", () => {
  test("twice in a row works (the table is replaced, not added to), and other tables stay as they were", async () => {
    const admin =
      "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n";
    const result = inNamespace(
      [
        '"$NFT" -f admin.nft',
        '"$NFT" -f rules.nft',
        '"$NFT" -f rules.nft',
        'echo "--- tables"',
        '"$NFT" list tables',
        'echo "--- ours"',
        '"$NFT" list table inet mcp_appliance',
        'echo "--- admin"',
        '"$NFT" list table inet filter',
      ].join("\n"),
      { "admin.nft": admin, "rules.nft": await snippet("public-mixed-sources") },
    );
    expect(result.code).toBe(0);
    const [, tables = "", ours = "", adminAfter = ""] = result.output.split(/^--- \w+\n/m);
    expect(tables.trim().split("\n").sort()).toEqual(["table inet filter", "table inet mcp_appliance"]);
    // One copy of each rule, after two loads.
    expect(ours.match(/tcp dport 3001 drop/g)).toHaveLength(1);
    expect(ours).toContain("elements = { 192.0.2.1, 203.0.113.0/24 }");
    expect(ours).toContain("elements = { 2001:db8::/32 }");
    expect(adminAfter).toContain("tcp dport 22 accept");
  });

  test("the loopback rule as nft reads it back", async () => {
    const result = inNamespace('"$NFT" -f rules.nft\n"$NFT" list chain inet mcp_appliance input', {
      "rules.nft": await snippet("loopback"),
    });
    expect(result.code).toBe(0);
    expect(result.output).toContain('iifname != "lo" tcp dport 3001 drop comment "internal port: loopback only"');
    expect(result.output).toContain("type filter hook input priority filter; policy accept;");
  });

  test("`nft delete table` (the firewall unit's ExecStop) leaves no trace", async () => {
    const result = inNamespace('"$NFT" -f rules.nft\n"$NFT" delete table inet mcp_appliance\n"$NFT" list ruleset', {
      "rules.nft": await snippet("public-ipv4-sources"),
    });
    expect(result).toEqual({ code: 0, output: "" });
  });
});
