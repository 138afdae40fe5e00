// Protocol revisions the bridge can carry (MCP lifecycle §Version negotiation).

export const SUPPORTED_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] as const;

/**
 * MCP 2026-07-28 versioning: the revisions a request may name in its own `_meta`, without
 * initialize. server/discover and UnsupportedProtocolVersionError list these only: the 2025
 * revisions are negotiated by initialize, so naming them there would invite a loop.
 */
export const MODERN_PROTOCOL_VERSIONS = ["2026-07-28"] as const;

/** MCP 2025-11-25 transports §Protocol Version Header: without the header, assume 2025-03-26. */
export const DEFAULT_PROTOCOL_VERSION = "2025-03-26";

export function isSupportedProtocolVersion(version: string): boolean {
  return (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(version);
}

/** JSON-RPC batches were allowed in 2025-03-26 only (removed in 2025-06-18). */
export function allowsBatches(version: string): boolean {
  return version === "2025-03-26";
}

/** Clients of 2025-11-25 and later understand the empty priming event; older ones may choke on it. */
export function understandsPrimingEvents(version: string): boolean {
  return version >= "2025-11-25";
}
