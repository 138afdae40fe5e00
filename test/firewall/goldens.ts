// The golden cases of `mcp-appliance nft`: golden/NAME.toml in, golden/NAME.nft out.
import { readdirSync } from "node:fs";
import { join } from "node:path";

export const GOLDEN = join(import.meta.dir, "golden");

export const cases = readdirSync(GOLDEN)
  .filter((entry) => entry.endsWith(".toml"))
  .map((entry) => entry.slice(0, -".toml".length))
  .sort();
