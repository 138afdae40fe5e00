// The owner's pages over HTTP: the login and consent pages show the client's name (HTML-escaped),
// its redirect host and the scope; every page refuses framing (X-Frame-Options: DENY, CSP
// frame-ancestors 'none'); the forms need their CSRF token and the appliance's own Origin;
// deny redirects access_denied with state and iss; "remember" skips the next consent.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { formField, OWNER_PASSWORD, OwnerBrowser, ownerPasswordHash } from "../helpers/oauth.ts";
import { authorizeUrl, expectErrorPage, expectErrorRedirect, expectHealthy, pkce, registerPublic, tokens } from "../helpers/oauth-http.ts";

const XSS_NAME = "<script>alert(1)</script>";
const REDIRECT = "http://localhost:1234/cb";
let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: await ownerPasswordHash(), registrationRate: { count: 10_000, windowMs: 3_600_000 } },
  });
});
afterAll(async () => {
  await appliance?.stop();
});
afterEach(async () => {
  await expectHealthy(appliance.url);
});

function expectPageHeaders(response: Response) {
  expect(response.headers.get("content-type")).toStartWith("text/html");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  const csp = response.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("default-src 'none'");
  expect(response.headers.get("cache-control")).toContain("no-store");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  return csp;
}

function request(clientId: string, redirectUri = REDIRECT, state = "st-1") {
  const { challenge } = pkce();
  return authorizeUrl(appliance.url, {
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
  });
}

/** Signed in, looking at the consent page of a new authorization request. */
async function atConsent(clientId: string, redirectUri = REDIRECT, state = "st-1") {
  const browser = new OwnerBrowser(appliance.url);
  const { loginHtml, consentHtml: html, consent } = await browser.signIn(request(clientId, redirectUri, state));
  return {
    browser,
    consent,
    html,
    loginCsrf: formField(loginHtml, "csrf"),
    request: formField(html, "request"),
    csrf: formField(html, "csrf"),
  };
}

describe("what the pages show", () => {
  test("the login page: the client's name escaped, framing refused", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT], { client_name: XSS_NAME });
    const response = await fetch(request(client.client_id), { redirect: "manual" });
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    const html = await response.text();
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain(XSS_NAME);
    expect(html).not.toContain("<script");
  });

  test("the consent page: escaped client name, redirect host, scope and resource; framing refused", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT], { client_name: XSS_NAME });
    const { consent, html } = await atConsent(client.client_id);
    const csp = expectPageHeaders(consent);
    expect(csp).toContain("form-action 'self' http://localhost:1234");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain(XSS_NAME);
    expect(html).not.toContain("<script");
    expect(html).toContain("http://localhost:1234");
    expect(html).toContain("mcp:vault");
    expect(html).toContain(`${appliance.url}/vault/mcp`);
    expect(html).toContain(client.client_id);
    expect(html).toContain("This client registered itself");
  });

  test("quotes and ampersands in a name are escaped too", async () => {
    const name = `"quoted" & 'single' <b>bold</b>`;
    const client = await registerPublic(appliance.url, [REDIRECT], { client_name: name });
    const { html } = await atConsent(client.client_id);
    expect(html).not.toContain("<b>bold</b>");
    expect(html).toContain("&amp;");
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
  });

  test("a private-use redirect: the consent page names the scheme and host; form-action allows that scheme", async () => {
    const cursor = "cursor://anysphere.cursor-mcp/oauth/callback";
    const client = await registerPublic(appliance.url, [cursor], { client_name: "Cursor" });
    const { consent, html } = await atConsent(client.client_id, cursor);
    expect(html).toContain("cursor://anysphere.cursor-mcp");
    expect(expectPageHeaders(consent)).toContain("form-action 'self' cursor:");
  });

  test("error pages refuse framing as well", async () => {
    const response = await fetch(request("no-such-client"), { redirect: "manual" });
    expectPageHeaders(response);
    await expectErrorPage(response, 400);
  });

  test("the owner's cookie: HttpOnly, SameSite=Lax, Path=/, and not Secure over http", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const login = await fetch(request(client.client_id), { redirect: "manual" });
    const html = await login.text();
    const response = await fetch(new URL("/authorize", appliance.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: appliance.url },
      body: new URLSearchParams({
        action: "login",
        request: formField(html, "request"),
        csrf: formField(html, "csrf"),
        password: OWNER_PASSWORD,
      }),
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toStartWith("mcp-owner=");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure");
    await response.text();
  });
});

describe("the forms", () => {
  test("consent without the csrf field, with a wrong one, or with the login form's token: 403 page", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { browser, request: pending, csrf, loginCsrf } = await atConsent(client.client_id);
    const variants: Record<string, string>[] = [{}, { csrf: "wrong" }, { csrf: `${csrf}x` }, { csrf: loginCsrf }];
    for (const fields of variants) {
      const response = await browser.post({ action: "approve", request: pending, ...fields });
      expectPageHeaders(response);
      await expectErrorPage(response, 403);
    }
    // The real token still works afterwards.
    const approved = await browser.post({ action: "approve", request: pending, csrf });
    expect(approved.status).toBe(303);
    expect(new URL(approved.headers.get("location")!).searchParams.get("code")).toStartWith("mcpc_");
  });

  test("login without the csrf field or with a wrong one: 403 page, no cookie", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const browser = new OwnerBrowser(appliance.url);
    const html = await (await browser.get(request(client.client_id))).text();
    const variants: Record<string, string>[] = [{}, { csrf: "wrong" }];
    for (const fields of variants) {
      const response = await browser.post({ action: "login", request: formField(html, "request"), password: OWNER_PASSWORD, ...fields });
      expect(response.headers.get("set-cookie")).toBeNull();
      await expectErrorPage(response, 403);
    }
  });

  test("a form posted from another Origin: 403 page, even with the right token", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { browser, request: pending, csrf } = await atConsent(client.client_id);
    const response = await fetch(new URL("/authorize", appliance.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example", cookie: browser.cookie },
      body: new URLSearchParams({ action: "approve", request: pending, csrf }),
    });
    await expectErrorPage(response, 403);
  });

  test("a tampered request field: 400 page; without the owner's cookie: back to the login page", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { browser, request: pending, csrf } = await atConsent(client.client_id);
    const tampered = await browser.post({ action: "approve", request: `${pending.slice(0, -2)}xx`, csrf });
    await expectErrorPage(tampered, 400);
    const anonymous = new OwnerBrowser(appliance.url);
    const relogin = await anonymous.post({ action: "approve", request: pending, csrf });
    expect(relogin.status).toBe(200);
    const html = await relogin.text();
    expect(html).toContain('value="login"');
    expect(relogin.headers.get("location")).toBeNull();
  });

  test("an unknown action: 400 page", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { browser, request: pending, csrf } = await atConsent(client.client_id);
    await expectErrorPage(await browser.post({ action: "grant-everything", request: pending, csrf }), 400);
  });

  test("a wrong password: 401 login page with the error, no cookie; the right one then works", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const browser = new OwnerBrowser(appliance.url);
    const html = await (await browser.get(request(client.client_id))).text();
    const wrong = await browser.post({
      action: "login",
      request: formField(html, "request"),
      csrf: formField(html, "csrf"),
      password: "not the password",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expectPageHeaders(wrong);
    const again = await wrong.text();
    expect(again).toContain("Wrong password.");
    const right = await browser.post({
      action: "login",
      request: formField(again, "request"),
      csrf: formField(again, "csrf"),
      password: OWNER_PASSWORD,
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('value="approve"');
  });

  test("deny: 303 to the client with error=access_denied, state and iss, and no code", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const state = "deny & state/é";
    const { browser, request: pending, csrf } = await atConsent(client.client_id, REDIRECT, state);
    const response = await browser.post({ action: "deny", request: pending, csrf });
    expectErrorRedirect(response, REDIRECT, "access_denied", state, appliance.url);
  });

  test("approve: 303 with code, state and iss; the code redeems once", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const pair = pkce();
    const browser = new OwnerBrowser(appliance.url);
    const url = authorizeUrl(appliance.url, {
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      code_challenge: pair.challenge,
      code_challenge_method: "S256",
      state: "ok",
    });
    const redirect = await browser.approve(url);
    expect(redirect.href.split("?")[0]).toBe(REDIRECT);
    expect(redirect.searchParams.get("state")).toBe("ok");
    expect(redirect.searchParams.get("iss")).toBe(appliance.url);
    await tokens(appliance.url, {
      grant_type: "authorization_code",
      code: redirect.searchParams.get("code")!,
      code_verifier: pair.verifier,
      client_id: client.client_id,
      redirect_uri: REDIRECT,
    });
  });

  test("remember: the next request of that client skips consent; another client still gets it", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { browser, request: pending, csrf } = await atConsent(client.client_id);
    const approved = await browser.post({ action: "approve", request: pending, csrf, remember: "yes" });
    expect(approved.status).toBe(303);
    const next = await browser.get(request(client.client_id, REDIRECT, "again"));
    expect(next.status).toBe(303);
    const location = new URL(next.headers.get("location")!);
    expect(location.searchParams.get("code")).toStartWith("mcpc_");
    expect(location.searchParams.get("state")).toBe("again");

    const other = await registerPublic(appliance.url, [REDIRECT]);
    const consent = await browser.get(request(other.client_id));
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('value="approve"');
  });

  test("without remember, the next request shows the consent page again", async () => {
    const client = await registerPublic(appliance.url, [REDIRECT]);
    const { browser, request: pending, csrf } = await atConsent(client.client_id);
    expect((await browser.post({ action: "approve", request: pending, csrf })).status).toBe(303);
    const next = await browser.get(request(client.client_id));
    expect(next.status).toBe(200);
    expect(await next.text()).toContain('value="approve"');
  });

  test("an oversized or malformed form: 400 page", async () => {
    const big = await fetch(new URL("/authorize", appliance.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: appliance.url },
      body: `action=login&request=${"a".repeat(70_000)}`,
    });
    await expectErrorPage(big, 400);
    const bad = await fetch(new URL("/authorize", appliance.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: appliance.url },
      body: "action=login&request=%zz",
    });
    await expectErrorPage(bad, 400);
  });
});

test("the appliance is still up", async () => {
  await expectHealthy(appliance.url);
});
