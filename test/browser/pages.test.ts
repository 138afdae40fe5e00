// The owner's login and consent pages driven in a real headless Chromium (Debian's `chromium`
// through playwright-core): a wrong password, the right one, consent shown and given (or
// refused, or remembered), the code exchanged; a tampered CSRF token refused; the pages refuse
// to be framed by another origin; the stylesheet loads and applies.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page, Response as PageResponse } from "playwright-core";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { OWNER_PASSWORD, ownerPasswordHash } from "../helpers/oauth.ts";
import { type CallbackServer, startCallbackServer } from "./callback-server.ts";
import { type LaunchedBrowser, launchChromium } from "./chromium.ts";
import { computedStyle, setInputValue, submit } from "./dom.ts";
import { type AuthorizationAttempt, authorizationRequest, exchangeCode, type RegisteredClient, registerClient } from "./oauth-client.ts";

const RESULTS = join(import.meta.dir, "..", "..", "test-results");
const SCOPE = "mcp:vault";

let appliance: TestAppliance;
let callback: CallbackServer;
let chromium: LaunchedBrowser | undefined;
let resource: string;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() },
  });
  resource = appliance.mcpUrl("vault").href;
  callback = startCallbackServer();
  chromium = await launchChromium();
});

afterAll(async () => {
  // Always close the browser (and check its processes are gone), then the servers.
  try {
    await chromium?.close();
  } finally {
    await callback?.stop();
    await appliance?.stop();
  }
});

let clients = 0;
async function newClient(): Promise<RegisteredClient> {
  clients += 1;
  return registerClient(appliance.url, callback.redirectUri, `Browser Test Client ${clients}`);
}

function attempt(client: RegisteredClient): AuthorizationAttempt {
  return authorizationRequest(appliance.url, client, callback.redirectUri, resource, SCOPE);
}

/** From the authorization URL, sign in with the owner password: the consent page is shown. */
async function signIn(page: Page, at: AuthorizationAttempt): Promise<void> {
  const first = await page.goto(at.url.href);
  expect(first?.status()).toBe(200);
  await page.fill("#password", OWNER_PASSWORD);
  const response = await submit(page, "button[type=submit]");
  expect(response?.status()).toBe(200);
  expect(await page.title()).toBe("Approve access · mcp-appliance");
}

const callbacksSince = (count: number) => callback.received.slice(count);

describe("the owner's pages in headless Chromium", () => {
  // The pages send `Referrer-Policy: no-referrer`; under that policy a browser's form POST
  // carries `Origin: null` (Fetch, "append a request Origin header"). The appliance must not
  // take its own pages' forms for a cross-site post.
  test("the login form, posted by the browser from the appliance's own page, is not refused as sent from another site", async () => {
    const client = await newClient();
    await chromium!.withContext(async (page) => {
      await page.goto(attempt(client).url.href);
      await page.fill("#password", "not the owner's password");
      const response = await submit(page, "button[type=submit]");
      expect(await page.textContent("main")).not.toContain("This form was sent from another site.");
      expect(response?.status()).toBe(401);
      expect(await page.textContent("[role=alert]")).toBe("Wrong password.");
    });
  });

  test("wrong password, then sign in, consent shown, Allow: the client gets code, state and iss, and the code buys tokens", async () => {
    const client = await newClient();
    const at = attempt(client);
    await chromium!.withContext(async (page) => {
      const stylesheets: PageResponse[] = [];
      page.on("response", (response) => {
        if (new URL(response.url()).pathname === "/assets/pages.css") stylesheets.push(response);
      });

      // The login page: title, the client's name, the password field.
      const first = await page.goto(at.url.href);
      expect(first?.status()).toBe(200);
      expect(first?.headers()["x-frame-options"]).toBe("DENY");
      expect(first?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(await page.title()).toBe("Sign in · mcp-appliance");
      expect(await page.textContent("h1")).toBe("Sign in to approve access");
      expect(await page.textContent(".lead strong")).toBe(client.clientName);
      expect(await page.isVisible("#password")).toBe(true);

      // The stylesheet is served and applies (the card, the primary button).
      expect(stylesheets.length).toBeGreaterThan(0);
      expect(stylesheets[0]!.status()).toBe(200);
      expect(stylesheets[0]!.headers()["content-type"]).toContain("text/css");
      // Without the stylesheet the card would be transparent and square, the button grey.
      expect(await computedStyle(page, ".card", ["backgroundColor", "borderTopLeftRadius"])).toEqual({
        backgroundColor: "rgb(255, 255, 255)",
        borderTopLeftRadius: "12px",
      });
      expect(await computedStyle(page, "button.primary", ["backgroundColor", "color"])).toEqual({
        backgroundColor: "rgb(36, 88, 214)",
        color: "rgb(255, 255, 255)",
      });
      expect(await computedStyle(page, "body", ["backgroundColor"])).toEqual({ backgroundColor: "rgb(245, 246, 248)" });
      await page.screenshot({ path: join(RESULTS, "browser-login.png"), fullPage: true });

      // A wrong password: an error on the login page, nothing sent to the client.
      const before = callback.received.length;
      await page.fill("#password", "not the owner's password");
      const wrong = await submit(page, "button[type=submit]");
      expect(wrong?.status()).toBe(401);
      expect(await page.title()).toBe("Sign in · mcp-appliance");
      expect(await page.textContent("[role=alert]")).toBe("Wrong password.");
      expect(await page.isVisible("#password")).toBe(true);
      expect(new URL(page.url()).origin).toBe(appliance.url);

      // The right password: the consent page names the client, where it returns, what it asks.
      await page.fill("#password", OWNER_PASSWORD);
      const signedIn = await submit(page, "button[type=submit]");
      expect(signedIn?.status()).toBe(200);
      expect(await page.title()).toBe("Approve access · mcp-appliance");
      const consent = await page.textContent("main");
      expect(consent).toContain(client.clientName);
      expect(consent).toContain(client.clientId);
      expect(consent).toContain(callback.origin); // "Returns to" http://127.0.0.1:<port>
      expect(consent).toContain(SCOPE);
      expect(consent).toContain(resource);
      expect(await page.isVisible("button[value=approve]")).toBe(true);
      expect(await page.isVisible("button[value=deny]")).toBe(true);
      expect(await computedStyle(page, "button[value=approve]", ["backgroundColor"])).toEqual({ backgroundColor: "rgb(36, 88, 214)" });
      await page.screenshot({ path: join(RESULTS, "browser-consent.png"), fullPage: true });
      expect(callbacksSince(before)).toEqual([]);

      // Allow: the browser lands on the client's callback with code, state and iss.
      await submit(page, "button[value=approve]");
      expect(page.url().startsWith(callback.redirectUri)).toBe(true);
      expect(await page.textContent("#done")).toBe("Back at the client.");
      const received = callbacksSince(before);
      expect(received.length).toBe(1);
      const redirect = received[0]!;
      expect(redirect.searchParams.get("state")).toBe(at.state);
      expect(redirect.searchParams.get("iss")).toBe(appliance.url);
      const code = redirect.searchParams.get("code");
      expect(code).toBeTruthy();
      expect(redirect.searchParams.get("error")).toBeNull();

      // The code buys tokens.
      const tokens = await exchangeCode(appliance.url, client, callback.redirectUri, resource, code!, at.verifier);
      expect(tokens.status).toBe(200);
      const body = (await tokens.json()) as Record<string, unknown>;
      expect(body.token_type).toMatch(/^bearer$/i);
      expect(String(body.access_token)).toStartWith("mcpa_");
      expect(String(body.refresh_token)).toStartWith("mcpr_");
      expect(body.scope).toBe(SCOPE);
    });
  });

  test("a tampered CSRF token on the consent form: 403 'Request refused', nothing sent to the client", async () => {
    const client = await newClient();
    await chromium!.withContext(async (page) => {
      await signIn(page, attempt(client));
      const before = callback.received.length;
      const csrf = await page.locator("input[name=csrf]").inputValue();
      const tampered = `${csrf.slice(0, -4)}${csrf.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
      await setInputValue(page, "input[name=csrf]", tampered);
      expect(await page.locator("input[name=csrf]").inputValue()).toBe(tampered);
      const refused = await submit(page, "button[value=approve]");
      expect(refused?.status()).toBe(403);
      expect(await page.title()).toBe("Request refused · mcp-appliance");
      expect(await page.textContent("h1")).toBe("Request refused");
      // Refused for the token, not for some other reason.
      expect(await page.textContent("[role=alert]")).toContain("security token is invalid");
      expect(new URL(page.url()).origin).toBe(appliance.url);
      expect(callbacksSince(before)).toEqual([]);
    });
  });

  test("a tampered CSRF token on the login form: 403 'Request refused', no sign-in", async () => {
    const client = await newClient();
    await chromium!.withContext(async (page, context) => {
      await page.goto(attempt(client).url.href);
      await setInputValue(page, "input[name=csrf]", "forged");
      await page.fill("#password", OWNER_PASSWORD);
      const refused = await submit(page, "button[type=submit]");
      expect(refused?.status()).toBe(403);
      expect(await page.textContent("h1")).toBe("Request refused");
      expect(await page.textContent("[role=alert]")).toContain("security token is invalid");
      expect(await context.cookies(appliance.url)).toEqual([]);
    });
  });

  test("another origin framing /authorize gets nothing: the login page is not rendered in the frame", async () => {
    const client = await newClient();
    const at = attempt(client);
    // A frameable control page on the framing origin proves the iframes themselves work.
    callback.servePage("/control.html", "<!doctype html><title>control</title><p id=control>framed fine</p>");
    callback.servePage(
      "/frame.html",
      `<!doctype html><title>framing attempt</title>
<iframe id=control name=control src="/control.html"></iframe>
<iframe id=victim name=victim src="${at.url.href.replaceAll("&", "&amp;")}"></iframe>`,
    );
    await chromium!.withContext(async (page) => {
      const authorizeResponses: PageResponse[] = [];
      page.on("response", (response) => {
        if (new URL(response.url()).pathname === "/authorize") authorizeResponses.push(response);
      });
      await page.goto(`${callback.origin}/frame.html`, { waitUntil: "load" });
      expect(new URL(page.url()).origin).not.toBe(appliance.url);

      const control = page.frame({ name: "control" });
      expect(await control?.textContent("#control")).toBe("framed fine");

      // The appliance answered, with the headers that forbid framing...
      expect(authorizeResponses.length).toBe(1);
      expect(authorizeResponses[0]!.headers()["x-frame-options"]).toBe("DENY");
      expect(authorizeResponses[0]!.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");

      // ...and the browser did not render it: the frame is an error page, without the form.
      const victim = page.frame({ name: "victim" });
      expect(victim).not.toBeNull();
      expect(victim!.url()).not.toStartWith(appliance.url);
      expect(victim!.url()).toStartWith("chrome-error://");
      const content = await victim!.content().catch(() => "");
      expect(content).not.toContain('name="password"');
      expect(content).not.toContain("Sign in to approve access");
      expect(await victim!.locator("input[name=password]").count()).toBe(0);
    });
  });

  test("Deny: the client gets error=access_denied with state and iss", async () => {
    const client = await newClient();
    const at = attempt(client);
    await chromium!.withContext(async (page) => {
      await signIn(page, at);
      const before = callback.received.length;
      await submit(page, "button[value=deny]");
      expect(page.url().startsWith(callback.redirectUri)).toBe(true);
      const received = callbacksSince(before);
      expect(received.length).toBe(1);
      const redirect = received[0]!;
      expect(redirect.searchParams.get("error")).toBe("access_denied");
      expect(redirect.searchParams.get("state")).toBe(at.state);
      expect(redirect.searchParams.get("iss")).toBe(appliance.url);
      expect(redirect.searchParams.get("code")).toBeNull();
    });
  });

  test("'Remember this decision': the next authorization in the same browser goes straight back to the client", async () => {
    const client = await newClient();
    await chromium!.withContext(async (page) => {
      const first = attempt(client);
      await signIn(page, first);
      await page.check("input[name=remember]");
      const before = callback.received.length;
      await submit(page, "button[value=approve]");
      expect(callbacksSince(before).length).toBe(1);
      expect(callbacksSince(before)[0]!.searchParams.get("state")).toBe(first.state);

      // Second authorization, same browser context (owner still signed in): no page at all.
      const second = attempt(client);
      const pages: string[] = [];
      page.on("response", (response) => {
        if (new URL(response.url()).origin === appliance.url && response.status() === 200) pages.push(response.url());
      });
      const landed = await page.goto(second.url.href);
      expect(landed?.url().startsWith(callback.redirectUri)).toBe(true);
      const redirectedFrom = landed?.request().redirectedFrom();
      expect(redirectedFrom?.url()).toBe(second.url.href);
      expect((await redirectedFrom?.response())?.status()).toBe(303);
      expect(pages).toEqual([]); // neither a login nor a consent page was served
      const received = callbacksSince(before);
      expect(received.length).toBe(2);
      expect(received[1]!.searchParams.get("state")).toBe(second.state);
      expect(received[1]!.searchParams.get("iss")).toBe(appliance.url);
      const tokens = await exchangeCode(
        appliance.url,
        client,
        callback.redirectUri,
        resource,
        received[1]!.searchParams.get("code")!,
        second.verifier,
      );
      expect(tokens.status).toBe(200);
    });
  });
});
