// `kill -9` of the appliance while it issues tokens and while it rotates refresh tokens, then a
// restart on the same state directory (issue 6, faults). The client side hammers /authorize +
// /token (and refresh rotation) from several loops until SIGKILL lands mid-way; then a second
// SQLite connection checks the state file as the crash left it, and the restarted appliance must
// open it, honour every token it had handed out, and let every refresh chain continue.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually } from "../helpers/appliance.ts";
import { restartApplianceProcess, type StartedProcess, startApplianceProcess } from "../helpers/appliance-process.ts";
import { alive, descendants } from "../helpers/machine.ts";
import { RawMcpClient } from "../helpers/mcp-raw.ts";
import { authorizeUrl, pkce, postForm, sha256Hex } from "../helpers/oauth-http.ts";

const CLIENT = "load-client";
// Auto-approval is for a confidential client only (RFC 8252 §8.6): /token authenticates it.
const SECRET = "load-client-secret-of-at-least-32-characters";
const CALLBACK = "http://127.0.0.1/callback";
const LOOPS = 6;

interface Issued {
  access_token: string;
  refresh_token: string;
}

let running: StartedProcess | undefined;
afterEach(async () => {
  if (running && running.appliance.proc.exitCode === null && running.appliance.proc.signalCode === null) await running.stop();
  running = undefined;
});

/** A port that is free now, so that the restarted appliance has the same origin (tokens are bound to it). */
function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

async function startOAuthAppliance(): Promise<StartedProcess> {
  return startApplianceProcess([{ name: "fx", script: "behaviour-server.mjs" }], {
    top: [
      `auth = "oauth"`,
      "",
      // Six loops issue tokens from this one address, hundreds a second.
      "[oauth]",
      `token_rate = "1000000/m"`,
      "",
      "[[oauth.clients]]",
      `name = "load"`,
      `client_id = "${CLIENT}"`,
      `client_secret = "${SECRET}"`,
      `redirect_uris = ["${CALLBACK}"]`,
      "auto_approve = true",
    ],
    listen: `127.0.0.1:${freePort()}`,
  });
}

/** The whole authorization code flow of the auto-approved client: /authorize, then /token. */
async function issue(base: string): Promise<Issued> {
  const pair = pkce();
  const resource = new URL("/fx/mcp", base).href;
  const authorize = await fetch(
    authorizeUrl(base, {
      response_type: "code",
      client_id: CLIENT,
      redirect_uri: CALLBACK,
      code_challenge: pair.challenge,
      code_challenge_method: "S256",
      state: "s",
      resource,
    }),
    { redirect: "manual" },
  );
  await authorize.arrayBuffer();
  const code = new URL(authorize.headers.get("location") ?? "http://x/").searchParams.get("code");
  if (authorize.status !== 303 || !code) throw new Error(`authorize: ${authorize.status}`);
  const response = await postForm(base, "/token", {
    grant_type: "authorization_code",
    code,
    code_verifier: pair.verifier,
    client_id: CLIENT,
    client_secret: SECRET,
    redirect_uri: CALLBACK,
    resource,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`token: ${response.status} ${text}`);
  return JSON.parse(text) as Issued;
}

async function refresh(base: string, token: string): Promise<Issued> {
  const response = await postForm(base, "/token", {
    grant_type: "refresh_token",
    refresh_token: token,
    client_id: CLIENT,
    client_secret: SECRET,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`refresh: ${response.status} ${text}`);
  return JSON.parse(text) as Issued;
}

/** A token the bearer guard accepts gets past it to the transport: 400 for a GET without a session; a refused one gets 401. */
async function guardStatus(base: string, accessToken: string): Promise<number> {
  const response = await fetch(new URL("/fx/mcp", base), {
    headers: { accept: "text/event-stream", authorization: `Bearer ${accessToken}` },
  });
  await response.arrayBuffer();
  return response.status;
}

interface Chain {
  /** The newest refresh token whose response arrived, or the one sent in the request SIGKILL cut. */
  current: string;
  rotations: number;
}

/** Run `loops` until SIGKILL ends them; returns how many iterations the kill cut short. */
async function hammerUntilKilled(started: StartedProcess, loops: Array<() => Promise<void>>, killWhen: () => boolean): Promise<number> {
  let killed = false;
  let cut = 0;
  const running = loops.map(async (step) => {
    while (!killed) {
      try {
        await step();
      } catch (error) {
        if (!killed) throw error;
        cut++;
      }
    }
  });
  await eventually(killWhen, "enough work was done before the kill", 30_000);
  killed = true;
  started.appliance.proc.kill("SIGKILL");
  await started.appliance.exited;
  await Promise.all(running);
  return cut;
}

/** The state file as a second connection sees it: intact, and nothing half-written. */
function checkStateFile(stateDir: string, issued: Issued[]): Record<string, number> {
  const db = new Database(join(stateDir, "state.db"));
  try {
    db.run("PRAGMA busy_timeout = 5000");
    expect(
      db
        .query<{ integrity_check: string }, []>("PRAGMA integrity_check")
        .all()
        .map((r) => r.integrity_check),
    ).toEqual(["ok"]);
    expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
    const count = (sql: string) => (db.query<{ n: number }, []>(sql).get() as { n: number }).n;
    // Every token and code belongs to a grant, every grant to a client.
    expect(count("SELECT count(*) AS n FROM access_tokens a WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.grant_id = a.grant_id)")).toBe(
      0,
    );
    expect(
      count("SELECT count(*) AS n FROM refresh_tokens r WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.grant_id = r.grant_id)"),
    ).toBe(0);
    expect(
      count("SELECT count(*) AS n FROM authorization_codes c WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.grant_id = c.grant_id)"),
    ).toBe(0);
    expect(count("SELECT count(*) AS n FROM grants g WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = g.client_id)")).toBe(0);
    // A grant is written with its code (one transaction at /authorize) …
    expect(
      count("SELECT count(*) AS n FROM grants g WHERE NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.grant_id = g.grant_id)"),
    ).toBe(0);
    // … a used code with the tokens it yielded (one transaction at /token) …
    expect(
      count(
        "SELECT count(*) AS n FROM authorization_codes c WHERE c.use_count > 0 AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = c.grant_id)",
      ),
    ).toBe(0);
    // … and a rotated refresh token with its successor (one transaction per rotation).
    expect(
      count(
        "SELECT count(*) AS n FROM refresh_tokens r WHERE r.replaced_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM refresh_tokens s WHERE s.token_hash = r.replaced_by)",
      ),
    ).toBe(0);
    // Every token whose response reached the client was committed, and is active.
    const find = db.query<{ revoked_at: number | null }, [string]>("SELECT revoked_at FROM access_tokens WHERE token_hash = ?");
    for (const t of issued) expect(find.get(sha256Hex(t.access_token))).toEqual({ revoked_at: null });
    return {
      grants: count("SELECT count(*) AS n FROM grants"),
      accessTokens: count("SELECT count(*) AS n FROM access_tokens"),
      refreshTokens: count("SELECT count(*) AS n FROM refresh_tokens"),
      rotated: count("SELECT count(*) AS n FROM refresh_tokens WHERE rotated_at IS NOT NULL"),
    };
  } finally {
    db.close();
  }
}

/** After the restart: every token handed out before the kill still opens the door, and a real session works. */
async function checkTokensWork(restarted: StartedProcess, issued: Issued[]): Promise<void> {
  for (let i = 0; i < issued.length; i += 50) {
    const statuses = await Promise.all(issued.slice(i, i + 50).map((t) => guardStatus(restarted.url, t.access_token)));
    // Past the guard, a GET without a session is 405 (MCP 2026-07-28 has no GET stream).
    expect(statuses.filter((s) => s !== 405)).toEqual([]);
  }
  expect(await guardStatus(restarted.url, "mcp_at_not-a-token")).toBe(401);
  const client = new RawMcpClient(restarted.mcpUrl("fx"), { authorization: `Bearer ${issued[0]!.access_token}` });
  await client.open();
  expect(await client.callText("echo", { text: "after the crash" })).toBe("after the crash");
  expect(await client.close()).toBe(200);
}

describe("kill -9, then restart on the same state", () => {
  test("during token issuance: the database opens cleanly, issued tokens work, nothing half-written", async () => {
    const started = (running = await startOAuthAppliance());
    // An open session at the moment of the kill: its child must not outlive the appliance.
    const session = new RawMcpClient(started.mcpUrl("fx"), { authorization: `Bearer ${(await issue(started.url)).access_token}` });
    await session.open();
    const childPid = descendants(started.pid)[0]!.pid;

    const issued: Issued[] = [];
    const cut = await hammerUntilKilled(
      started,
      Array.from({ length: LOOPS }, () => async () => void issued.push(await issue(started.url))),
      () => issued.length >= 300,
    );
    expect(started.appliance.proc.signalCode).toBe("SIGKILL");
    expect(cut).toBeGreaterThan(0); // the kill landed mid-issuance
    // The child's stdin closed with its parent: a well-behaved server exits on end of input.
    await eventually(() => !alive(childPid), "the orphaned child exits on stdin EOF");

    const figures = checkStateFile(started.stateDir, issued);
    console.log(
      `kill -9 during issuance: ${issued.length} token responses received, ${cut} requests cut; state after the crash: ${JSON.stringify(figures)}`,
    );

    const restarted = (running = await restartApplianceProcess(started));
    await checkTokensWork(restarted, issued);
    checkStateFile(restarted.stateDir, issued); // a second connection, next to the running appliance
    expect(await restarted.stop()).toBe(0);
  });

  test("during refresh rotation: the database opens cleanly, every refresh chain continues, nothing half-written", async () => {
    const started = (running = await startOAuthAppliance());
    const chains: Chain[] = await Promise.all(
      Array.from({ length: LOOPS }, async () => ({ current: (await issue(started.url)).refresh_token, rotations: 0 })),
    );
    const issued: Issued[] = [];
    let rotations = 0;
    const cut = await hammerUntilKilled(
      started,
      chains.map((chain) => async () => {
        const next = await refresh(started.url, chain.current);
        chain.current = next.refresh_token;
        chain.rotations++;
        rotations++;
        issued.push(next);
      }),
      () => rotations >= 300,
    );
    expect(started.appliance.proc.signalCode).toBe("SIGKILL");
    expect(cut).toBeGreaterThan(0); // the kill landed mid-rotation

    const figures = checkStateFile(started.stateDir, issued);
    console.log(
      `kill -9 during refresh rotation: ${rotations} rotations received, ${cut} cut; state after the crash: ${JSON.stringify(figures)}`,
    );

    const restarted = (running = await restartApplianceProcess(started));
    await checkTokensWork(restarted, issued);
    // Each chain goes on from the newest token it holds. Where the kill cut a rotation that had
    // committed, the client's retry with the same token falls in the grace window and succeeds.
    for (const chain of chains) {
      const next = await refresh(restarted.url, chain.current);
      expect(await guardStatus(restarted.url, next.access_token)).toBe(405);
    }
    checkStateFile(restarted.stateDir, []);
    expect(await restarted.stop()).toBe(0);
  });
});
