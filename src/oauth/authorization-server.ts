// Assembles the authorization server from the configuration and the store: the endpoints, the
// bearer guard in front of the MCP servers, and the documents that let clients discover it.
import { randomBytes } from "node:crypto";
import type { AppConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import { AuthorizationEndpoint } from "./authorization-endpoint.ts";
import { type ActiveToken, BearerGuard, type ProtectedServer, type TokenSource } from "./bearer-guard.ts";
import { ClientDirectory } from "./client-directory.ts";
import { ClientMetadataResolver, type MetadataFetchOptions } from "./client-metadata-document/index.ts";
import { LIFETIMES, type OAuthContext } from "./context.ts";
import {
  type AuthorizationServerMetadata,
  authorizationServerMetadata,
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from "./metadata.ts";
import { Owner } from "./owner.ts";
import { checkRedirectUris } from "./redirect-uris.ts";
import { RegistrationEndpoint } from "./registration-endpoint.ts";
import { RevocationEndpoint } from "./revocation-endpoint.ts";
import { serverScope } from "./scopes.ts";
import { SignedValues } from "./signed-value.ts";
import { TokenCache } from "./token-cache.ts";
import { TokenEndpoint } from "./token-endpoint.ts";

interface AuthorizationServerOptions {
  config: AppConfig;
  /** The public origin (public_url, or the bound loopback address). */
  issuer: string;
  store: Store;
  log: Logger;
  now?: () => number;
  /** Relaxations for tests only (a test CA, a resolver for test host names). */
  metadataDocumentFetch?: MetadataFetchOptions;
}

const SIGNING_KEY_SETTING = "signing_key";

export class AuthorizationServer {
  readonly issuer: string;
  readonly servers: readonly ProtectedServer[];
  readonly guard: BearerGuard;
  readonly authorization: AuthorizationEndpoint;
  readonly token: TokenEndpoint;
  readonly revocation: RevocationEndpoint;
  readonly registration: RegistrationEndpoint | undefined;
  readonly owner: Owner;
  private readonly context: OAuthContext;
  private seenDataVersion: number | undefined;

  constructor(options: AuthorizationServerOptions) {
    const { config, store, log } = options;
    const now = options.now ?? Date.now;
    this.issuer = options.issuer;
    // An HTTP upstream server has no legacy SSE endpoint of its own: its one path stands in for both.
    const endpoints = [
      ...config.servers.map((s) => ({ name: s.name, path: s.path, legacyPath: s.ssePath })),
      ...config.httpServers.map((s) => ({ name: s.name, path: s.path, legacyPath: s.path })),
    ];
    this.servers = endpoints.map((server) => ({
      name: server.name,
      resource: `${this.issuer}${server.path}`,
      legacyResource: `${this.issuer}${server.legacyPath}`,
      scope: serverScope(server.name),
      metadataUrl: protectedResourceMetadataUrl(this.issuer, server.path),
      legacyMetadataUrl: protectedResourceMetadataUrl(this.issuer, server.legacyPath),
    }));
    // Generated on first start inside the state directory, never at install time.
    const signingKey = store.settings.getOrCreateSecret(SIGNING_KEY_SETTING, () => randomBytes(32).toString("base64url"));
    const tokenCache = new TokenCache();
    this.context = {
      issuer: this.issuer,
      servers: this.servers,
      config: config.oauth,
      store,
      signer: new SignedValues(signingKey),
      tokenCache,
      log: log.child({ component: "oauth" }),
      now,
    };

    const metadataDocuments = config.oauth.clientIdMetadataDocuments
      ? new ClientMetadataResolver({
          ...options.metadataDocumentFetch,
          validateRedirectUris: (uris) => checkRedirectUris(uris).map((p) => p.problem),
          now,
        })
      : undefined;
    const clients = new ClientDirectory({ store, config: config.oauth, issuer: this.issuer, metadataDocuments, now });
    clients.syncConfigClients();
    this.owner = new Owner(store, this.context.signer, config.oauth.ownerPasswordHash);
    this.authorization = new AuthorizationEndpoint(this.context, clients, this.owner);
    this.token = new TokenEndpoint(this.context, clients);
    this.revocation = new RevocationEndpoint(this.context, clients);
    this.registration = config.oauth.dynamicRegistration ? new RegistrationEndpoint(this.context) : undefined;
    this.guard = new BearerGuard(storeTokenSource(store, config), tokenCache);
  }

  metadata(): AuthorizationServerMetadata {
    return authorizationServerMetadata({
      issuer: this.issuer,
      scopes: this.servers.map((s) => s.scope),
      dynamicRegistration: this.registration !== undefined,
      clientIdMetadataDocuments: this.context.config.clientIdMetadataDocuments,
    });
  }

  /** RFC 9728 document for a served path (MCP or legacy SSE endpoint), or the root one. */
  resourceMetadata(path: string | undefined): ProtectedResourceMetadata | undefined {
    if (path === undefined) {
      // With one server, the root document is that server's; with several, it names the origin.
      const only = this.servers.length === 1 ? this.servers[0]! : undefined;
      return protectedResourceMetadata({
        issuer: this.issuer,
        resource: only?.resource ?? this.issuer,
        scopes: only ? [only.scope] : this.servers.map((s) => s.scope),
        resourceName: only ? only.name : "MCP servers",
      });
    }
    const server = this.servers.find((s) => s.resource === `${this.issuer}${path}` || s.legacyResource === `${this.issuer}${path}`);
    if (!server) return undefined;
    return protectedResourceMetadata({
      issuer: this.issuer,
      resource: `${this.issuer}${path}`,
      scopes: [server.scope],
      resourceName: server.name,
    });
  }

  serverFor(name: string): ProtectedServer | undefined {
    return this.servers.find((s) => s.name === name);
  }

  /**
   * Every second: when another process changed the state (a client or token removed from the
   * command line), verified tokens are checked against the store again.
   */
  noticeOutsideChanges(): void {
    const version = this.context.store.dataVersion();
    if (version !== this.seenDataVersion) {
      this.seenDataVersion = version;
      this.context.tokenCache.clear();
    }
  }

  /** Periodic: expired rows go, and registrations and metadata-document clients that never got a token expire. */
  housekeeping(): void {
    const now = this.context.now();
    this.context.store.purgeExpired(now);
    this.context.store.refreshTokens.forgetSaltsRotatedBefore(now - LIFETIMES.refreshGraceMs);
    this.context.store.usedAssertions.deleteExpired(now);
    const unusedCutoff = now - this.context.config.unusedRegistrationTtlMs;
    this.context.store.clients.deleteUnusedOlderThan("dynamic", unusedCutoff);
    this.context.store.clients.deleteUnusedOlderThan("metadata_document", unusedCutoff);
  }
}

function storeTokenSource(store: Store, config: AppConfig): TokenSource {
  const configured = new Map(config.oauth.staticTokens.map((t) => [t.tokenSha256, { name: t.name, servers: t.servers }]));
  return {
    accessToken(hash: string, now: number): ActiveToken | undefined {
      const token = store.accessTokens.findActive(hash, now);
      if (!token) return undefined;
      return {
        clientId: token.client_id,
        grantId: token.grant_id,
        resource: token.resource,
        scope: token.scope,
        expiresAt: token.expires_at,
      };
    },
    staticToken(hash: string) {
      const fromConfig = configured.get(hash);
      if (fromConfig) return fromConfig;
      const stored = store.staticTokens.findByHash(hash);
      return stored ? { name: stored.name, servers: stored.servers } : undefined;
    },
  };
}
