import { describe, expect, test } from "bun:test";
import { matchResource, normalizeResource, resolveResource } from "../../src/oauth/resource.ts";

describe("normalizeResource (RFC 8707 §2, MCP canonical server URI)", () => {
  test.each([
    ["https://mcp.example.com/vault/mcp", "https://mcp.example.com/vault/mcp"],
    ["https://mcp.example.com/vault/mcp/", "https://mcp.example.com/vault/mcp"],
    ["HTTPS://MCP.Example.COM/vault/mcp", "https://mcp.example.com/vault/mcp"],
    ["https://mcp.example.com:443/vault/mcp", "https://mcp.example.com/vault/mcp"],
    ["http://127.0.0.1:80/mcp", "http://127.0.0.1/mcp"],
    ["http://127.0.0.1:3001/mcp/", "http://127.0.0.1:3001/mcp"],
    ["https://mcp.example.com:8443/mcp", "https://mcp.example.com:8443/mcp"],
    // origin-only: Claude.ai and Claude Code add a slash
    ["https://mcp.example.com", "https://mcp.example.com"],
    ["https://mcp.example.com/", "https://mcp.example.com"],
    // only one trailing slash goes
    ["https://mcp.example.com/vault/mcp//", "https://mcp.example.com/vault/mcp/"],
    // the path keeps its case
    ["https://mcp.example.com/Vault/MCP", "https://mcp.example.com/Vault/MCP"],
    // a query is kept (and so never matches a served URL)
    ["https://mcp.example.com/mcp/?x=1", "https://mcp.example.com/mcp?x=1"],
    ["https://[::1]:8443/mcp", "https://[::1]:8443/mcp"],
  ])("%p -> %p", (input, canonical) => {
    expect(normalizeResource(input)).toEqual({ ok: true, value: canonical });
  });

  test.each([
    ["https://mcp.example.com/mcp#frag", /fragment/],
    ["https://mcp.example.com/mcp#", /fragment/],
    ["mcp.example.com", /absolute/],
    ["/vault/mcp", /absolute/],
    ["//mcp.example.com/mcp", /absolute/],
    ["", /absolute/],
    ["https://", /absolute/],
    ["https://mcp.example.com@evil.com/mcp", /user name/],
    ["https://user:pw@mcp.example.com/mcp", /user name/],
  ])("%p is refused", (input, problem) => {
    const result = normalizeResource(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(problem);
  });
});

describe("matchResource", () => {
  const served = ["https://mcp.example.com/vault/mcp", "https://mcp.example.com/notes/mcp"];
  test.each([
    ["https://mcp.example.com/vault/mcp", served[0]],
    ["https://mcp.example.com/vault/mcp/", served[0]],
    ["HTTPS://MCP.EXAMPLE.COM/vault/mcp", served[0]],
    ["https://mcp.example.com:443/notes/mcp/", served[1]],
  ])("%p is %p", (requested, canonical) => {
    expect(matchResource(requested, served)).toBe(canonical);
  });
  test.each([
    "https://mcp.example.com",
    "https://mcp.example.com/",
    "https://mcp.example.com/vault",
    "https://mcp.example.com/vault/mcp/extra",
    "https://mcp.example.com/VAULT/mcp",
    "http://mcp.example.com/vault/mcp",
    "https://mcp.example.com:8443/vault/mcp",
    "https://mcp.example.com.evil.com/vault/mcp",
    "https://mcp.example.com@evil.com/vault/mcp",
    "https://evil.com/vault/mcp",
    "https://mcp.example.com/vault/mcp#x",
    "https://mcp.example.com/vault/mcp?x=1",
    "https://mcp.example.com/vault%2fmcp",
    "https://mcp.example.com/vault/./mcp/..",
    "https://xn--mcp-xyz.example.com/vault/mcp",
    "https://mcp.еxample.com/vault/mcp", // Cyrillic е
    `https://mcp.example.com/vault/mcp${"/".repeat(10_000)}`,
  ])("%p matches nothing", (requested) => {
    expect(matchResource(requested, served)).toBeUndefined();
  });
  test("an origin-only served resource matches with or without the slash", () => {
    expect(matchResource("https://mcp.example.com/", ["https://mcp.example.com"])).toBe("https://mcp.example.com");
  });
});

describe("defaultResource and resolveResource", () => {
  const one = ["https://mcp.example.com/vault/mcp"];
  const two = [...one, "https://mcp.example.com/notes/mcp"];
  test("a missing resource means the only served one", () => {
    expect(resolveResource(undefined, one)).toEqual({ ok: true, value: one[0] as string });
    expect(resolveResource(undefined, []).ok).toBe(false);
  });
  test("with several served, a missing resource is invalid_target", () => {
    const result = resolveResource(undefined, two);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("invalid_target");
  });
  test("a served resource resolves to its canonical spelling", () => {
    expect(resolveResource("https://MCP.example.com/notes/mcp/", two)).toEqual({ ok: true, value: two[1] as string });
  });
  test.each(["https://other.example.com/mcp", "not a uri", "https://mcp.example.com/vault/mcp#f"])(
    "a foreign or malformed resource %p is invalid_target (RFC 8707 §2)",
    (requested) => {
      const result = resolveResource(requested, one);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe("invalid_target");
        expect(result.error.status).toBe(400);
      }
    },
  );
});
