// The persistence layer: one SQLite file under the state directory. Framework-free; knows
// records and atomic operations, not OAuth rules (those live in src/oauth, which imports this).

export { StoreVersionError } from "./migrations.ts";
export { openStore, type Store } from "./store.ts";
export type * from "./types.ts";
export type { UseOutcome } from "./used-assertions.ts";
