// [limits]: the defaults code-built configurations use are those of a file without the table,
// and max_header_size stays below the header section Bun's own parser accepts.
import { describe, expect, test } from "bun:test";
import { defaultLimitsConfig } from "../../src/config/limits.ts";
import { parseConfig } from "../../src/config/load.ts";

const SERVER = '\n[servers.vault]\ncommand = "node"\n';

describe("[limits]", () => {
  test("defaultLimitsConfig() is what a file without [limits] gets", async () => {
    const config = await parseConfig(`auth = "none"\n${SERVER}`, "/etc/mcp.toml", {});
    expect(config.limits).toEqual(defaultLimitsConfig());
    expect(config.limits).toEqual({
      maxHeaderBytes: 15 * 1024,
      maxSessionsPerClient: 8,
      maxRequestsPerSession: 64,
      maxStreamsPerSession: 8,
      shutdownTimeoutMs: 5000,
    });
    expect(config.oauth.tokenRate).toEqual({ count: 60, windowMs: 60_000 });
  });

  test("max_header_size cannot reach Bun's 16 KiB header section (request line and line ends included)", async () => {
    await expect(parseConfig(`auth = "none"\n${SERVER}\n[limits]\nmax_header_size = "16KiB"\n`, "/etc/mcp.toml", {})).rejects.toThrow(
      "limits.max_header_size: expected a size between 1KiB and 15KiB, got 16KiB",
    );
  });
});
