// The firewall snippet at work between two hosts: two network namespaces joined by a veth pair
// (test hosts of our own, on this machine). An upstream that listens on every interface — the
// way supergateway does — is reachable from the other host until the appliance's rules are
// loaded; then only loopback reaches it, and the appliance's own listen port is untouched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTools, tool } from "../../scripts/ensure-tools.ts";
import { ensureBinary } from "../helpers/binary.ts";

const id = `${process.pid % 10000}`;
const SERVER_NS = `mcpfw-srv-${id}`;
const CLIENT_NS = `mcpfw-cli-${id}`;
const SERVER_IP = "10.213.7.1";
// Ports inside namespaces of our own: nothing else can hold them.
const UPSTREAM_PORT = 47301;
const PUBLIC_PORT = 47302;

function sh(script: string): { code: number; output: string } {
  const result = Bun.spawnSync(["sh", "-ec", script], { stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  return { code: result.exitCode ?? 1, output: result.stdout.toString() + result.stderr.toString() };
}

/** One HTTP GET from inside a namespace; "ok" or why not. */
function fetchFrom(ns: string, url: string): string {
  const script = `const r = await fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(1500) }).then((r) => r.text(), (e) => "refused: " + e.name); console.log(r);`;
  const result = Bun.spawnSync([tool("ip"), "netns", "exec", ns, process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  return result.stdout.toString().trim();
}

let listeners: ReturnType<typeof Bun.spawn>[] = [];

beforeAll(() => {
  if (!ensureTools(["nft", "ip"])) throw new Error("nft or ip is missing: apt-get install nftables iproute2");
  sh(`ip netns del ${SERVER_NS} 2>/dev/null || true; ip netns del ${CLIENT_NS} 2>/dev/null || true`);
  const setup = sh(`
    ip netns add ${SERVER_NS}
    ip netns add ${CLIENT_NS}
    ip link add fws${id} type veth peer name fwc${id}
    ip link set fws${id} netns ${SERVER_NS}
    ip link set fwc${id} netns ${CLIENT_NS}
    ip -n ${SERVER_NS} addr add ${SERVER_IP}/24 dev fws${id}
    ip -n ${CLIENT_NS} addr add 10.213.7.2/24 dev fwc${id}
    for ns in ${SERVER_NS} ${CLIENT_NS}; do ip -n $ns link set lo up; done
    ip -n ${SERVER_NS} link set fws${id} up
    ip -n ${CLIENT_NS} link set fwc${id} up
  `);
  if (setup.code !== 0) throw new Error(`could not make the test hosts:\n${setup.output}`);
  // Two listeners on every interface of the server host: the upstream, and a public port.
  listeners = [UPSTREAM_PORT, PUBLIC_PORT].map((port) =>
    Bun.spawn(
      [
        tool("ip"),
        "netns",
        "exec",
        SERVER_NS,
        process.execPath,
        "-e",
        `Bun.serve({ hostname: "0.0.0.0", port: ${port}, fetch: () => new Response("ok") }); console.log("up");`,
      ],
      {
        stdout: "pipe",
        stderr: "inherit",
      },
    ),
  );
}, 300_000);

afterAll(() => {
  for (const listener of listeners) listener.kill("SIGKILL");
  sh(`ip netns del ${SERVER_NS} 2>/dev/null || true; ip netns del ${CLIENT_NS} 2>/dev/null || true`);
});

describe("the generated firewall between two hosts", () => {
  test("an upstream port is reachable only from loopback once the rules are loaded; the public port stays open", async () => {
    for (const listener of listeners) {
      const reader = (listener.stdout as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // "up"
      reader.releaseLock();
    }
    const upstreamFromOutside = `http://${SERVER_IP}:${UPSTREAM_PORT}/`;
    const publicFromOutside = `http://${SERVER_IP}:${PUBLIC_PORT}/`;
    expect(fetchFrom(CLIENT_NS, upstreamFromOutside)).toBe("ok"); // without rules: open to the world

    const dir = mkdtempSync(join(tmpdir(), "fw-netns-"));
    const config = join(dir, "mcp.toml");
    writeFileSync(
      config,
      [
        `listen = "0.0.0.0:${PUBLIC_PORT}"`,
        `public_url = "https://mcp.example.com"`,
        `state_dir = "${dir}/state"`,
        `[servers.blog]`,
        `url = "http://127.0.0.1:${UPSTREAM_PORT}/mcp"`,
      ].join("\n"),
    );
    const rules = Bun.spawnSync([ensureBinary(), "nft", "--config", config], { stdout: "pipe", stderr: "pipe" });
    expect(rules.exitCode).toBe(0);
    writeFileSync(join(dir, "rules.nft"), rules.stdout);
    const load = sh(`ip netns exec ${SERVER_NS} ${tool("nft")} -f ${join(dir, "rules.nft")}`);
    expect(load.output).toBe("");

    expect(fetchFrom(CLIENT_NS, upstreamFromOutside)).toStartWith("refused");
    expect(fetchFrom(SERVER_NS, `http://127.0.0.1:${UPSTREAM_PORT}/`)).toBe("ok");
    expect(fetchFrom(CLIENT_NS, publicFromOutside)).toBe("ok");
  }, 60_000);
});
