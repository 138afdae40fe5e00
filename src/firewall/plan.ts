// What the firewall has to say about a configuration, before any nftables syntax: which TCP
// ports must never be reached from another machine, and whether the public port is limited to
// some source ranges. render.ts turns this into the nftables snippet.
import { ipv4RangeText } from "../common/ip-address.ts";
import { formatListen, isLoopbackHost } from "../config/net.ts";
import type { AppConfig } from "../config/types.ts";
import { upstreamAddress } from "../config/upstream.ts";

/** A port that only this host may reach: traffic to it from any interface but lo is dropped. */
interface InternalPort {
  port: number;
  /** Why it is internal, one line each, for the comment above its rule. */
  reasons: string[];
}

/** The listen port, open only to the configured sources (and to this host itself). */
export interface LimitedPort {
  port: number;
  ipv4: string[];
  ipv6: string[];
}

export interface FirewallPlan {
  /** The configuration values the plan derives from, as the snippet's header repeats them. */
  listen: string;
  publicSources: string[];
  internalPorts: InternalPort[];
  limitedPort?: LimitedPort;
  /** Remarks on what was left out, and why. */
  notes: string[];
}

export type FirewallInput = Pick<AppConfig, "listen" | "firewall" | "httpServers">;

export function planFirewall(config: FirewallInput): FirewallPlan {
  const listen = formatListen(config.listen);
  const publicSources = config.firewall.publicSources;
  const plan: FirewallPlan = { listen, publicSources, internalPorts: [], notes: [] };
  const { host, port } = config.listen;
  const internal = new Map<number, string[]>();
  const addInternal = (port: number, reason: string) => internal.set(port, [...(internal.get(port) ?? []), reason]);
  let publicPort: number | undefined;

  if (port === 0) {
    plan.notes.push(`listen ${listen}: the port is chosen at start-up, so there is no port to filter.`);
  } else if (isLoopbackHost(host)) {
    // Bound to loopback, the listener cannot be reached from outside anyway; the rule makes
    // that hold even if the address is changed by mistake, and says so to anyone reading nft.
    addInternal(port, `listen ${listen} is a loopback address`);
    if (publicSources.length > 0) plan.notes.push("firewall.public_sources is not used: listen is a loopback address.");
  } else {
    publicPort = port;
    if (publicSources.length > 0) {
      const ipv4 = publicSources.map(ipv4RangeText);
      plan.limitedPort = {
        port,
        ipv4: ipv4.filter((source) => source !== undefined),
        ipv6: publicSources.filter((_, index) => ipv4[index] === undefined),
      };
    } else {
      plan.notes.push(`listen ${listen} is open to every source: firewall.public_sources is empty.`);
    }
  }

  // The upstreams the appliance proxies to on this machine: the reason it exists is that
  // clients reach them only through the front door, with a token.
  for (const server of config.httpServers) {
    const upstream = upstreamAddress(server.url);
    if (!isLoopbackHost(upstream.host)) {
      plan.notes.push(`servers.${server.name} (${server.url}) is on another host: firewall its port there.`);
    } else if (upstream.port === publicPort) {
      plan.notes.push(`servers.${server.name} (${server.url}) shares port ${upstream.port} with listen: not filtered here.`);
    } else {
      addInternal(upstream.port, `servers.${server.name} (${server.url}) is an upstream on a loopback address`);
    }
  }

  plan.internalPorts = [...internal].sort(([a], [b]) => a - b).map(([port, reasons]) => ({ port, reasons }));
  return plan;
}
