// Issue 13's decisions on the owner's pages, in a real headless Chromium: (a) anyone may register
// a client under a pre-registered client's exact name, so the consent page says who vouches for
// the name (a "registered by the owner" or a "self-registered" badge), warns when a
// self-registered client bears an owner's client's name, and shows the client_id and where the
// browser returns; (b) the consent page's "Sign out" ends the owner's sign-in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { OWNER_PASSWORD, ownerPasswordHash } from "../helpers/oauth.ts";
import { type CallbackServer, startCallbackServer } from "./callback-server.ts";
import { type LaunchedBrowser, launchChromium } from "./chromium.ts";
import { computedStyle, submit } from "./dom.ts";
import { type AuthorizationAttempt, authorizationRequest, type RegisteredClient, registerClient } from "./oauth-client.ts";

const RESULTS = join(import.meta.dir, "..", "..", "test-results");
const SCOPE = "mcp:vault";
const NAME = "Claude";
const OWNERS_CLIENT: RegisteredClient = { clientId: "owners-claude", clientName: NAME };

let appliance: TestAppliance;
let callback: CallbackServer;
let chromium: LaunchedBrowser | undefined;
let resource: string;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  callback = startCallbackServer();
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: {
      ownerPasswordHash: await ownerPasswordHash(),
      clients: [{ name: NAME, clientId: OWNERS_CLIENT.clientId, redirectUris: [callback.redirectUri], autoApprove: false }],
    },
  });
  resource = appliance.mcpUrl("vault").href;
  chromium = await launchChromium();
});

afterAll(async () => {
  try {
    await chromium?.close();
  } finally {
    await callback?.stop();
    await appliance?.stop();
  }
});

function attempt(client: RegisteredClient): AuthorizationAttempt {
  return authorizationRequest(appliance.url, client, callback.redirectUri, resource, SCOPE);
}

async function signIn(page: Page, at: AuthorizationAttempt): Promise<void> {
  await page.goto(at.url.href);
  await page.fill("#password", OWNER_PASSWORD);
  expect((await submit(page, "button[type=submit]"))?.status()).toBe(200);
  expect(await page.title()).toBe("Approve access · mcp-appliance");
}

const ERR_RED = "rgb(179, 38, 30)";

describe("who a client is, on the consent page (headless Chromium)", () => {
  test("the owner's client: 'registered by the owner', no warning", async () => {
    await chromium!.withContext(async (page) => {
      await signIn(page, attempt(OWNERS_CLIENT));
      expect(await page.textContent(".lead")).toContain(NAME);
      expect(await page.textContent(".lead .badge")).toBe("registered by the owner");
      expect(await page.locator("[role=alert]").count()).toBe(0);
      expect(await page.textContent("main")).toContain(OWNERS_CLIENT.clientId);
    });
  });

  for (const name of [NAME, "  claude "]) {
    test(`a self-registered client named ${JSON.stringify(name)}: a red 'self-registered' badge, a warning, its client_id and host`, async () => {
      const impostor = await registerClient(appliance.url, callback.redirectUri, name);
      await chromium!.withContext(async (page) => {
        await signIn(page, attempt(impostor));
        expect(await page.textContent(".lead .badge")).toBe("self-registered");
        expect(await computedStyle(page, ".lead .badge", ["color"])).toEqual({ color: ERR_RED });
        const warning = await page.textContent("[role=alert]");
        expect(warning).toContain("A client registered by the owner is also named");
        expect(warning).toContain("This is not that client");
        expect(await computedStyle(page, "[role=alert]", ["color"])).toEqual({ color: ERR_RED });
        const main = (await page.textContent("main"))!;
        expect(main).toContain(impostor.clientId);
        expect(main).not.toContain(OWNERS_CLIENT.clientId);
        expect(main).toContain(callback.origin);
        await page.screenshot({ path: join(RESULTS, "browser-consent-namesake.png"), fullPage: true });
      });
    });
  }

  test("a self-registered client with a name of its own: the badge, no warning", async () => {
    const other = await registerClient(appliance.url, callback.redirectUri, "Some Other Tool");
    await chromium!.withContext(async (page) => {
      await signIn(page, attempt(other));
      expect(await page.textContent(".lead .badge")).toBe("self-registered");
      expect(await page.locator("[role=alert]").count()).toBe(0);
    });
  });
});

describe("sign-out on the consent page (headless Chromium)", () => {
  test("Sign out: the login page says so, the cookie is gone, and the old cookie no longer signs in", async () => {
    await chromium!.withContext(async (page, context) => {
      const at = attempt(OWNERS_CLIENT);
      await signIn(page, at);
      const [session] = await context.cookies(appliance.url);
      expect(session?.name).toBe("mcp-owner");
      const before = callback.received.length;

      const signedOut = await submit(page, "button[value=signout]");
      expect(signedOut?.status()).toBe(200);
      expect(await page.title()).toBe("Sign in · mcp-appliance");
      expect(await page.textContent("[role=status]")).toBe("You are signed out.");
      expect(await context.cookies(appliance.url)).toEqual([]);
      expect(callback.received.length).toBe(before);

      // The cookie put back (a copy taken before): still the login page, not the consent page.
      await context.addCookies([session!]);
      await page.goto(at.url.href);
      expect(await page.title()).toBe("Sign in · mcp-appliance");
    });
  });
});
