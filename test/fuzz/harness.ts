// The fuzz suite's plumbing: one seed per run (FUZZ_SEED to replay one), properties that report
// how many cases they ran, requests that cannot hang (every one is bounded by an AbortSignal or a
// socket timeout), and the checks every answer must pass: no 5xx but the deliberate 502/503/504
// with a JSON error body, and no secret that the request did not itself carry.
import { expect } from "bun:test";
import fc from "fast-check";
import { RawConnection, type RawResponse } from "../helpers/raw-http.ts";

/** One seed for the whole run, printed with every failure; FUZZ_SEED=<n> replays a run. */
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 0x7fffffff);

/**
 * Multiplies every property's numRuns (FUZZ_SCALE=10 for a long local run: about 145 000 cases in
 * two minutes). FUZZ_DEBUG=<fraction> prints that fraction of the requests with their answers.
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? "1");

/** No request of the suite may take longer than this (the target's request_timeout is 1.5 s). */
export const REQUEST_TIMEOUT_MS = 10_000;

const counts: { property: string; cases: number; ms: number; statuses: Map<number, number> }[] = [];
/** Statuses answered during the property that is running (the summary shows what was reached). */
let statuses = new Map<number, number>();

export function noteStatus(status: number): void {
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}

/** Cases run per property in this process, for the summary line each file prints at the end. */
export function caseCounts(): readonly { property: string; cases: number; ms: number; statuses: Map<number, number> }[] {
  return counts;
}

/** How many entries of `counts` earlier files already printed (bun runs every file in one process). */
let printed = 0;

export function printSummary(file: string): void {
  const mine = counts.slice(printed);
  printed = counts.length;
  const total = mine.reduce((sum, c) => sum + c.cases, 0);
  const lines = mine.map((c) => {
    const seen = [...c.statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(" ");
    return `  ${String(c.cases).padStart(5)} cases ${String(Math.round(c.ms)).padStart(6)} ms  ${c.property}  [${seen}]`;
  });
  console.log(`fuzz ${file} (FUZZ_SEED=${SEED}): ${total} cases\n${lines.join("\n")}`);
}

/**
 * Run an async property `numRuns` times with the run's seed and fast-check's default shrinking.
 * A failure names the property, the seed and fast-check's replay path.
 */
export async function fuzz<T>(
  property: string,
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  predicate: (value: T) => Promise<void>,
): Promise<void> {
  const runs = Math.max(1, Math.round(numRuns * SCALE));
  const started = performance.now();
  let cases = 0;
  statuses = new Map();
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        cases++;
        await predicate(value);
      }),
      { seed: SEED, numRuns: runs },
    );
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : "";
    const message = (error instanceof Error ? error.message : String(error)) + cause;
    throw new Error(`fuzz property "${property}" failed; replay with FUZZ_SEED=${SEED}\n${message}`);
  } finally {
    counts.push({ property, cases, ms: performance.now() - started, statuses });
    statuses = new Map(); // requests outside a property are not counted
  }
}

// ---- secrets --------------------------------------------------------------------------------

/** Every secret the suite used or obtained, each under a label that says what it is. */
export class SecretBook {
  /** Shortest secret searched for (none of ours is shorter; short strings would match by chance). */
  private static readonly MIN = 12;
  private readonly entries = new Map<string, string>();
  /** Every spelling of every secret, by its first MIN characters: a text is scanned once, whatever the book's size. */
  private readonly byPrefix = new Map<string, { form: string; secret: string }[]>();

  add(label: string, value: string | undefined | null): void {
    if (typeof value !== "string" || value.length < SecretBook.MIN || this.entries.has(value)) return;
    this.entries.set(value, label);
    for (const form of SecretBook.variants(value)) {
      const prefix = form.slice(0, SecretBook.MIN);
      const list = this.byPrefix.get(prefix) ?? [];
      list.push({ form, secret: value });
      this.byPrefix.set(prefix, list);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The spellings a secret may take in a response or a log line. */
  private static variants(secret: string): string[] {
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%20/g, "+"),
      JSON.stringify(secret).slice(1, -1),
    ]);
    return [...forms];
  }

  /** [label, spelling] of each secret found in `text`, skipping those `carried` holds itself (in any spelling). */
  foundIn(text: string, carried = ""): [string, string][] {
    const found = new Map<string, string>();
    for (let i = 0; i + SecretBook.MIN <= text.length; i++) {
      const candidates = this.byPrefix.get(text.slice(i, i + SecretBook.MIN));
      if (!candidates) continue;
      for (const { form, secret } of candidates) {
        if (!found.has(secret) && text.startsWith(form, i)) found.set(secret, form);
      }
    }
    const result: [string, string][] = [];
    for (const [secret, form] of found) {
      if (SecretBook.variants(secret).some((v) => carried.includes(v))) continue;
      result.push([this.entries.get(secret)!, form]);
    }
    return result;
  }

  labels(): string[] {
    return [...this.entries.values()];
  }
}

// ---- requests -------------------------------------------------------------------------------

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
  ms: number;
}

export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What a request carried that the answer may legitimately reflect: URL and body, never credentials. */
export function reflectable(sent: Sent): string {
  return `${sent.url}\n${sent.body ?? ""}`;
}

/**
 * Read a body to its end, except an event stream opened by GET (a session's own stream never
 * ends, and may stay silent until its first keep-alive): its headers are enough.
 */
async function readBody(response: Response, method: string): Promise<string> {
  if (!response.body) return "";
  const streaming = (response.headers.get("content-type") ?? "").includes("text/event-stream") && method !== "POST";
  if (!streaming) return await response.text();
  await response.body.cancel().catch(() => {});
  return "";
}

/** fetch with a deadline: a request the appliance never answers fails the property as a hang. */
export async function send(sent: Sent, options: { count?: boolean } = {}): Promise<Answer> {
  const started = performance.now();
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(sent.url, {
      method: sent.method,
      headers: sent.headers,
      body: sent.body === undefined || sent.method === "GET" || sent.method === "HEAD" ? undefined : sent.body,
      redirect: "manual",
      signal,
    });
    const body = await readBody(response, sent.method);
    if (options.count ?? true) noteStatus(response.status);
    if (process.env.FUZZ_DEBUG && Math.random() < Number(process.env.FUZZ_DEBUG)) {
      console.log(
        `[debug] ${sent.method} ${sent.url.slice(0, 100)} ${JSON.stringify(sent.body ?? "").slice(0, 160)} -> ${response.status} ${body.slice(0, 200)}`,
      );
    }
    return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
  } catch (error) {
    if (signal.aborted)
      throw new Error(`hang: ${sent.method} ${sent.url.slice(0, 200)} got no complete answer within ${REQUEST_TIMEOUT_MS} ms`);
    throw error;
  }
}

export type RawAnswer = Pick<RawResponse, "status" | "head" | "body">;

/** The head has come, and the body as far as Content-Length says; an event stream counts as complete once its head is in. */
function answerComplete(data: Buffer): boolean {
  const end = data.indexOf("\r\n\r\n");
  if (end === -1) return false;
  const head = data.subarray(0, end).toString("latin1").toLowerCase();
  if (head.includes("content-type: text/event-stream")) return true;
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  return length !== null && data.length - end - 4 >= Number(length[1]);
}

/**
 * One request as raw bytes over TCP (for what fetch refuses to send: traversal paths, odd
 * methods, hostile header bytes). `Connection: close` is the caller's job; an event stream is
 * cut after its first bytes.
 */
export async function rawSend(port: number, bytes: Buffer): Promise<RawAnswer> {
  const connection = new RawConnection(port, bytes);
  try {
    await connection.until(() => connection.ended || answerComplete(connection.data()), "a complete answer", REQUEST_TIMEOUT_MS);
  } catch {
    throw new Error(
      `hang: no complete answer within ${REQUEST_TIMEOUT_MS} ms to ${JSON.stringify(bytes.subarray(0, 120).toString("latin1"))}`,
    );
  } finally {
    connection.destroy();
  }
  const { status, head, body } = connection.response();
  noteStatus(status);
  return { status, head, body };
}

// ---- the checks -----------------------------------------------------------------------------

/** Statuses the appliance answers on purpose when a server or a limit says no. */
const DELIBERATE_5XX = new Set([502, 503, 504]);

/** A deliberate 502/503/504 carries a JSON-RPC error or an OAuth error; anything else 5xx is a bug. */
export function expectNoServerError(status: number, body: string, what: string): void {
  if (status < 500) return;
  let parsed: { error?: unknown; jsonrpc?: unknown } | undefined;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const deliberate =
    DELIBERATE_5XX.has(status) &&
    parsed !== undefined &&
    (typeof parsed.error === "string" || (parsed.jsonrpc === "2.0" && typeof parsed.error === "object"));
  if (!deliberate) throw new Error(`${what} answered ${status}: ${body.slice(0, 300)}`);
}

/** No secret in the answer's headers or body, unless the request's URL or body carried it. */
export function expectNoSecret(book: SecretBook, answer: { headers: Headers | string; body: string }, carried: string, what: string): void {
  const headers =
    typeof answer.headers === "string" ? answer.headers : [...answer.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  const found = book.foundIn(`${headers}\n${answer.body}`, carried);
  if (found.length > 0) throw new Error(`${what}: the answer holds ${found.map(([label]) => label).join(", ")}`);
}

/** The usual pair of checks on a fetch answer. */
export function expectSafe(book: SecretBook, sent: Sent, answer: Answer): void {
  const what = `${sent.method} ${sent.url.slice(0, 160)}`;
  expectNoServerError(answer.status, answer.body, what);
  expectNoSecret(book, answer, reflectable(sent), what);
}

/** The process is up and serving; called after every property. */
export async function expectHealthy(base: string): Promise<void> {
  const response = await fetch(new URL("/healthz", base), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { status: string }).status).toBe("ok");
}

/** Every log line that holds a secret: label and the line's start. */
export function secretsInLog(book: SecretBook, lines: readonly string[]): string[] {
  // One search over the whole log first; lines only when something is there.
  if (book.foundIn(lines.join("\n")).length === 0) return [];
  const leaks: string[] = [];
  for (const line of lines) {
    for (const [label] of book.foundIn(line)) leaks.push(`${label}: ${line.slice(0, 300)}`);
  }
  return leaks;
}
