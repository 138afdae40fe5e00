// CIMD §3: which client_id values are Client Identifier URLs.
import { describe, expect, test } from "bun:test";
import { checkClientIdUrl, isMetadataDocumentClientId } from "../../../src/oauth/client-metadata-document/client-id-url.ts";

describe("isMetadataDocumentClientId", () => {
  test.each([
    "https://example.com/client.json",
    "https://claude.ai/oauth/claude-code-client-metadata",
    "https://app.example.com/oauth/client-metadata.json",
    "https://example.com:8443/client", // MAY contain a port
    "https://example.com/client?v=1", // SHOULD NOT contain a query: allowed
    "https://example.com//client",
    "https://example.com/a.b/..c/c..", // dots inside a segment are not dot segments
    "https://203.0.113.5/client", // an IP literal is syntax; the fetcher refuses special-use ones
    "https://[2001:db8::1]/client",
  ])("%p is a Client Identifier URL", (id) => {
    expect(isMetadataDocumentClientId(id)).toBe(true);
  });

  test.each([
    ["http://example.com/client", "https scheme"],
    ["ftp://example.com/client", "https scheme"],
    ["HTTPS://example.com/client", "https scheme"],
    ["https://example.com", "path component"],
    ["https://example.com/", "path component"],
    ["https://example.com?x=1", "path component"],
    ["https://example.com/?x=1", "path component"],
    ["https://example.com/client#", "fragment"],
    ["https://example.com/client#frag", "fragment"],
    ["https://user@example.com/client", "username or password"],
    ["https://user:pw@example.com/client", "username or password"],
    ["https://:pw@example.com/client", "username or password"],
    ["https://example.com/./client", "path segments"],
    ["https://example.com/a/../client", "path segments"],
    ["https://example.com/client/.", "path segments"],
    ["https://example.com/client/..", "path segments"],
    ["https://example.com/a/%2e%2e/client", "path segments"],
    ["https://example.com/a/.%2E/client", "path segments"],
    ["https://example.com/%2e/client", "path segments"],
    ["https://Example.com/client", "normalised"],
    ["https://example.com:443/client", "normalised"],
    ["https://example.com/client path", "normalised"],
    ["https://example.com\\client", "path component"],
    ["https://example.com/a\\client", "normalised"],
    ["https://bücher.example/client", "normalised"],
    [" https://example.com/client", "https scheme"],
    ["https://example.com/client\n", "normalised"],
    ["https:///client", "normalised"],
    ["https://exa mple.com/client", "valid URL"],
    ["client-123", "https scheme"],
    ["", "https scheme"],
  ])("%p is refused (%s)", (id, problem) => {
    const checked = checkClientIdUrl(id);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toContain(problem);
    expect(isMetadataDocumentClientId(id)).toBe(false);
  });

  test("an over-long URL is refused", () => {
    const checked = checkClientIdUrl(`https://example.com/${"a".repeat(2100)}`);
    expect(checked.ok || checked.error).toContain("longer than 2048");
  });

  test.each([[undefined], [null], [42], [{}], [["https://example.com/client"]]])("a non-string (%p) is refused", (id) => {
    expect(isMetadataDocumentClientId(id)).toBe(false);
  });
});
