// Who a client_id is: a pre-registered client (config or `client add`), a dynamically
// registered one, or — when the id is an https URL — the client its metadata document
// describes (MCP 2025-11-25 authorization §Client ID Metadata Documents). Metadata-document
// clients are recorded in the store so that grants and tokens can refer to them; like dynamic
// registrations, those rows are bounded (registration_limit) and expire while never used.
import { limitKeyOf } from "../common/ip-address.ts";
import type { OAuthConfig } from "../config/types.ts";
import type { ClientRecord, Store } from "../store/index.ts";
import { ClientAssertionVerifier } from "./client-assertion.ts";
import { type ClientMetadataResolver, isMetadataDocumentClientId, type PublicJwkSet } from "./client-metadata-document/index.ts";
import { InvalidClient, type Outcome, TemporarilyUnavailable } from "./errors.ts";
import { oauthEndpoints } from "./metadata.ts";
import { clientMayHave, clientScopeLimit, OFFLINE_ACCESS } from "./scopes.ts";

interface ClientDirectoryOptions {
  store: Store;
  config: OAuthConfig;
  /** The issuer identifier: client assertions name it or its token endpoint as audience. */
  issuer: string;
  /** Absent when client_id_metadata_documents = false. */
  metadataDocuments?: ClientMetadataResolver;
  now(): number;
}

/** How a metadata-document client authenticates, kept in its row's metadata_json. */
interface MetadataDocumentAuth {
  /** Usable methods, preferred first ("private_key_jwt", "none"). */
  methods: string[];
  jwks?: PublicJwkSet;
  jwks_uri?: string;
  signing_alg?: string;
}

// A fetch takes at most the fetcher's deadline (5 s): by then a slot is free again.
const BUSY_RETRY_AFTER_MS = 5_000;
// The document's host did not answer: a client recorded before is still the same client.
const UNREACHABLE = new Set(["busy", "timeout", "connect_failed", "dns_failed"]);

/** The authentication settings of a metadata-document client, or undefined for other kinds. */
export function metadataDocumentAuth(client: ClientRecord): MetadataDocumentAuth | undefined {
  if (client.kind !== "metadata_document" || client.metadata_json === undefined) return undefined;
  try {
    const parsed = JSON.parse(client.metadata_json) as MetadataDocumentAuth;
    return Array.isArray(parsed.methods) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export class ClientDirectory {
  /** RFC 7523 client assertions of metadata-document clients that ask for private_key_jwt. */
  readonly assertions: ClientAssertionVerifier;

  constructor(private readonly options: ClientDirectoryOptions) {
    const { usedAssertions } = options.store;
    this.assertions = new ClientAssertionVerifier(
      [oauthEndpoints(options.issuer).token, options.issuer],
      options.now,
      (key, until, now, most) => usedAssertions.useOnce(key, until, now, most),
    );
  }

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
    // RFC 6749 §3.3: a client's scope narrowed in the configuration ends the grants it no longer
    // allows at once, with their access tokens (a refresh of them is refused anyway).
    const { store } = this.options;
    for (const c of this.options.config.clients) {
      const limit = clientScopeLimit({ kind: "preregistered", scope: c.scope });
      if (limit === undefined) continue;
      for (const grant of store.grants.activeOf(c.clientId)) {
        const scopes = grant.scope.split(" ").filter((scope) => scope !== "" && scope !== OFFLINE_ACCESS);
        if (!clientMayHave(limit, scopes)) store.grants.revokeGrant(grant.grant_id);
      }
    }
  }

  /**
   * The client, fetching its metadata document when the id is an https URL. `requester` is the
   * client address of the request: a document fetch it causes counts against its share.
   */
  async find(clientId: string, requester?: string): Promise<Outcome<ClientRecord>> {
    if (clientId.length === 0 || clientId.length > 2048) return unknown("client_id is missing or too long");
    const id: string = clientId;
    if (isMetadataDocumentClientId(id)) return this.fromMetadataDocument(id, requester);
    const record = this.options.store.clients.get(clientId);
    if (!record || record.kind === "metadata_document") return unknown(`no client ${JSON.stringify(clientId.slice(0, 80))}`);
    if (record.expires_at !== undefined && record.expires_at <= this.options.now()) return unknown("the client registration expired");
    return { ok: true, value: record };
  }

  /**
   * The public keys a private_key_jwt client's assertions are checked against (RFC 7591 §2);
   * `refresh`: the cached jwks_uri set lacked the assertion's key (the client may have rotated it).
   */
  async signingKeys(auth: MetadataDocumentAuth, requester?: string, refresh = false): Promise<Outcome<PublicJwkSet>> {
    if (auth.jwks) return { ok: true, value: auth.jwks };
    const resolver = this.options.metadataDocuments;
    if (!auth.jwks_uri || !resolver) return { ok: false, error: new InvalidClient("the client has no keys to verify its assertion") };
    const fetched = await resolver.keySet(auth.jwks_uri, requester === undefined ? undefined : limitKeyOf(requester), refresh);
    if (fetched.ok) return fetched;
    if (fetched.error.kind === "busy") return busy(fetched.error.description, fetched.error.reason);
    return {
      ok: false,
      error: new InvalidClient(`the client's key set could not be used: ${fetched.error.description}`, { reason: fetched.error.reason }),
    };
  }

  private async fromMetadataDocument(clientId: string, requester: string | undefined): Promise<Outcome<ClientRecord>> {
    const resolver = this.options.metadataDocuments;
    if (!resolver) {
      return { ok: false, error: new InvalidClient("client ID metadata documents are not accepted by this server") };
    }
    const { store, config, now } = this.options;
    const resolved = await resolver.resolve(clientId, requester === undefined ? undefined : limitKeyOf(requester));
    const known = store.clients.get(clientId);
    const recorded = known?.kind === "metadata_document" ? known : undefined;
    if (!resolved.ok) {
      const { kind, description, reason } = resolved.error;
      // Never "invalid_client" (which tells a client to register again, and ends an approved
      // client's refresh) because the fetcher was busy or the host did not answer: a client
      // recorded from a valid document before is served from that record.
      if (UNREACHABLE.has(kind) && recorded) return { ok: true, value: recorded };
      if (kind === "busy") return busy(description, reason);
      return { ok: false, error: new InvalidClient(`the client's metadata document could not be used: ${description}`, { reason }) };
    }
    const doc = resolved.value;
    const auth: MetadataDocumentAuth = {
      methods: doc.token_endpoint_auth_methods,
      ...(doc.jwks ? { jwks: doc.jwks } : {}),
      ...(doc.jwks_uri ? { jwks_uri: doc.jwks_uri } : {}),
      ...(doc.token_endpoint_auth_signing_alg ? { signing_alg: doc.token_endpoint_auth_signing_alg } : {}),
    };
    const record: ClientRecord = {
      client_id: clientId,
      kind: "metadata_document",
      name: doc.client_name ?? new URL(clientId).host,
      redirect_uris: doc.redirect_uris,
      grant_types: doc.grant_types,
      token_endpoint_auth_method: doc.token_endpoint_auth_method,
      metadata_json: JSON.stringify(auth),
      auto_approve: false,
      source: "state",
      created_at: recorded?.created_at ?? now(),
    };
    // Written when first seen or when the document changed; a cache hit writes nothing.
    if (recorded && sameClient(recorded, record)) return { ok: true, value: recorded };
    // Anyone can name a new URL: rows are bounded like registrations (at the cap, those that
    // never obtained a token give way; the housekeeping drops them after unused_registration_ttl).
    const cutoff = now() - config.unusedRegistrationTtlMs;
    if (!recorded && !store.clients.makeRoomForOne("metadata_document", config.registrationLimit, cutoff)) {
      return { ok: false, error: new TemporarilyUnavailable("this server holds as many metadata-document clients as it allows") };
    }
    store.clients.upsert(record);
    return { ok: true, value: record };
  }
}

function sameClient(a: ClientRecord, b: ClientRecord): boolean {
  return (
    a.name === b.name &&
    a.token_endpoint_auth_method === b.token_endpoint_auth_method &&
    a.metadata_json === b.metadata_json &&
    JSON.stringify(a.redirect_uris) === JSON.stringify(b.redirect_uris)
  );
}

function busy(description: string, reason: string): Outcome<never> {
  // RFC 6749 §4.1.2.1 / §5.2: temporarily_unavailable; 503 with Retry-After (RFC 9110 §10.2.3).
  return { ok: false, error: new TemporarilyUnavailable(description, { reason, retryAfterMs: BUSY_RETRY_AFTER_MS, serverBusy: true }) };
}

function unknown(reason: string): Outcome<ClientRecord> {
  // SDK clients treat invalid_client as "register again" (CLIENTS.md).
  return { ok: false, error: new InvalidClient("unknown client", { reason }) };
}
