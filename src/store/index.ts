// The persistence layer: one SQLite file under the state directory. Framework-free; knows
// records and atomic operations, not OAuth rules (those live in src/oauth, which imports this).
export { type Store, type StoreOptions, openStore, SCHEMA_VERSION } from "./store.ts";
export { StoreVersionError } from "./migrations.ts";
export { STATE_FILE } from "./files.ts";
export type { PurgeCounts } from "./housekeeping.ts";
export type { ConsumedCode } from "./authorization-codes.ts";
export type { RefreshReplacement, RotateResult } from "./refresh-tokens.ts";
export type { ClientRepository } from "./clients.ts";
export type { GrantRepository } from "./grants.ts";
export type { AuthorizationCodeRepository } from "./authorization-codes.ts";
export type { AccessTokenRepository } from "./access-tokens.ts";
export type { RefreshTokenRepository } from "./refresh-tokens.ts";
export type { ConsentRepository } from "./consent.ts";
export type { SettingsRepository } from "./settings.ts";
export type { StaticTokenRepository } from "./static-tokens.ts";
export type * from "./types.ts";
