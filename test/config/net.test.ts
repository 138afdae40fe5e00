import { describe, expect, test } from "bun:test";
import { isIpOrCidr, isLoopbackHost, parseListen } from "../../src/config/net.ts";
import { closestKey } from "../../src/config/suggest.ts";
import { parseOrigin, parsePublicUrl } from "../../src/config/urls.ts";

describe("isLoopbackHost", () => {
  test.each(["localhost", "LocalHost", "127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1"])("%p is loopback", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  test.each(["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "localhost.example.com", "::2", "mcp.example.com"])("%p is not loopback", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe("parseListen", () => {
  test("accepts IPv4, bracketed IPv6 and host names, ports 0..65535", () => {
    expect(parseListen("127.0.0.1:3001")).toEqual({ ok: true, value: { host: "127.0.0.1", port: 3001 } });
    expect(parseListen("[::]:0")).toEqual({ ok: true, value: { host: "::", port: 0 } });
    expect(parseListen("localhost:65535")).toEqual({ ok: true, value: { host: "localhost", port: 65535 } });
  });
  test.each(["3001", ":3001", "127.0.0.1", "127.0.0.1:", "[::1]", "[nope]:1", "999.0.0.1:1", "a b:1", "127.0.0.1:-1", "127.0.0.1:65536"])(
    "refuses %p",
    (text) => {
      expect(parseListen(text).ok).toBe(false);
    },
  );
});

describe("isIpOrCidr", () => {
  test.each(["10.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "::1", "2001:db8::/32", "::/128", "::ffff:10.0.0.0/104", "2001:DB8::1/64"])(
    "%p is accepted",
    (text) => {
      expect(isIpOrCidr(text)).toBe(true);
    },
  );
  // A zone ("%eth0") names an interface, not an address a request can come from.
  test.each(["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8/8", "host", "10.0.0.0/x", "fe80::1%eth0", "fe80::%eth0/64"])(
    "%p is refused",
    (text) => {
      expect(isIpOrCidr(text)).toBe(false);
    },
  );
});

describe("origins", () => {
  test("are normalised: lowercase, no default port, no trailing slash", () => {
    expect(parseOrigin("HTTPS://App.Example.COM:443/")).toEqual({ ok: true, value: "https://app.example.com" });
    expect(parseOrigin("http://[::1]:8080")).toEqual({ ok: true, value: "http://[::1]:8080" });
  });
  test.each([
    "https://a.example.com/x",
    "https://a.example.com/?",
    "https://a.example.com#",
    "ftp://a.example.com",
    "a.example.com",
    "https://u@a.example.com",
  ])("%p is not an origin", (text) => {
    expect(parseOrigin(text).ok).toBe(false);
  });
  test("the public URL must be https unless it is loopback", () => {
    expect(parsePublicUrl("http://mcp.example.com").ok).toBe(false);
    expect(parsePublicUrl("http://127.0.0.1:3001/")).toEqual({ ok: true, value: "http://127.0.0.1:3001" });
    expect(parsePublicUrl("http://[::1]:3001")).toEqual({ ok: true, value: "http://[::1]:3001" });
    expect(parsePublicUrl("http://localhost")).toEqual({ ok: true, value: "http://localhost" });
  });
});

describe("closestKey", () => {
  const keys = ["command", "args", "cwd", "env", "pass_env", "path", "sse_path"];
  test.each([
    ["comand", "command"],
    ["commnad", "command"],
    ["Command", "command"],
    ["arg", "args"],
    ["passenv", "pass_env"],
    ["ssepath", "sse_path"],
  ])("%p suggests %p", (key, suggestion) => {
    expect(closestKey(key, keys)).toBe(suggestion);
  });
  test.each(["timeout", "ab", "x", "environment"])("%p suggests nothing", (key) => {
    expect(closestKey(key, keys)).toBeUndefined();
  });
});
