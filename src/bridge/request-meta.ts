// The `_meta` names of MCP 2026-07-28 (basic/index §_meta: per-request metadata, and the
// server's identity and subscription id on what it sends), and the metadata the appliance
// sends in its own name: to learn a child's era, to listen for a child's changes.
import { MODERN_PROTOCOL_VERSIONS } from "./protocol-version.ts";

export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  /** schema.ts `ResultMetaObject`: servers SHOULD name themselves in every result's `_meta`. */
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** Who the appliance says it is to a child it asks on its own behalf. */
export const APPLIANCE_CLIENT_INFO = { name: "mcp-appliance", version: "1" };

/** A request's `_meta` at the newest revision, with these client capabilities (none by default). */
export function modernMeta(clientCapabilities: Record<string, unknown> = {}, clientInfo?: Record<string, unknown>) {
  return {
    [META.protocolVersion]: MODERN_PROTOCOL_VERSIONS[0],
    [META.clientCapabilities]: clientCapabilities,
    ...(clientInfo !== undefined && { [META.clientInfo]: clientInfo }),
  };
}
