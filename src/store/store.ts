// Opening the state database: file and modes, connection settings, schema, repositories.
import { AccessTokenRepository } from "./access-tokens.ts";
import { AuthorizationCodeRepository } from "./authorization-codes.ts";
import { ClientRepository } from "./clients.ts";
import { openConnection } from "./connection.ts";
import { ConsentRepository } from "./consent.ts";
import { prepareStateFile } from "./files.ts";
import { GrantRepository } from "./grants.ts";
import { Housekeeping, type PurgeCounts } from "./housekeeping.ts";
import { migrate } from "./migrations.ts";
import { RefreshTokenRepository } from "./refresh-tokens.ts";
import { SettingsRepository } from "./settings.ts";
import { StaticTokenRepository } from "./static-tokens.ts";
import { UsedAssertionRepository } from "./used-assertions.ts";

interface StoreOptions {
  /** The clock for created_at and for methods called without `now` (tests pass a fake one). */
  now?: () => number;
}

export interface Store {
  /** Absolute path of the database file. */
  readonly path: string;
  readonly clients: ClientRepository;
  readonly grants: GrantRepository;
  readonly codes: AuthorizationCodeRepository;
  readonly accessTokens: AccessTokenRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly consent: ConsentRepository;
  readonly settings: SettingsRepository;
  readonly staticTokens: StaticTokenRepository;
  readonly usedAssertions: UsedAssertionRepository;
  /**
   * Run `fn` as one IMMEDIATE transaction (a savepoint when already inside one): all its
   * writes land, or none. `fn` must be synchronous: work after an `await` runs outside it.
   * Use it to create a grant with its code, and to consume a code with the tokens it yields.
   */
  transaction<T>(fn: () => T): T;
  purgeExpired(now?: number): PurgeCounts;
  /**
   * Changes whenever another connection (another process: `mcp-appliance client remove`,
   * `token remove`) has committed to the database since the last call; never for this one's
   * own writes. SQLite's PRAGMA data_version.
   */
  dataVersion(): number;
  close(): void;
}

/**
 * Open (creating if needed) `<stateDir>/state.db` and bring its schema up to date.
 * Throws StoreVersionError for a database written by a newer build.
 */
export function openStore(stateDir: string, options: StoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const path = prepareStateFile(stateDir);
  const db = openConnection(path);
  try {
    migrate(db, path, now());
  } catch (error) {
    db.close();
    throw error;
  }
  const grants = new GrantRepository(db, now);
  const dataVersionStmt = db.prepare("PRAGMA data_version");
  const housekeeping = new Housekeeping(db);
  return {
    path,
    clients: new ClientRepository(db, now),
    grants,
    codes: new AuthorizationCodeRepository(db, now),
    accessTokens: new AccessTokenRepository(db, now),
    refreshTokens: new RefreshTokenRepository(db, grants, now),
    consent: new ConsentRepository(db, now),
    settings: new SettingsRepository(db, now),
    staticTokens: new StaticTokenRepository(db, now),
    usedAssertions: new UsedAssertionRepository(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    purgeExpired: (at: number = now()) => housekeeping.purgeExpired(at),
    dataVersion: () => (dataVersionStmt.get() as { data_version: number }).data_version,
    close: () => db.close(),
  };
}
