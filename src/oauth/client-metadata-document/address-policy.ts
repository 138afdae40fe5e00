// Which resolved IP addresses a metadata document may be fetched from: the SSRF guard.
// CIMD §6.5 (CIMD-02 §8.6): the authorization server MUST NOT fetch a Client ID Metadata Document
// URL that resolves to special-use IP addresses as defined in RFC 6890.

import { isIPv4, isIPv6 } from "node:net";

type Prefix = readonly [bytes: readonly number[], bits: number];

// RFC 6890 §2.2.2 and the IANA IPv4 Special-Purpose Address Registry (incl. RFC 6598 CGNAT).
const IPV4_SPECIAL: readonly Prefix[] = [
  [[0, 0, 0, 0], 8], // "this network"
  [[10, 0, 0, 0], 8], // private (RFC 1918)
  [[100, 64, 0, 0], 10], // shared address space, carrier-grade NAT (RFC 6598)
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local, incl. cloud metadata 169.254.169.254
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // TEST-NET-1
  [[192, 88, 99, 0], 24], // 6to4 relay anycast (deprecated)
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // TEST-NET-2
  [[203, 0, 113, 0], 24], // TEST-NET-3
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, incl. broadcast 255.255.255.255
];

// IPv6 is allow-listed: only global unicast 2000::/3 (RFC 4291 §2.4) can be public, which already
// excludes ::, ::1, fc00::/7, fe80::/10, fec0::/10, ff00::/8, 100::/64 and IPv4-compatible ::/96.
// Inside it, these special-purpose blocks (RFC 6890 §2.2.3, IANA registry) are refused too:
const IPV6_SPECIAL: readonly Prefix[] = [
  [[0x20, 0x01, 0x00], 23], // IETF protocol assignments, incl. Teredo 2001::/32 (embeds an IPv4 address)
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x20, 0x02], 16], // 6to4 (embeds an IPv4 address)
  [[0x3f, 0xff, 0x00], 20], // documentation (RFC 9637)
];
// IPv6 forms that carry an IPv4 address in their last 32 bits: judged by that IPv4 address.
const IPV4_MAPPED: Prefix = [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96]; // ::ffff:0:0/96 (RFC 4291 §2.5.5.2)
const NAT64: Prefix = [[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96]; // 64:ff9b::/96 (RFC 6052)

function inPrefix(address: readonly number[], [prefix, bits]: Prefix): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((address[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4Bytes(address: string): number[] {
  return address.split(".").map(Number);
}

/** 16 bytes of an IPv6 address already checked by isIPv6 (no zone id). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function isPublicIPv4Bytes(bytes: readonly number[]): boolean {
  return !IPV4_SPECIAL.some((prefix) => inPrefix(bytes, prefix));
}

/**
 * The strict default: true only for a public unicast address. Refuses private, loopback,
 * link-local, unique-local, multicast, unspecified, CGNAT, documentation and reserved ranges,
 * IPv4-mapped / NAT64 / 6to4 / Teredo forms of them, zone ids, and anything that is not an IP.
 */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return isPublicIPv4Bytes(ipv4Bytes(address));
  if (!isIPv6(address) || address.includes("%")) return false;
  const bytes = ipv6Bytes(address);
  if (inPrefix(bytes, IPV4_MAPPED) || inPrefix(bytes, NAT64)) return isPublicIPv4Bytes(bytes.slice(12));
  if (!inPrefix(bytes, [[0x20], 3])) return false;
  return !IPV6_SPECIAL.some((prefix) => inPrefix(bytes, prefix));
}
