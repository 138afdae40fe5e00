// A resolver for tests: fixed answers, counted calls, and never the real DNS.
import { isIP } from "node:net";
import type { LookupAll, ResolvedAddress } from "../../../src/oauth/client-metadata-document/resolve-host.ts";

export interface FakeLookup extends LookupAll {
  calls: string[];
}

/** { "cimd.test": ["127.0.0.1"] }; an unknown name fails like ENOTFOUND. */
export function fakeLookup(table: Record<string, string[]>): FakeLookup {
  const calls: string[] = [];
  const lookup = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };
  return Object.assign(lookup, { calls });
}

/** The only relaxation tests make to the strict default: the test server's own address. */
export const allowTestServer = (address: string) => address === "127.0.0.1";

/** A valid document for `clientId`. */
export function documentFor(clientId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: clientId,
    client_name: "Test Client",
    redirect_uris: ["http://127.0.0.1:9/callback"],
    token_endpoint_auth_method: "none",
    ...extra,
  };
}
