// Shared-mode stress: 50 SDK sessions on one child, 10,000 interleaved requests whose ids
// collide (every session numbers from the same start), with progress and cancels mixed in, and
// stateless 2026-07-28 requests (ids colliding too) on the same child at the same time.
// Every answer and every progress notification must reach its own requester: 0 misroutes,
// 0 hangs (each call is bounded by the SDK's request timeout, so a lost answer fails it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance.ts";
import { type Connected, callText, connectClient, processesWith, sharingServer, textOf } from "./sharing-helpers.ts";

const SESSIONS = 50;
const REQUESTS_PER_SESSION = 200;
const IN_FLIGHT_PER_SESSION = 4;
/** Stateless 2026-07-28 workers beside the sessions, each numbering its requests from 1. */
const STATELESS_WORKERS = 8;
const STATELESS_REQUESTS = 100;
const server = sharingServer("stress", "shared", { maxSessions: SESSIONS + 4 });

let appliance: TestAppliance;
beforeAll(async () => {
  appliance = await startTestAppliance([server.config], { limitsOverrides: { maxSessionsPerClient: SESSIONS + 4 } });
});
afterAll(async () => {
  await appliance.stop();
});

interface Tally {
  answered: number;
  progress: number;
  cancelled: number;
  misroutes: string[];
  hangs: string[];
}

/** One session's share of the work: echoes, progress calls (n % 10 = 3) and cancelled calls (n % 10 = 7). */
async function drive(session: Connected, index: number, tally: Tally): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < REQUESTS_PER_SESSION; n = next++) {
      const tag = `s${index}-r${n}`;
      try {
        if (n % 10 === 7) {
          const abort = new AbortController();
          const call = session.client.callTool({ name: "progress", arguments: { text: tag, steps: 10_000, delayMs: 2 } }, undefined, {
            signal: abort.signal,
            onprogress: () => abort.abort("stress cancel"),
            timeout: 20_000,
          });
          const outcome = await call.then(
            (result) => `answered ${textOf(result)}`,
            (error: Error) => (abort.signal.aborted ? "cancelled" : `failed ${error.message}`),
          );
          if (outcome === "cancelled") tally.cancelled++;
          else tally.misroutes.push(`${tag}: a cancelled call ${outcome}`);
          continue;
        }
        if (n % 10 === 3) {
          let steps = 0;
          const result = await session.client.callTool({ name: "progress", arguments: { text: tag, steps: 2 } }, undefined, {
            onprogress: (p) => {
              steps++;
              if (p.message !== tag) tally.misroutes.push(`${tag}: progress of ${p.message}`);
            },
            timeout: 20_000,
          });
          tally.progress += steps;
          if (textOf(result) !== tag) tally.misroutes.push(`${tag}: got ${textOf(result)}`);
          else tally.answered++;
          continue;
        }
        const got = textOf(await session.client.callTool({ name: "echo", arguments: { text: tag } }, undefined, { timeout: 20_000 }));
        if (got !== tag) tally.misroutes.push(`${tag}: got ${got}`);
        else tally.answered++;
      } catch (error) {
        tally.hangs.push(`${tag}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT_PER_SESSION }, worker));
}

/** One stateless worker: echoes and progress calls (n % 4 = 1) as 2026-07-28 requests, ids from 1. */
async function driveStateless(worker: number, tally: Tally): Promise<void> {
  for (let n = 1; n <= STATELESS_REQUESTS; n++) {
    const tag = `w${worker}-r${n}`;
    const progress = n % 4 === 1;
    const params = {
      name: progress ? "progress" : "echo",
      arguments: progress ? { text: tag, steps: 2 } : { text: tag },
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        ...(progress && { progressToken: tag }),
      },
    };
    try {
      const response = await fetch(appliance.mcpUrl("stress"), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": "tools/call",
          "mcp-name": params.name,
          ...(!progress && { "mcp-param-text": tag }),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: n, method: "tools/call", params }),
      });
      const text = await response.text();
      const messages = response.headers.get("content-type")?.includes("text/event-stream")
        ? text
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => JSON.parse(line.slice(6)))
        : [JSON.parse(text)];
      const answer = messages.pop();
      for (const m of messages) {
        if (m.params?.progressToken !== tag || m.params?.message !== tag) tally.misroutes.push(`${tag}: progress ${JSON.stringify(m)}`);
        else tally.progress++;
      }
      if (answer?.id !== n || answer?.result?.content?.[0]?.text !== tag) tally.misroutes.push(`${tag}: got ${JSON.stringify(answer)}`);
      else tally.answered++;
    } catch (error) {
      tally.hangs.push(`${tag}: ${(error as Error).message}`);
    }
  }
}

describe("a shared child under load", () => {
  test(`${SESSIONS} sessions, ${SESSIONS * REQUESTS_PER_SESSION} requests with colliding ids, progress and cancels, and stateless requests beside them: 0 misroutes, 0 hangs`, async () => {
    const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => connectClient(appliance.mcpUrl("stress"), "")));
    expect(processesWith(server.marker)).toHaveLength(1);
    const tally: Tally = { answered: 0, progress: 0, cancelled: 0, misroutes: [], hangs: [] };
    await Promise.all([
      ...sessions.map((s, i) => drive(s, i, tally)),
      ...Array.from({ length: STATELESS_WORKERS }, (_, w) => driveStateless(w, tally)),
    ]);

    const perSession = REQUESTS_PER_SESSION;
    const cancels = SESSIONS * (perSession / 10);
    expect(tally.misroutes.slice(0, 5)).toEqual([]);
    expect(tally.hangs.slice(0, 5)).toEqual([]);
    expect(tally.cancelled).toBe(cancels);
    const stateless = STATELESS_WORKERS * STATELESS_REQUESTS;
    expect(tally.answered).toBe(SESSIONS * perSession - cancels + stateless);
    expect(tally.progress).toBe(SESSIONS * (perSession / 10) * 2 + (stateless / 4) * 2);
    // An answer meant for no one or for another session is reported by the SDK as an unknown id.
    // (A progress notification the child sent before it heard a cancel is an unknown token: fair.)
    const strays = sessions.flatMap((s) => s.errors.filter((e) => !e.message.includes("unknown token")));
    expect(strays.map((e) => e.message).slice(0, 5)).toEqual([]);

    // The SDK client rejects an aborted call before its notifications/cancelled has reached the
    // child: ask the child until the last cancel has arrived (bounded), then check them all.
    const childCounts = async () => JSON.parse(await callText(sessions[0]!.client, "counts"));
    let counts = await childCounts();
    for (const deadline = Date.now() + 10_000; new Set(counts.cancelled).size < cancels && Date.now() < deadline; ) {
      counts = await childCounts();
    }
    expect(counts.initialize).toBe(1);
    expect(counts.initialized).toBe(1);
    expect(new Set(counts.cancelled).size).toBe(cancels);
    expect(processesWith(server.marker)).toHaveLength(1);
    await Promise.all(sessions.map((s) => s.close()));
  });
});
