// Who a client_id is: a pre-registered client (config or `client add`), a dynamically
// registered one, or — when the id is an https URL — the client its metadata document
// describes (MCP 2025-11-25 authorization §Client ID Metadata Documents). Metadata-document
// clients are recorded in the store so that grants and tokens can refer to them.
import type { OAuthConfig } from "../config/types.ts";
import type { ClientRecord, Store } from "../store/index.ts";
import { type ClientMetadataResolver, isMetadataDocumentClientId } from "./client-metadata-document/index.ts";
import { InvalidClient, type Outcome } from "./errors.ts";

interface ClientDirectoryOptions {
  store: Store;
  config: OAuthConfig;
  /** Absent when client_id_metadata_documents = false. */
  metadataDocuments?: ClientMetadataResolver;
  now(): number;
}

export class ClientDirectory {
  constructor(private readonly options: ClientDirectoryOptions) {}

  /** Mirror the configuration's clients into the store (they win over state clients of the same id). */
  syncConfigClients(): void {
    this.options.store.clients.replaceConfigClients(
      this.options.config.clients.map((c) => ({
        client_id: c.clientId,
        kind: "preregistered" as const,
        name: c.name,
        ...(c.clientSecretSha256 ? { secret_hash: c.clientSecretSha256 } : {}),
        redirect_uris: c.redirectUris,
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: c.clientSecretSha256 ? "client_secret_basic" : "none",
        ...(c.scope ? { scope: c.scope } : {}),
        auto_approve: c.autoApprove,
      })),
    );
  }

  /** The client, fetching its metadata document when the id is an https URL. */
  async find(clientId: string): Promise<Outcome<ClientRecord>> {
    if (clientId.length === 0 || clientId.length > 2048) return unknown("client_id is missing or too long");
    const id: string = clientId;
    if (isMetadataDocumentClientId(id)) return this.fromMetadataDocument(id);
    const record = this.options.store.clients.get(clientId);
    if (!record || record.kind === "metadata_document") return unknown(`no client ${JSON.stringify(clientId.slice(0, 80))}`);
    if (record.expires_at !== undefined && record.expires_at <= this.options.now()) return unknown("the client registration expired");
    return { ok: true, value: record };
  }

  private async fromMetadataDocument(clientId: string): Promise<Outcome<ClientRecord>> {
    const resolver = this.options.metadataDocuments;
    if (!resolver) {
      return { ok: false, error: new InvalidClient("client ID metadata documents are not accepted by this server") };
    }
    const resolved = await resolver.resolve(clientId);
    if (!resolved.ok) {
      return {
        ok: false,
        error: new InvalidClient(`the client's metadata document could not be used: ${resolved.error.description}`, {
          reason: resolved.error.reason,
        }),
      };
    }
    const doc = resolved.value;
    // RFC 7523 client assertions are not implemented: such a client could never authenticate.
    if (doc.token_endpoint_auth_method !== "none") {
      return {
        ok: false,
        error: new InvalidClient("only public metadata-document clients (token_endpoint_auth_method none) are supported"),
      };
    }
    const known = this.options.store.clients.get(clientId);
    const name = doc.client_name ?? new URL(clientId).host;
    // Written when first seen or when the document changed; a cache hit writes nothing.
    if (known && known.name === name && JSON.stringify(known.redirect_uris) === JSON.stringify(doc.redirect_uris)) {
      return { ok: true, value: known };
    }
    const record: ClientRecord = {
      client_id: clientId,
      kind: "metadata_document",
      name,
      redirect_uris: doc.redirect_uris,
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
      auto_approve: false,
      source: "state",
      created_at: known?.created_at ?? this.options.now(),
    };
    this.options.store.clients.upsert(record);
    return { ok: true, value: record };
  }
}

function unknown(reason: string): Outcome<ClientRecord> {
  // SDK clients treat invalid_client as "register again" (CLIENTS.md).
  return { ok: false, error: new InvalidClient("unknown client", { reason }) };
}
