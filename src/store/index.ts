// The persistence layer: one SQLite file under the state directory. Framework-free; knows
// records and atomic operations, not OAuth rules (those live in src/oauth, which imports this).

export type { AccessTokenRepository } from "./access-tokens.ts";
export type { AuthorizationCodeRepository, ConsumedCode } from "./authorization-codes.ts";
export type { ClientRepository } from "./clients.ts";
export type { ConsentRepository } from "./consent.ts";
export { STATE_FILE } from "./files.ts";
export type { GrantRepository } from "./grants.ts";
export type { PurgeCounts } from "./housekeeping.ts";
export { StoreVersionError } from "./migrations.ts";
export type { RefreshReplacement, RefreshTokenRepository, RotateResult } from "./refresh-tokens.ts";
export type { SettingsRepository } from "./settings.ts";
export type { StaticTokenRepository } from "./static-tokens.ts";
export { openStore, SCHEMA_VERSION, type Store, type StoreOptions } from "./store.ts";
export type * from "./types.ts";
