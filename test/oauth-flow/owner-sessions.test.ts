// Ending the owner's sign-in (issue 13: "passwd does not invalidate existing owner sessions and
// there is no sign-out"): `mcp-appliance passwd`, run as its own process against the running
// appliance's state, ends every owner session; so does the consent page's sign-out form, which
// is protected like the other forms (same-origin, the session's CSRF token).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ROOT } from "../helpers/binary.ts";
import { formField, OWNER_PASSWORD, OwnerBrowser } from "../helpers/oauth.ts";
import { authorizeUrl, pkce } from "../helpers/oauth-http.ts";

const NEW_PASSWORD = "a brand new owner password";

let appliance: TestAppliance;

beforeAll(async () => {
  // No owner_password_hash in the configuration: the password lives in the state, as `passwd` sets
  // it. The state is only ever written by other processes here: a second connection in this one
  // would share (and, closing, drop) the appliance's SQLite file locks.
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: {
      clients: [{ name: "Desktop", clientId: "desktop", redirectUris: ["http://127.0.0.1/callback"], autoApprove: false }],
    },
  });
});
afterAll(async () => {
  await appliance?.stop();
});

function authorization(): URL {
  return authorizeUrl(appliance.url, {
    response_type: "code",
    client_id: "desktop",
    redirect_uri: "http://127.0.0.1/callback",
    code_challenge: pkce().challenge,
    code_challenge_method: "S256",
    state: "s",
  });
}

/** What GET /authorize shows to a browser with this cookie: the login page or the consent page. */
async function pageFor(cookie: string): Promise<"login" | "consent"> {
  const response = await fetch(authorization(), { headers: { cookie } });
  const html = await response.text();
  if (html.includes('value="login"')) return "login";
  if (html.includes('value="approve"')) return "consent";
  throw new Error(`unexpected page (${response.status}):\n${html.slice(0, 1000)}`);
}

/** `mcp-appliance passwd` in a process of its own, the new password on its standard input. */
async function runPasswd(password: string): Promise<void> {
  const config = join(appliance.config.stateDir, "passwd-test.toml");
  writeFileSync(config, `auth = "none"\nstate_dir = "${appliance.config.stateDir}"\n\n[servers.vault]\ncommand = "node"\n`);
  const proc = Bun.spawn([process.execPath, join(ROOT, "src", "cli", "main.ts"), "passwd", "--config", config], {
    stdin: new TextEncoder().encode(`${password}\n`),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`passwd exited with ${code}: ${out}${err}`);
}

describe("owner sessions end", () => {
  test("`mcp-appliance passwd` from another process ends a signed-in session; the new password signs in", async () => {
    await runPasswd(OWNER_PASSWORD);
    const browser = new OwnerBrowser(appliance.url);
    const { consentHtml } = await browser.signIn(authorization());
    const cookie = browser.cookie;
    expect(await pageFor(cookie)).toBe("consent");

    await runPasswd(NEW_PASSWORD);

    expect(await pageFor(cookie)).toBe("login");
    // The consent form signed before the change is refused as well: no code is issued.
    const approve = await browser.post({
      action: "approve",
      request: formField(consentHtml, "request"),
      csrf: formField(consentHtml, "csrf"),
    });
    expect(approve.status).toBe(200);
    expect(await approve.text()).toContain("Please sign in again.");
    // The old password no longer works, the new one does.
    await expect(new OwnerBrowser(appliance.url).signIn(authorization(), OWNER_PASSWORD)).rejects.toThrow("expected the consent page");
    const fresh = new OwnerBrowser(appliance.url);
    await fresh.signIn(authorization(), NEW_PASSWORD);
    expect(await pageFor(fresh.cookie)).toBe("consent");
  });

  test("the consent page's sign-out ends every owner session and clears the cookie", async () => {
    await runPasswd(OWNER_PASSWORD);
    const here = new OwnerBrowser(appliance.url);
    const elsewhere = new OwnerBrowser(appliance.url);
    const { consentHtml } = await here.signIn(authorization());
    await elsewhere.signIn(authorization());
    const cookie = here.cookie;
    expect(consentHtml).toContain('value="signout"');

    const signedOut = await here.post({
      action: "signout",
      request: formField(consentHtml, "request"),
      csrf: formField(consentHtml, "csrf"),
    });
    expect(signedOut.status).toBe(200);
    expect(signedOut.headers.get("set-cookie")).toMatch(/^mcp-owner=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax/);
    const html = await signedOut.text();
    expect(html).toContain("You are signed out.");
    expect(html).toContain('value="login"');
    expect(await pageFor(cookie)).toBe("login");
    expect(await pageFor(elsewhere.cookie)).toBe("login");
    expect(appliance.logs.some((line) => line.includes('"msg":"owner signed out"'))).toBe(true);
  });

  test("a sign-out without the session's CSRF token, or from another site, is refused and ends nothing", async () => {
    await runPasswd(OWNER_PASSWORD);
    const browser = new OwnerBrowser(appliance.url);
    const { consentHtml } = await browser.signIn(authorization());
    const request = formField(consentHtml, "request");

    const forged = await browser.post({ action: "signout", request, csrf: "forged" });
    expect(forged.status).toBe(403);
    const crossSite = await fetch(new URL("/authorize", appliance.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://attacker.example", cookie: browser.cookie },
      body: new URLSearchParams({ action: "signout", request, csrf: formField(consentHtml, "csrf") }),
    });
    expect(crossSite.status).toBe(403);
    expect(await pageFor(browser.cookie)).toBe("consent");
  });
});
