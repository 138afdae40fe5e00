// Which address a request is from: X-Forwarded-For believed only from trust_proxy, IPv4 and
// IPv6 ranges alike (issue 13: IPv6 CIDRs used to be accepted by the config and never matched).
import { describe, expect, test } from "bun:test";
import { clientAddress } from "../../src/http/client-address.ts";

describe("clientAddress", () => {
  test("an IPv6 proxy inside an IPv6 prefix is believed", () => {
    expect(clientAddress("2001:db8::10", "203.0.113.5", ["2001:db8::/32"])).toBe("203.0.113.5");
    expect(clientAddress("fd00::2", "2001:db8:9::1", ["fd00::/8"])).toBe("2001:db8:9::1");
    expect(clientAddress("::1", "203.0.113.5", ["::1/128"])).toBe("203.0.113.5");
  });

  test("a proxy outside the prefix is not, whatever its spelling", () => {
    expect(clientAddress("2001:db9::10", "203.0.113.5", ["2001:db8::/32"])).toBe("2001:db9::10");
    expect(clientAddress("fe00::1", "203.0.113.5", ["fd00::/8"])).toBe("fe00::1");
  });

  test("an IPv4 peer on a dual-stack socket (::ffff:a.b.c.d) matches IPv4 and IPv4-mapped ranges", () => {
    expect(clientAddress("::ffff:10.0.0.2", "203.0.113.5", ["10.0.0.0/8"])).toBe("203.0.113.5");
    expect(clientAddress("10.0.0.2", "203.0.113.5", ["::ffff:10.0.0.0/104"])).toBe("203.0.113.5");
    expect(clientAddress("::ffff:10.0.0.2", "203.0.113.5", ["::ffff:10.0.0.2"])).toBe("203.0.113.5");
    expect(clientAddress("::ffff:11.0.0.2", "203.0.113.5", ["::ffff:10.0.0.0/104"])).toBe("11.0.0.2");
  });

  test("a chain of trusted IPv6 proxies is walked from the right, up to the first untrusted hop", () => {
    const trust = ["2001:db8:aa::/48"];
    expect(clientAddress("2001:db8:aa::1", "198.51.100.1, 2001:db8:bb::9, 2001:db8:aa::2", trust)).toBe("2001:db8:bb::9");
  });

  test("without trust_proxy, X-Forwarded-For is ignored", () => {
    expect(clientAddress("2001:db8::10", "203.0.113.5", [])).toBe("2001:db8::10");
  });
});
