// Headless Chromium (Debian's `chromium` package) driven by playwright-core, which never
// downloads a browser of its own. Playwright starts the browser in its own process group, so
// "nothing left behind" can be checked on that group once the browser is closed — and on the
// crash handlers (chrome_crashpad_handler), which detach into sessions of their own.
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { eventually } from "../helpers/appliance.ts";
import { alive, commandLine, liveInGroups, processTable } from "../helpers/machine.ts";

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
  /** Run `run` on a page of a fresh context, which is always closed afterwards. */
  withContext(run: (page: Page, context: BrowserContext) => Promise<void>): Promise<void>;
  /** Close the browser and wait until every process of its group is gone. */
  close(): Promise<void>;
}

/** The browser's main process: our child, talking to us over --remote-debugging-pipe. */
function browserPids(): number[] {
  return processTable()
    .filter((p) => p.ppid === process.pid && commandLine(p.pid).includes("--remote-debugging-pipe"))
    .map((p) => p.pid);
}

function crashHandlers(): number[] {
  return processTable()
    .filter((p) => alive(p.pid) && commandLine(p.pid).includes("chrome_crashpad_handler"))
    .map((p) => p.pid);
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
  const newContext = () => browser.newContext({ colorScheme: "light", viewport: { width: 800, height: 700 } });
  return {
    browser,
    pgid,
    newContext,
    async withContext(run) {
      const context = await newContext();
      try {
        await run(await context.newPage(), context);
      } finally {
        await context.close();
      }
    },
    async close() {
      await browser.close();
      await eventually(() => liveInGroups([pgid]).length === 0, `the browser's processes (group ${pgid}) are gone`);
      await eventually(() => !handlers.some(alive), `the browser's crash handlers (${handlers.join(", ")}) are gone`);
    },
  };
}
