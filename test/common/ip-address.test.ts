// IP ranges for trust_proxy and the key of per-address limits (issue 13: IPv6 CIDRs that never
// matched, and limits keyed on the full IPv6 address that one /64 could defeat).
import { describe, expect, test } from "bun:test";
import { inAnyIpRange, ipv4RangeText, limitKeyOf, parseIpRange } from "../../src/common/ip-address.ts";

function inRange(address: string, range: string): boolean {
  expect(parseIpRange(range)).toBeDefined();
  return inAnyIpRange(address, [range]);
}

describe("parseIpRange + inAnyIpRange", () => {
  test.each([
    ["2001:db8::1", "2001:db8::/32"],
    ["2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"],
    ["2001:DB8:0:0:0:0:0:7", "2001:db8::7"],
    ["2001:db8::7", "2001:0db8:0000::0007/128"],
    ["fd00::2", "fd00::/8"],
    ["::1", "::/127"],
    ["1::2:3", "::/0"],
    ["10.1.2.3", "10.0.0.0/8"],
    ["10.1.2.3", "0.0.0.0/0"],
    ["192.0.2.7", "192.0.2.7"],
    // IPv4-mapped, either side: the IPv4 address.
    ["::ffff:10.1.2.3", "10.0.0.0/8"],
    ["10.1.2.3", "::ffff:10.0.0.0/104"],
    ["::ffff:a01:203", "::ffff:10.1.2.3"],
    ["10.1.2.3", "::ffff:0:0/96"],
  ])("%p is in %p", (address, range) => {
    expect(inRange(address, range)).toBe(true);
  });

  test.each([
    ["2001:db9::1", "2001:db8::/32"],
    ["2001:db8::8", "2001:db8::7"],
    ["fe00::1", "fd00::/8"],
    ["::2", "::/127"],
    ["11.0.0.1", "10.0.0.0/8"],
    ["::ffff:11.0.0.1", "10.0.0.0/8"],
    // The families stay apart: "all of IPv6" is not IPv4, "all of IPv4" is not IPv6.
    ["10.1.2.3", "::/0"],
    ["::1", "0.0.0.0/0"],
    ["::a01:203", "10.1.2.3"],
    ["unknown", "0.0.0.0/0"],
    ["fe80::1%eth0", "::/0"],
  ])("%p is not in %p", (address, range) => {
    expect(inRange(address, range)).toBe(false);
  });

  test.each([
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/",
    "10.0.0.0/8/8",
    "host",
    "10.0.0.0/x",
    "fe80::1%eth0",
    "fe80::1%eth0/64",
    "",
    "1.2.3.4/-1",
  ])("%p is not a range", (text) => {
    expect(parseIpRange(text)).toBeUndefined();
  });
});

describe("limitKeyOf", () => {
  test("an IPv6 address counts under its /64 (RFC 6177): every interface identifier alike", () => {
    const key = limitKeyOf("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    for (const other of ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:DB8:1:2:a:b:c:d", "2001:0db8:0001:0002::9"]) {
      expect(limitKeyOf(other)).toBe(key);
    }
    expect(limitKeyOf("2001:db8:1:3::1")).not.toBe(key);
    expect(limitKeyOf("::1")).toBe("0:0:0:0::/64");
  });

  test("an IPv4 address is itself, however it is written; anything else is kept as it is", () => {
    expect(limitKeyOf("192.0.2.7")).toBe("192.0.2.7");
    expect(limitKeyOf("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(limitKeyOf("::ffff:c000:207")).toBe("192.0.2.7");
    expect(limitKeyOf("192.0.2.8")).not.toBe(limitKeyOf("192.0.2.7"));
    expect(limitKeyOf("unknown")).toBe("unknown");
  });
});

describe("ipv4RangeText", () => {
  test("an IPv4 range as written; an IPv4-mapped one in IPv4 notation; IPv6 none", () => {
    expect(ipv4RangeText("10.0.0.0/8")).toBe("10.0.0.0/8");
    expect(ipv4RangeText("192.0.2.7")).toBe("192.0.2.7");
    expect(ipv4RangeText("::ffff:10.0.0.0/104")).toBe("10.0.0.0/8");
    expect(ipv4RangeText("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(ipv4RangeText("::ffff:c000:200/120")).toBe("192.0.2.0/24");
    expect(ipv4RangeText("::ffff:0:0/96")).toBe("0.0.0.0/0");
    expect(ipv4RangeText("2001:db8::/32")).toBeUndefined();
    expect(ipv4RangeText("::ffff:0:0/80")).toBeUndefined();
    expect(ipv4RangeText("not an address")).toBeUndefined();
  });
});
