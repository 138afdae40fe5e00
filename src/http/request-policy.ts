// Which requests may reach the appliance at all: the Host check against DNS rebinding and the
// Origin check of the MCP transport (MCP 2025-11-25 transports §Security Warning: "Servers MUST
// validate the Origin header … If the Origin header is present and invalid, servers MUST respond
// with HTTP 403"). Pure functions of the configuration; no web framework.

interface PolicyOptions {
  publicUrl?: string;
  extraHosts: readonly string[];
  allowedOrigins: readonly string[];
  listenHost: string;
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", ""]);

/** Hostname of a Host header or URL authority, lowercased, without port or IPv6 brackets. */
function hostnameOf(authority: string): string {
  const value = authority.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(":");
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon !== -1 && value.indexOf(":", colon + 1) === -1) return value.slice(0, colon);
  return value;
}

/** RFC 9110 §7.2 / RFC 3986 §3.2.3: a port, if present, is digits; here also 1–65535. */
function validPort(authority: string): boolean {
  const value = authority.trim();
  const close = value.lastIndexOf("]");
  const colon = value.lastIndexOf(":");
  // No port, or (unbracketed IPv6) colons that are part of the address.
  if (colon === -1 || colon < close || (close === -1 && value.indexOf(":") !== colon)) return true;
  const port = value.slice(colon + 1);
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}

function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export class RequestPolicy {
  private readonly hosts = new Set<string>();
  private readonly origins = new Set<string>();
  private lastHost: string | null | undefined;
  private lastHostAllowed = false;

  constructor(options: PolicyOptions) {
    if (options.publicUrl) {
      const url = new URL(options.publicUrl);
      this.hosts.add(hostnameOf(url.host));
      this.origins.add(url.origin);
    }
    for (const host of options.extraHosts) this.hosts.add(hostnameOf(host));
    for (const origin of options.allowedOrigins) this.origins.add(origin.toLowerCase().replace(/\/$/, ""));
    const listen = options.listenHost.toLowerCase();
    if (!WILDCARD_HOSTS.has(listen)) this.hosts.add(hostnameOf(listen.includes(":") ? `[${listen}]` : listen));
  }

  /**
   * DNS rebinding protection: a rebound name arrives with the attacker's Host. Loopback names
   * are always accepted (a rebinding page cannot make the browser send them) so that local
   * health checks keep working.
   */
  hostAllowed(hostHeader: string | null): boolean {
    // Every request asks, nearly always with the same Host: the last answer is kept.
    if (hostHeader === this.lastHost) return this.lastHostAllowed;
    const allowed = this.checkHost(hostHeader);
    this.lastHost = hostHeader;
    this.lastHostAllowed = allowed;
    return allowed;
  }

  private checkHost(hostHeader: string | null): boolean {
    if (!hostHeader || !validPort(hostHeader)) return false;
    const hostname = hostnameOf(hostHeader);
    return this.hosts.has(hostname) || isLoopbackHostname(hostname);
  }

  /** An absent Origin is a non-browser client and allowed; a present one must be known. */
  originAllowed(origin: string | null): boolean {
    if (origin === null) return true;
    const value = origin.toLowerCase();
    if (this.origins.has(value)) return true;
    try {
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHostname(hostnameOf(url.host));
    } catch {
      return false;
    }
  }
}
