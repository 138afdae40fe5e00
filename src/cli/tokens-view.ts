// Every static API token, as `token list` and `token remove` see them: those of the config file
// (mirrored into the state when the appliance starts) and those made with `token add`. Names
// and servers only: never a token or its hash.
import type { AppConfig } from "../config/types.ts";
import type { Store } from "../store/index.ts";

interface TokenView {
  name: string;
  servers: string[];
  source: "config" | "state";
  /** A config token the state still holds but the file no longer declares: it goes at the next start. */
  stale: boolean;
  created_at?: number;
}

export function allTokens(config: AppConfig, store: Store): TokenView[] {
  const records = store.staticTokens.list();
  const inState = new Map(records.map((record) => [record.name, record]));
  const declared = new Set(config.oauth.staticTokens.map((token) => token.name));
  const fromFile = config.oauth.staticTokens.map((token): TokenView => {
    const mirrored = inState.get(token.name);
    return {
      name: token.name,
      servers: token.servers,
      source: "config",
      stale: false,
      ...(mirrored?.source === "config" && { created_at: mirrored.created_at }),
    };
  });
  const fromState = records
    .filter((record) => !declared.has(record.name))
    .map(
      (record): TokenView => ({
        name: record.name,
        servers: record.servers,
        source: record.source,
        stale: record.source === "config",
        created_at: record.created_at,
      }),
    );
  return [...fromFile, ...fromState];
}
