// Golden files for `mcp-appliance nft`: every golden/NAME.toml is loaded and rendered, and the
// snippet compared with NAME.nft. Adding a case is adding a .toml; `UPDATE_GOLDEN=1 bun test
// test/firewall` writes the .nft files (read the diff!). nft.test.ts has nft itself check them.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { planFirewall } from "../../src/firewall/plan.ts";
import { renderNftables } from "../../src/firewall/render.ts";
import { run } from "../cli/cli-fixtures.ts";
import { cases, GOLDEN } from "./goldens.ts";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

async function configOf(name: string) {
  const file = join(GOLDEN, `${name}.toml`);
  return parseConfig(await Bun.file(file).text(), file, {});
}

describe("nftables goldens", () => {
  test("there are cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of cases) {
    test(name, async () => {
      const actual = renderNftables(await configOf(name));
      const expected = Bun.file(join(GOLDEN, `${name}.nft`));
      if (UPDATE) await Bun.write(expected, actual);
      expect(actual).toBe(await expected.text());
    });
  }
});

describe("the firewall plan", () => {
  const config = (listen: { host: string; port: number }, publicSources: string[] = []) => ({
    listen,
    firewall: { publicSources },
    httpServers: [],
  });

  test("a loopback listen port is internal, whatever the spelling of loopback", () => {
    for (const host of ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LOCALHOST", "0:0:0:0:0:0:0:1"]) {
      const plan = planFirewall(config({ host, port: 3001 }));
      expect(plan.internalPorts.map((p) => p.port)).toEqual([3001]);
      expect(plan.limitedPort).toBeUndefined();
    }
  });

  test("a public listen port is limited only when sources are given, split by family", () => {
    expect(planFirewall(config({ host: "0.0.0.0", port: 3001 })).limitedPort).toBeUndefined();
    expect(
      planFirewall(
        config({ host: "::", port: 3001 }, ["10.0.0.0/8", "::ffff:10.0.0.1", "2001:db8::/32", "192.0.2.7", "::ffff:198.51.100.0/120"]),
      ).limitedPort,
    ).toEqual({
      port: 3001,
      // An IPv4-mapped source is IPv4 traffic to the packet filter: an ip6 rule would never match it.
      ipv4: ["10.0.0.0/8", "10.0.0.1", "192.0.2.7", "198.51.100.0/24"],
      ipv6: ["2001:db8::/32"],
    });
    expect(planFirewall(config({ host: "0.0.0.0", port: 3001 })).internalPorts).toEqual([]);
  });

  test("upstreams on loopback are internal, once per port; one sharing the public port or on another host is left alone", () => {
    const upstream = (name: string, url: string) => ({
      name,
      url,
      headers: {},
      path: `/${name}/mcp`,
      upstreamTimeoutMs: 30_000,
      maxMessageBytes: 1024,
    });
    const plan = planFirewall({
      ...config({ host: "::", port: 8080 }),
      httpServers: [
        upstream("a", "http://127.0.0.1:4000/mcp"),
        upstream("b", "http://[::1]:4000/mcp"),
        upstream("c", "http://127.0.0.1:8080/mcp"),
        upstream("d", "https://mcp.example.net/mcp"),
        upstream("e", "https://localhost/mcp"),
      ],
    });
    expect(plan.internalPorts).toEqual([
      { port: 443, reasons: ["servers.e (https://localhost/mcp) is an upstream on a loopback address"] },
      {
        port: 4000,
        reasons: [
          "servers.a (http://127.0.0.1:4000/mcp) is an upstream on a loopback address",
          "servers.b (http://[::1]:4000/mcp) is an upstream on a loopback address",
        ],
      },
    ]);
    expect(plan.notes).toEqual([
      "listen [::]:8080 is open to every source: firewall.public_sources is empty.",
      "servers.c (http://127.0.0.1:8080/mcp) shares port 8080 with listen: not filtered here.",
      "servers.d (https://mcp.example.net/mcp) is on another host: firewall its port there.",
    ]);
  });

  test("only IPv6 sources: IPv4 traffic to the port has no accept rule and is dropped", () => {
    const text = renderNftables(config({ host: "0.0.0.0", port: 3001 }, ["2001:db8::/32"]));
    expect(text).not.toContain("public_sources_v4");
    expect(text).toContain("ip6 saddr @public_sources_v6 accept");
    expect(text).toContain('tcp dport 3001 drop comment "not in firewall.public_sources"');
  });
});

describe("mcp-appliance nft", () => {
  test("prints the snippet of the configuration", async () => {
    const ran = await run(["nft", "--config", join(GOLDEN, "public-mixed-sources.toml")]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout).toBe(await Bun.file(join(GOLDEN, "public-mixed-sources.nft")).text());
  });

  test("needs no secret: an env: reference the shell lacks does not stop it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nft-env-"));
    const path = join(dir, "mcp.toml");
    const text = await Bun.file(join(GOLDEN, "loopback.toml")).text();
    writeFileSync(path, text.replace('command = "node"', 'command = "node"\nenv = { KEY = "env:NOT_SET_ANYWHERE" }'));
    try {
      const ran = await run(["nft", "--config", path], { env: {} });
      expect(ran.code).toBe(0);
      expect(ran.stdout).toContain("tcp dport 3001 drop");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a missing file is 66, an invalid one 78 with the problems, and nothing on stdout", async () => {
    const missing = await run(["nft", "--config", "/nonexistent/mcp.toml"]);
    expect(missing).toMatchObject({ code: 66, stdout: "" });
    const invalid = await run(["nft", "--config", join(import.meta.dir, "../config/golden/firewall-bad.toml")]);
    expect(invalid.code).toBe(78);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toContain("firewall.public_sources[0]");
  });

  test("takes no other option", async () => {
    expect((await run(["nft", "--listen", "0.0.0.0:1"])).code).toBe(64);
  });
});
