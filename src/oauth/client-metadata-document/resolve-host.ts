// Resolve the document's host once and vet every address before any connection is made.
// The vetted address is then the one connected to (pinned), so a DNS answer that changes
// between the check and the connection (DNS rebinding) cannot redirect the request.

import { isIP } from "node:net";
import { fail, type Outcome } from "./failure.ts";

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a host name, like `dns.promises.lookup(host, { all: true })`. */
export type LookupAll = (hostname: string) => Promise<readonly ResolvedAddress[]>;

// The resolver module is loaded on first use, like the HTTPS client (see fetch-document.ts).
export const systemLookup: LookupAll = async (hostname) => {
  const { lookup } = await import("node:dns/promises");
  return lookup(hostname, { all: true, verbatim: true });
};

/** `url.hostname` without the brackets of an IPv6 literal. */
export function bareHost(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

export async function resolveVettedAddress(
  host: string,
  lookup: LookupAll,
  isAddressAllowed: (address: string) => boolean,
): Promise<Outcome<ResolvedAddress>> {
  let addresses: readonly ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      return fail("dns_failed", `lookup of ${host} failed: ${(error as { code?: string }).code ?? String(error)}`);
    }
  }
  if (addresses.length === 0) return fail("dns_failed", `lookup of ${host} returned no address`);
  // CIMD-02 §8.6: refuse when ANY address is special-use, not only the first: the connection
  // code must never get the chance to pick (or fall back to) an internal one.
  const refused = addresses.filter(({ address }) => !isAddressAllowed(address));
  if (refused.length > 0) {
    return fail("forbidden_address", `${host} resolves to refused address(es) ${refused.map((a) => a.address).join(", ")}`);
  }
  const first = addresses[0]!;
  return { ok: true, value: { address: first.address, family: first.family === 6 ? 6 : 4 } };
}
