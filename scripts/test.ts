// npm test: type-check, build the executable (the tests drive the compiled binary too), run
// every test, and close with one plain "N passed, N failed" line.
import { mkdirSync, readFileSync } from "node:fs";

const root = `${import.meta.dir}/..`;
const run = (cmd: string[]) => Bun.spawnSync(cmd, { cwd: root, stdout: "inherit", stderr: "inherit" }).exitCode ?? 1;

console.log("== type check");
if (run([process.execPath, "x", "tsc", "--noEmit", "-p", "."]) !== 0) process.exit(1);

console.log("== build dist/mcp-appliance");
if (run([process.execPath, "scripts/build.ts"]) !== 0) process.exit(1);

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
