// npm test: make sure Chromium is there (the login and consent pages are tested in it),
// type-check, format and lint, build the executable (the tests drive the compiled binary too), run every test,
// and close with one plain "N passed, N failed" line.
import { existsSync, mkdirSync, readFileSync } from "node:fs";

const root = `${import.meta.dir}/..`;
const run = (cmd: string[]) => Bun.spawnSync(cmd, { cwd: root, stdout: "inherit", stderr: "inherit" }).exitCode ?? 1;

// The browser tests drive Debian's `chromium` through playwright-core (which never downloads a
// browser). Install it when missing; a missing browser fails the run, it never skips tests.
const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.log(`== chromium: ${CHROMIUM} is missing, installing Debian's chromium package`);
  const asRoot = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => {
    const cmd = [...asRoot, "apt-get", ...args];
    console.log(`$ ${cmd.join(" ")}`);
    try {
      return Bun.spawnSync(cmd, { cwd: root, env, stdout: "inherit", stderr: "inherit" }).exitCode ?? 1;
    } catch (error) {
      console.error(String(error));
      return 1;
    }
  };
  if (apt(["update"]) !== 0 || apt(["install", "-y", "--no-install-recommends", "chromium"]) !== 0 || !existsSync(CHROMIUM)) {
    console.error(
      `FAILED: ${CHROMIUM} is required by the browser tests (test/browser) and could not be installed.\n` +
        "Install it yourself (as root: apt-get update && apt-get install -y --no-install-recommends chromium) and run the tests again.",
    );
    process.exit(1);
  }
}
console.log(`== chromium: ${CHROMIUM}`);

console.log("== type check");
if (run([process.execPath, "x", "tsc", "--noEmit", "-p", "."]) !== 0) process.exit(1);

console.log("== format and lint (biome ci: any finding fails the run)");
if (run([process.execPath, "x", "biome", "ci", "."]) !== 0) process.exit(1);

console.log("== build dist/mcp-appliance");
if (run([process.execPath, "scripts/build.ts"]) !== 0) process.exit(1);

if (run([process.execPath, "scripts/ensure-tools.ts"]) !== 0) process.exit(1); // Debian tools of the package and firewall tests
console.log("== tests");
mkdirSync(`${root}/test-results`, { recursive: true });
const junit = `${root}/test-results/junit.xml`;
const code = run([
  process.execPath,
  "test",
  "--timeout",
  "120000",
  "--reporter=junit",
  `--reporter-outfile=${junit}`,
  ...process.argv.slice(2),
]);

let summary = "";
try {
  const xml = readFileSync(junit, "utf8");
  const suite = /<testsuites[^>]*\btests="(\d+)"[^>]*\bfailures="(\d+)"[^>]*>/.exec(xml) ?? /<testsuites[^>]*>/.exec(xml);
  const tests = Number(/\btests="(\d+)"/.exec(suite?.[0] ?? "")?.[1] ?? NaN);
  const failures = Number(/\bfailures="(\d+)"/.exec(suite?.[0] ?? "")?.[1] ?? NaN);
  const skipped = Number(/\bskipped="(\d+)"/.exec(suite?.[0] ?? "")?.[1] ?? 0);
  if (Number.isFinite(tests) && Number.isFinite(failures)) {
    summary = `${tests - failures - skipped} passed, ${failures} failed${skipped ? `, ${skipped} skipped` : ""}`;
    if (tests === 0 || skipped > 0) {
      console.error(tests === 0 ? "no test ran" : "tests were skipped: every test must run");
      console.log(`tests: ${summary}`);
      process.exit(1);
    }
  }
} catch {
  // no report: the exit code speaks alone
}
if (summary) console.log(`tests: ${summary}`);
process.exit(code);
