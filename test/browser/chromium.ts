// Headless Chromium (Debian's `chromium` package) driven by playwright-core, which never
// downloads a browser of its own. Playwright starts the browser in its own process group, so
// "nothing left behind" can be checked on that group once the browser is closed — and on the
// crash handlers (chrome_crashpad_handler), which detach into sessions of their own.
import { readdirSync, readFileSync } from "node:fs";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { alive, eventually, groupMembers } from "../helpers/appliance.ts";

export const CHROMIUM = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface LaunchedBrowser {
  browser: Browser;
  /** The browser's process group (its main process id). */
  pgid: number;
  /** A fresh, isolated context: its own cookies and storage, nothing shared with other tests. */
  newContext(): Promise<BrowserContext>;
  /** Close the browser and wait until every process of its group is gone. */
  close(): Promise<void>;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

const processes = () =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

/** The browser's main process: our child, talking to us over --remote-debugging-pipe. */
function browserPids(): number[] {
  return processes().filter((pid) => parentOf(pid) === process.pid && cmdline(pid).includes("--remote-debugging-pipe"));
}

function crashHandlers(): number[] {
  return processes().filter((pid) => alive(pid) && cmdline(pid).includes("chrome_crashpad_handler"));
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const before = new Set(browserPids());
  const handlersBefore = new Set(crashHandlers());
  // launch() gives the browser a fresh temporary user-data-dir, removed on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  const started = browserPids().filter((pid) => !before.has(pid));
  if (started.length !== 1) {
    await browser.close();
    throw new Error(`expected one new browser process, found ${started.length}`);
  }
  const pgid = started[0]!;
  const handlers = crashHandlers().filter((pid) => !handlersBefore.has(pid));
  return {
    browser,
    pgid,
    newContext: () => browser.newContext({ colorScheme: "light", viewport: { width: 800, height: 700 } }),
    async close() {
      await browser.close();
      await eventually(() => groupMembers(pgid).length === 0, `the browser's processes (group ${pgid}) are gone`);
      await eventually(() => !handlers.some(alive), `the browser's crash handlers (${handlers.join(", ")}) are gone`);
    },
  };
}
