import { describe, expect, test } from "bun:test";
import { checkRedirectUri, checkRedirectUris, redirectUriMatches, resolveRedirectUri } from "../../src/oauth/redirect-uris.ts";

describe("checkRedirectUri: accepted at registration", () => {
  test.each([
    ["https://claude.ai/api/mcp/auth_callback", "https"],
    ["https://claude.com/api/mcp/auth_callback", "https"],
    ["https://chatgpt.com/connector/oauth/abc123", "https"],
    ["https://vscode.dev/redirect", "https"],
    ["https://app.example.com:8443/cb?tenant=1", "https"],
    ["HTTPS://App.Example.com/cb", "https"],
    ["https://[2001:db8::1]/cb", "https"],
    ["https://localhost/cb", "https"],
    ["http://127.0.0.1/", "loopback"],
    ["http://127.0.0.1:33418/", "loopback"],
    ["http://localhost/callback", "loopback"],
    ["http://localhost:6274/oauth/callback", "loopback"],
    ["http://localhost:54321/oauth/callback", "loopback"],
    ["http://[::1]:8080/cb", "loopback"],
    ["http://localhost", "loopback"],
    ["http://127.0.0.1?x=1", "loopback"],
    ["HTTP://LOCALHOST/cb", "loopback"],
    ["cursor://anysphere.cursor-mcp/oauth/callback", "private-use"],
    ["com.example.app:/oauth2redirect/example-provider", "private-use"],
    ["com.example.app:cb", "private-use"],
    ["vscode://vscode.github-authentication/did-authenticate", "private-use"],
    // private-use schemes that only look like refused ones stay accepted
    ["msapp://cb", "private-use"],
    ["chromeapp://cb", "private-use"],
    ["com.microsoft.teams://auth", "private-use"],
  ])("%p is %p", (uri, kind) => {
    expect(checkRedirectUri(uri)).toEqual({ ok: true, value: kind as "https" });
  });
});

describe("checkRedirectUri: refused at registration", () => {
  test.each([
    ["", /empty/],
    ["x".repeat(2049), /longer than 2048/],
    [`https://example.com/${"a".repeat(3000)}`, /longer than 2048/],
    ["/relative/path", /characters|absolute/],
    ["example.com/cb", /absolute/],
    ["//example.com/cb", /absolute/],
    ["https://example.com/cb#frag", /fragment/],
    ["https://example.com/cb#", /fragment/],
    ["http://127.0.0.1:8080/cb#x", /fragment/],
    // plain http off the machine
    ["http://example.com/cb", /only allowed for loopback/],
    ["http://localhost.evil.com/cb", /only allowed for loopback/],
    ["http://127.0.0.1.evil.com/cb", /only allowed for loopback/],
    ["http://127.0.0.1%2eevil.com/", /only allowed for loopback/],
    ["http://localhost%2eevil.com/", /only allowed for loopback/],
    ["http://127.1/cb", /only allowed for loopback/],
    ["http://0x7f000001/cb", /only allowed for loopback/],
    ["http://[0:0:0:0:0:0:0:1]/cb", /only allowed for loopback/],
    ["http://127.0.0.2/cb", /only allowed for loopback/],
    ["http://0.0.0.0/cb", /only allowed for loopback/],
    ["http://localhost:0/cb", /only allowed for loopback/],
    ["http://localhost:/cb", /only allowed for loopback/],
    ["http://localhost:99999/cb", /not a valid URI|only allowed/],
    // userinfo
    ["https://good.com@evil.com/", /user name/],
    ["https://good.com:pw@evil.com/", /user name/],
    ["http://localhost@evil.com/", /user name/],
    ["http://localhost:80@evil.com/", /user name/],
    ["cursor://user@anysphere.cursor-mcp/cb", /user name/],
    // hosts that are not what they look like
    ["https:///evil.com/cb", /no host/],
    ["https://0x7f.1/cb", /plain form/],
    ["https://example.com%2f@evil.com/", /user name/],
    ["https://evil%2ecom/cb", /plain form/],
    ["https://[0:0::1]/cb", /plain form/],
    // characters a URI cannot hold
    ["https://example.com/cb\\..\\evil", /characters/],
    ["https://example.com\\@evil.com/", /characters/],
    ["https://exämple.com/cb", /characters/],
    ["https://example.com/\u202ecb", /characters/],
    ["https://example.com/c b", /characters/],
    [" https://example.com/cb", /characters/],
    ["https://example.com/cb\n", /characters/],
    ["java\tscript:alert(1)", /characters/],
    ["https://example.com/%zz", /characters/],
    ["https://example.com/%", /characters/],
    // schemes a browser or the system runs
    ["javascript:alert(1)", /javascript: scheme/],
    ["JavaScript:alert(1)", /javascript: scheme/],
    ["data:text/html,<script>alert(1)</script>", /characters|data: scheme/],
    ["data:text/html;base64,PHNjcmlwdD4=", /data: scheme/],
    ["file:///etc/passwd", /file: scheme/],
    ["vbscript:msgbox(1)", /vbscript: scheme/],
    ["about:blank", /about: scheme/],
    ["blob:https://example.com/uuid", /blob: scheme/],
    ["view-source:https://example.com/", /view-source: scheme/],
    ["ws://localhost/cb", /ws: scheme/],
    // operating-system and browser handlers (the full list is in redirect-uris.ts and README.md)
    ["ms-msdt:/id PCWDiagnostic /skip force /param", /characters|ms-msdt: scheme/],
    ["ms-msdt:/id%20PCWDiagnostic", /ms-msdt: scheme/],
    ["ms-officecmd:%7B%7D", /ms-officecmd: scheme/],
    ["ms-settings:privacy", /ms-settings: scheme/],
    ["search-ms:query=invoice&crumb=location:%5C%5Cevil.example%5Cshare", /search-ms: scheme/],
    ["chrome://settings/", /chrome: scheme/],
    ["chrome-extension://abcdef/cb.html", /chrome-extension: scheme/],
    ["microsoft-edge:https://evil.example/", /microsoft-edge: scheme/],
    ["shell:startup", /shell: scheme/],
    ["hcp://services/search", /hcp: scheme/],
    ["ms-its:evil.chm::/x.htm", /ms-its: scheme/],
    ["smb://evil.example/share", /smb: scheme/],
    ["itms-services://?action=download-manifest&url=https://evil.example/m.plist", /itms-services: scheme/],
    ["intent://cb#Intent;scheme=x;end", /fragment|intent: scheme/],
    ["c:/Users/me/cb", /drive letter/],
    ["myapp:", /nothing after the scheme/],
  ])("%p", (uri, problem) => {
    const check = checkRedirectUri(uri);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(problem);
  });
});

describe("checkRedirectUris", () => {
  test("lists every bad URI by index (a Cursor-like request with two bad entries)", () => {
    const problems = checkRedirectUris([
      "cursor://anysphere.cursor-mcp/oauth/callback",
      "javascript:alert(1)",
      "https://ok.example.com/cb",
      42,
      "http://evil.com/cb",
    ]);
    expect(problems.map((p) => p.index)).toEqual([1, 3, 4]);
    expect(problems[1]?.problem).toBe("it is not a string");
  });
  test("a good list has no problems", () => {
    expect(checkRedirectUris(["https://vscode.dev/redirect", "http://127.0.0.1/", "http://127.0.0.1:33418/"])).toEqual([]);
  });
});

describe("redirectUriMatches", () => {
  test.each([
    // exact
    ["https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback"],
    ["cursor://anysphere.cursor-mcp/oauth/callback", "cursor://anysphere.cursor-mcp/oauth/callback"],
    ["com.example.app:/cb", "com.example.app:/cb"],
    // RFC 8252 §7.3: loopback, any port
    ["http://localhost/callback", "http://localhost:54321/callback"],
    ["http://127.0.0.1/", "http://127.0.0.1:33418/"],
    ["http://127.0.0.1:33418/", "http://127.0.0.1:50000/"],
    ["http://127.0.0.1:33418/", "http://127.0.0.1/"],
    ["http://[::1]/cb", "http://[::1]:1/cb"],
    ["http://localhost:6274/oauth/callback", "http://localhost:6275/oauth/callback"],
    ["http://localhost/cb?a=1", "http://localhost:8080/cb?a=1"],
    ["http://localhost", "http://localhost:65535"],
  ])("%p accepts %p", (registered, requested) => {
    expect(redirectUriMatches(registered, requested)).toBe(true);
  });

  test.each([
    // path, query, case and trailing slash still exact
    ["https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback/"],
    ["https://claude.ai/api/mcp/auth_callback", "https://CLAUDE.ai/api/mcp/auth_callback"],
    ["https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback?x=1"],
    ["https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback#x"],
    ["https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/%61uth_callback"],
    ["https://claude.ai/api/mcp/auth_callback", "https://claude.ai:443/api/mcp/auth_callback"],
    ["https://claude.ai/cb", "https://claude.ai.evil.com/cb"],
    ["https://claude.ai/cb", "https://claude.ai@evil.com/cb"],
    // https never gets the port exception
    ["https://localhost/cb", "https://localhost:8443/cb"],
    ["https://app.example.com/cb", "https://app.example.com:8443/cb"],
    // loopback: host, path and query must still match
    ["http://localhost/callback", "http://localhost:54321/callback/"],
    ["http://localhost/callback", "http://localhost:54321/other"],
    ["http://localhost/callback", "http://localhost:54321/callback?x=1"],
    ["http://localhost/callback", "http://127.0.0.1:54321/callback"],
    ["http://127.0.0.1/", "http://[::1]:33418/"],
    ["http://127.0.0.1/", "http://127.0.0.1:33418"],
    ["http://localhost/callback", "http://LOCALHOST:54321/callback"],
    ["http://localhost/callback", "https://localhost:54321/callback"],
    ["http://localhost/callback", "http://localhost.evil.com:54321/callback"],
    ["http://localhost/callback", "http://localhost:54321@evil.com/callback"],
    ["http://localhost/callback", "http://localhost:54321\\@evil.com/callback"],
    ["http://localhost/callback", "http://localhost:0/callback"],
    ["http://localhost/callback", "http://localhost:65536/callback"],
    ["http://localhost/callback", "http://localhost:/callback"],
    ["http://127.0.0.1/", "http://127.0.0.1%2eevil.com:80/"],
    ["http://localhost/callback", "http://localhost:54321/callback#frag"],
    // private-use: exact
    ["cursor://anysphere.cursor-mcp/oauth/callback", "cursor://anysphere.cursor-mcp:1/oauth/callback"],
    ["cursor://anysphere.cursor-mcp/oauth/callback", "CURSOR://anysphere.cursor-mcp/oauth/callback"],
  ])("%p refuses %p", (registered, requested) => {
    expect(redirectUriMatches(registered, requested)).toBe(false);
  });

  test("a very long requested URI is simply not a match", () => {
    expect(redirectUriMatches("http://localhost/cb", `http://localhost:1/cb${"a".repeat(1_000_000)}`)).toBe(false);
  });
});

describe("resolveRedirectUri", () => {
  const registered = ["http://localhost/callback", "https://claude.ai/api/mcp/auth_callback"];
  test("returns the requested URI (with its real port) when one registered URI matches", () => {
    expect(resolveRedirectUri(registered, "http://localhost:40000/callback")).toBe("http://localhost:40000/callback");
    expect(resolveRedirectUri(registered, "https://claude.ai/api/mcp/auth_callback")).toBe("https://claude.ai/api/mcp/auth_callback");
  });
  test("no match is undefined", () => {
    expect(resolveRedirectUri(registered, "https://evil.com/cb")).toBeUndefined();
  });
  test("an omitted redirect_uri needs exactly one registered (OAuth 2.1 §4.1.1)", () => {
    expect(resolveRedirectUri(registered, undefined)).toBeUndefined();
    expect(resolveRedirectUri(["https://a.example/cb"], undefined)).toBe("https://a.example/cb");
  });
});
