// IP addresses as numbers, for the two questions the appliance asks of a client address: is it
// inside a trust_proxy range (IPv4 and IPv6 prefixes alike), and which key do per-address limits
// count it under. An IPv4-mapped IPv6 address (::ffff:192.0.2.1, RFC 4291 §2.5.5.2) is the IPv4
// address for both: a dual-stack socket reports IPv4 peers that way.

import { isIPv4, isIPv6 } from "node:net";

interface IpAddress {
  family: 4 | 6;
  /** The address as an unsigned 32-bit (IPv4) or 128-bit (IPv6) number. */
  value: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;
const MAPPED_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

// RFC 4291 §2.2: eight groups of hex digits, one run of zero groups written "::", and the last
// 32 bits optionally in dotted IPv4 form.
function ipv6Value(text: string): bigint {
  const [head = "", tail] = text.split("::");
  const groupsOf = (part: string): number[] =>
    part === ""
      ? []
      : part.split(":").flatMap((group) => {
          if (!group.includes(".")) return [Number.parseInt(group, 16)];
          const v4 = Number(ipv4Value(group));
          return [v4 >>> 16, v4 & 0xffff];
        });
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** The address, or undefined for anything that is not a plain IP address (a zone "%eth0" included). */
function parseIpAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4Value(text) };
  if (!isIPv6(text) || text.includes("%")) return undefined;
  const value = ipv6Value(text);
  if (value >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

interface IpRange {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

/**
 * "10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.0/104" (the IPv4 range 10.0.0.0/8), or a single
 * address (its full length). Undefined for anything else, so that config refuses what could never
 * match. Bits past the prefix are ignored, as in most CIDR notations seen in the wild.
 */
export function parseIpRange(text: string): IpRange | undefined {
  const [addressText = "", prefixText, ...rest] = text.split("/");
  if (rest.length > 0) return undefined;
  const address = parseIpAddress(addressText);
  if (address === undefined) return undefined;
  const written = isIPv4(addressText) ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? written : Number(prefixText);
  if (prefix > written) return undefined;
  if (address.family === 4 && written === 128) {
    // An IPv4-mapped entry shorter than /96 reaches beyond ::ffff:0:0/96: an IPv6 range after all.
    if (prefix < 96) return { family: 6, base: (MAPPED_PREFIX | address.value) >> BigInt(128 - prefix), prefix };
    return { family: 4, base: address.value >> BigInt(128 - prefix), prefix: prefix - 96 };
  }
  return { family: address.family, base: address.value >> BigInt(BITS[address.family] - prefix), prefix };
}

/** True when `address` lies in `range`; an IPv4 address is never in an IPv6 range, nor the reverse. */
function inIpRange(address: IpAddress, range: IpRange): boolean {
  return address.family === range.family && address.value >> BigInt(BITS[address.family] - range.prefix) === range.base;
}

// RFC 6177 §2 (and RFC 4291 §2.5.4): one site, one customer, gets at least a /64 and chooses the
// interface identifier freely, so the address itself costs an attacker nothing to change.
const IPV6_LIMIT_PREFIX = 64;

/**
 * The key every per-address limit counts `address` under: an IPv4 address itself, an IPv6
 * address's /64 ("2001:db8:1:2::/64"); anything unparseable as it is.
 */
export function limitKeyOf(address: string): string {
  const parsed = parseIpAddress(address);
  if (parsed === undefined) return address;
  if (parsed.family === 4) {
    const v = Number(parsed.value);
    return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join(".");
  }
  const network = parsed.value >> BigInt(128 - IPV6_LIMIT_PREFIX);
  const groups = [48n, 32n, 16n, 0n].map((shift) => ((network >> shift) & 0xffffn).toString(16));
  return `${groups.join(":")}::/${IPV6_LIMIT_PREFIX}`;
}

/** True when `address` lies in one of `ranges` (trust_proxy entries, checked by the config loader). */
export function inAnyIpRange(address: string, ranges: readonly string[]): boolean {
  const parsed = parseIpAddress(address);
  if (parsed === undefined) return false;
  return ranges.some((text) => {
    const range = parseIpRange(text);
    return range !== undefined && inIpRange(parsed, range);
  });
}

/**
 * The IPv4 range `text` names, in IPv4 notation ("::ffff:10.0.0.0/104" -> "10.0.0.0/8"), or
 * undefined when it names IPv6 addresses. A packet filter sees IPv4 traffic as IPv4 whatever the
 * socket reports, so an IPv4-mapped entry written in an IPv6 rule would never match.
 */
export function ipv4RangeText(text: string): string | undefined {
  const range = parseIpRange(text);
  if (range === undefined || range.family !== 4) return undefined;
  if (isIPv4(text.split("/")[0] ?? "")) return text;
  const v = Number(range.base << BigInt(32 - range.prefix));
  const address = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join(".");
  return range.prefix === 32 ? address : `${address}/${range.prefix}`;
}
