// CIMD-02 §8.6 / RFC 6890: the strict default refuses every special-use address.
import { describe, expect, test } from "bun:test";
import { isPublicAddress } from "../../../src/oauth/client-metadata-document/address-policy.ts";

describe("isPublicAddress", () => {
  test.each([
    "0.0.0.0",
    "0.1.2.3", // this network
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1", // private
    "127.0.0.1",
    "127.1.2.3", // loopback
    "169.254.169.254",
    "169.254.0.1", // link-local, cloud metadata
    "100.64.0.1",
    "100.127.255.254", // CGNAT
    "192.0.0.8",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "198.19.255.255",
    "192.88.99.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255", // multicast, reserved, broadcast
    "::",
    "::1",
    "0:0:0:0:0:0:0:1", // unspecified, loopback
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0.0.0.0", // IPv4-mapped
    "::127.0.0.1",
    "::a00:1", // IPv4-compatible (deprecated)
    "64:ff9b::a00:1",
    "64:ff9b::127.0.0.1", // NAT64 of private IPv4
    "64:ff9b:1::1", // local-use NAT64
    "fc00::1",
    "fd00::1",
    "fdff:ffff::1", // unique local
    "fe80::1",
    "febf::1",
    "fec0::1", // link-local, site-local
    "fe80::1%eth0", // zone id
    "ff02::1",
    "ff0e::1", // multicast
    "100::1", // discard-only
    "2001::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
    "2001:10::1",
    "2001:db8::1",
    "2001:db8:ffff::1", // ORCHID, documentation
    "2002:7f00:1::1",
    "2002:c0a8:101::1", // 6to4
    "3fff::1", // documentation (RFC 9637)
    "4000::1",
    "8000::1", // outside global unicast
    "localhost",
    "example.com",
    "",
    "1.2.3",
    "1.2.3.4.5",
    "::ffff:1.2.3.4.5",
  ])("%p is refused", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  test.each([
    "1.1.1.1",
    "8.8.8.8",
    "93.184.215.14",
    "172.15.255.255",
    "172.32.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "169.253.255.255",
    "192.169.0.1",
    "223.255.255.255",
    "11.0.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "2001:4860:4860::8888",
    "2001:200::1",
    "3ffe::1",
    "::ffff:8.8.8.8",
    "::ffff:808:808",
    "64:ff9b::808:808", // mapped / NAT64 of a public IPv4
  ])("%p is public", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});
