// The address a request comes from, for rate limits and login throttling. X-Forwarded-For is
// believed only from the configured trust_proxy addresses, and then only up to the first hop
// that is not itself trusted (walking from the right, as each proxy appends).
import { isIP } from "node:net";
import { inAnyIpRange } from "../common/ip-address.ts";

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is the IPv4 address for all purposes here. */
function plain(ip: string): string {
  return ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function clientAddress(remote: string | undefined, forwardedFor: string | null, trustProxy: readonly string[]): string {
  let address = plain(remote ?? "unknown");
  const trusted = (ip: string) => inAnyIpRange(ip, trustProxy);
  if (!forwardedFor || !trusted(address)) return address;
  const hops = forwardedFor
    .split(",")
    .map((h) => plain(h.trim()))
    .filter((h) => isIP(h) !== 0);
  while (hops.length > 0 && trusted(address)) address = hops.pop()!;
  return address;
}
