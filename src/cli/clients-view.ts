// Every client the appliance knows, as `client list` and `client remove` see them: those of the
// config file (mirrored into the state when the appliance starts) and those created at run time
// (`client add`, dynamic registration, client ID metadata documents). Never a secret or a hash.
import type { AppConfig } from "../config/types.ts";
import type { ClientKind, Store } from "../store/index.ts";

export interface ClientView {
  name: string;
  client_id: string;
  kind: ClientKind;
  source: "config" | "state";
  /** A config client the state still holds but the file no longer declares: it goes at the next start. */
  stale: boolean;
  /** No secret: PKCE alone (token_endpoint_auth_method "none"). */
  public: boolean;
  auto_approve: boolean;
  redirect_uris: string[];
  created_at?: number;
  last_used_at?: number;
}

export function allClients(config: AppConfig, store: Store): ClientView[] {
  const records = store.clients.list();
  const inState = new Map(records.map((record) => [record.client_id, record]));
  const declared = new Set(config.oauth.clients.map((client) => client.clientId));

  const fromFile = config.oauth.clients.map((client): ClientView => {
    // Times exist once the appliance has started with this client in the file.
    const mirrored = inState.get(client.clientId);
    const times = mirrored?.source === "config" ? mirrored : undefined;
    return {
      name: client.name,
      client_id: client.clientId,
      kind: "preregistered",
      source: "config",
      stale: false,
      public: client.clientSecretSha256 === undefined,
      auto_approve: client.autoApprove,
      redirect_uris: client.redirectUris,
      ...(times && { created_at: times.created_at }),
      ...(times?.last_used_at !== undefined && { last_used_at: times.last_used_at }),
    };
  });
  const fromState = records
    .filter((record) => !declared.has(record.client_id))
    .map(
      (record): ClientView => ({
        name: record.name,
        client_id: record.client_id,
        kind: record.kind,
        source: record.source,
        stale: record.source === "config",
        public: record.token_endpoint_auth_method === "none",
        auto_approve: record.auto_approve,
        redirect_uris: record.redirect_uris,
        created_at: record.created_at,
        ...(record.last_used_at !== undefined && { last_used_at: record.last_used_at }),
      }),
    );
  return [...fromFile, ...fromState];
}
