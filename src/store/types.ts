// The records the store keeps. Field names are the column names (snake_case), so a record reads
// the same in SQL, in tests and in the OAuth code. Times are integer milliseconds since the epoch.
// Tokens, codes and secrets never appear here: only their SHA-256 (hex) digests do.

export type ClientKind = "preregistered" | "dynamic" | "metadata_document";
/** "config": declared in the config file, synced at start; "state": created at run time (CLI, RFC 7591, CIMD). */
type RecordSource = "config" | "state";

export interface ClientRecord {
  client_id: string;
  kind: ClientKind;
  name: string;
  secret_hash?: string;
  redirect_uris: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  scope?: string;
  /** The registration metadata as the client gave it, replayed in registration responses. */
  metadata_json?: string;
  auto_approve: boolean;
  source: RecordSource;
  created_at: number;
  last_used_at?: number;
  expires_at?: number;
}

/** One approval by the owner: every code and token of one authorization hangs from it. */
export interface GrantRecord {
  grant_id: string;
  client_id: string;
  resource: string;
  scope: string;
  created_at: number;
  revoked_at?: number;
}

export interface AuthorizationCodeRecord {
  code_hash: string;
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  code_challenge_method: string;
  resource: string;
  scope: string;
  created_at: number;
  expires_at: number;
  used_at?: number;
}

export interface AccessTokenRecord {
  token_hash: string;
  grant_id: string;
  client_id: string;
  resource: string;
  scope: string;
  created_at: number;
  expires_at: number;
  revoked_at?: number;
}

export interface RefreshTokenRecord {
  token_hash: string;
  grant_id: string;
  family_id: string;
  client_id: string;
  resource: string;
  scope: string;
  created_at: number;
  expires_at: number;
  rotated_at?: number;
  replaced_by?: string;
  revoked_at?: number;
}

export interface ConsentRecord {
  client_id: string;
  resource: string;
  scope: string;
  created_at: number;
  updated_at: number;
}

export interface StaticTokenRecord {
  name: string;
  token_hash: string;
  /** Names of the configured servers this token opens. */
  servers: string[];
  source: RecordSource;
  created_at: number;
}

/** Inserts leave created_at to the store's clock unless given. */
export type Insert<R extends { created_at: number }> = Omit<R, "created_at"> & { created_at?: number };

/** What a row looks like before mapping: NULL for absent values. */
export type Row = Record<string, string | number | null>;

/** Drops NULL columns, so an optional record field is absent rather than null. */
export function withoutNulls(row: Row): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(row)) if (value !== null) out[key] = value;
  return out;
}
