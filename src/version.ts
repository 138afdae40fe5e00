// The version, baked in at build time (`bun build --define`); from the source tree, package.json's.
import pkg from "../package.json" with { type: "json" };

declare const MCP_APPLIANCE_VERSION: string | undefined;

export const VERSION: string = typeof MCP_APPLIANCE_VERSION === "string" ? MCP_APPLIANCE_VERSION : pkg.version;
