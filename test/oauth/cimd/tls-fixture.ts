// A certificate authority and a server certificate made at test time with the openssl CLI
// (node:crypto cannot issue certificates). The fetcher trusts the CA through its `ca` option.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  /** PEM of the test CA: pass as the fetcher's `ca`. */
  ca: string;
  /** Server key and certificate, issued by the CA for `hostNames` and 127.0.0.1. */
  key: string;
  cert: string;
}

function openssl(cwd: string, args: string[]): void {
  const run = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (run.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr.toString()}`);
}

/** Needs `openssl` on PATH (Debian: the openssl package). */
export function makeTestCertificates(hostNames: string[] = ["cimd.test"]): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "cimd-tls-"));
  try {
    openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"]);
    openssl(dir, [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-subj",
      "/CN=mcp-appliance test CA",
      "-days",
      "2",
      "-out",
      "ca.pem",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key"]);
    openssl(dir, ["req", "-new", "-key", "server.key", "-subj", `/CN=${hostNames[0]}`, "-out", "server.csr"]);
    const san = [...hostNames.map((name) => `DNS:${name}`), "IP:127.0.0.1"].join(",");
    writeFileSync(join(dir, "server.ext"), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "server.ext",
      "-out",
      "server.pem",
    ]);
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    return { ca: read("ca.pem"), key: read("server.key"), cert: read("server.pem") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
