// The URLs an operator copies into a client's settings after `client add` or `token add`.
// The same derivation as the authorization server's: everything from public_url (the issuer).
import { listenOrigin } from "../config/rules.ts";
import type { AppConfig } from "../config/types.ts";

interface Endpoints {
  /** public_url; else the listen address (what the appliance itself falls back to on loopback). */
  issuer: string;
  /** Said next to the URLs when public_url is not set. */
  note?: string;
  mcp: { server: string; url: string }[];
}

export function endpointsOf(config: AppConfig): Endpoints {
  let issuer = config.publicUrl;
  let note: string | undefined;
  if (issuer === undefined) {
    issuer = config.listen.port === 0 ? "<public_url>" : listenOrigin(config.listen);
    note = `public_url is not set in ${config.file}: set it to the https URL clients reach`;
  }
  return {
    issuer,
    ...(note && { note }),
    mcp: [...config.servers, ...config.httpServers].map((s) => ({ server: s.name, url: `${issuer}${s.path}` })),
  };
}

/** Aligned "label: value" lines, two spaces in. */
export function labelled(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)}  ${value}\n`).join("");
}
