// A separate process working on a shared state file, for the tests that need real concurrency
// (another connection, another process) or a real kill -9.
//   bun child.ts <stateDir> issue-loop          issue grants with tokens forever, print a line per 50
//   bun child.ts <stateDir> consume <codeHash>  wait for "go" on stdin, consume, print the result
//   bun child.ts <stateDir> rotate <oldHash> <newHash> <now> <graceMs>   same, for a refresh rotation
import { openStore } from "../../src/store/index.ts";
import { issue } from "./fixtures.ts";

const [stateDir, mode, ...args] = process.argv.slice(2);
if (!stateDir || !mode) throw new Error("usage: child.ts <stateDir> <mode> ...");
const store = openStore(stateDir);

async function waitForGo(): Promise<void> {
  console.log("ready");
  for await (const chunk of Bun.stdin.stream()) if (new TextDecoder().decode(chunk).includes("go")) return;
}

if (mode === "issue-loop") {
  const tag = `${process.pid}-${Date.now()}`;
  for (let i = 0; ; i++) {
    issue(store, `${tag}-${i}`, "loop-client");
    if (i % 50 === 0) console.log(`issued ${i}`);
  }
} else if (mode === "consume") {
  await waitForGo();
  const result = store.codes.consume(args[0]!, Date.now());
  console.log(JSON.stringify(result ? { replay: result.replay } : null));
} else if (mode === "rotate") {
  const [oldHash, newHash, now, grace] = args;
  await waitForGo();
  const result = store.refreshTokens.rotate(
    oldHash!,
    { token_hash: newHash!, successor_salt: `salt-${newHash}`, client_id: "c1", expires_at: Number(now) + 1_000_000 },
    Number(now),
    Number(grace),
  );
  console.log(JSON.stringify({ status: result.status, ...("issued" in result ? { issued: result.issued.token_hash } : {}) }));
}
store.close();
