// The validated, resolved configuration every other layer reads.
// The TOML file's snake_case keys are turned into these camelCase fields by the loader;
// durations are milliseconds, sizes bytes, secrets already resolved.

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

export interface ListenAddress {
  /** Host as written, without brackets: "127.0.0.1", "0.0.0.0", "::", "localhost". */
  host: string;
  port: number;
}

export interface StdioServerConfig {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  /** Extra environment for the child, on top of the allow-listed variables of the appliance. */
  env: Record<string, string>;
  /** Names of the appliance's own environment variables passed through, beyond the default allowlist. */
  passEnv: string[];
  /** Streamable HTTP endpoint path, e.g. "/vault/mcp". */
  path: string;
  /** Legacy HTTP+SSE (2024-11-05) stream path, e.g. "/vault/sse"; its POST endpoint is `${ssePath}/message`. */
  ssePath: string;
  idleTimeoutMs: number;
  maxSessions: number;
  maxMessageBytes: number;
  /** How long a client request may wait for the child's response before it gets a JSON-RPC error. */
  requestTimeoutMs: number;
  /** Who shares a child: each session its own, one per client (principal), or one for everyone. */
  sharing: Sharing;
  /** First wait before a failed shared child is started again; doubles up to restartBackoffMaxMs. */
  restartBackoffMs: number;
  restartBackoffMaxMs: number;
  /** MCP 2026-07-28 ttlMs / cacheScope on list and resources/read results that carry none. */
  cacheTtlMs: number;
  cacheScope: CacheScope;
  /**
   * The MCP era its children speak (2026-07-28 versioning §Backward Compatibility): learnt at
   * spawn by a server/discover opening ("auto"), or fixed.
   */
  protocol: ChildProtocol;
}

export const CHILD_PROTOCOLS = ["auto", "2025", "2026"] as const;
type ChildProtocol = (typeof CHILD_PROTOCOLS)[number];
export const SHARING_MODES = ["session", "client", "shared"] as const;
type Sharing = (typeof SHARING_MODES)[number];
export const CACHE_SCOPES = ["private", "public"] as const;
type CacheScope = (typeof CACHE_SCOPES)[number];

/** A server that already speaks MCP over HTTP, proxied at `path` ([servers.<name>] with `url`). */
export interface HttpServerConfig {
  name: string;
  /** The upstream MCP endpoint, e.g. "http://127.0.0.1:4000/mcp": no user info, query or fragment. */
  url: string;
  /** Added to every upstream request, names as written, values resolved (they may be secrets). */
  headers: Record<string, string>;
  /** A request header that tells the upstream who the client is ("oauth:<client_id>", "static:<name>"). */
  identityHeader?: string;
  /** Streamable HTTP endpoint path, e.g. "/blog/mcp"; there is no separate legacy SSE path. */
  path: string;
  /** How long the upstream may take to send its response headers before the client gets a 504. */
  upstreamTimeoutMs: number;
  /** Largest request body forwarded; a larger one gets a 413 with a JSON-RPC error. */
  maxMessageBytes: number;
}

export interface OAuthClientConfig {
  name: string;
  clientId: string;
  /** SHA-256 (lowercase hex) of the client secret; present = confidential client. The secret itself never leaves the loader. */
  clientSecretSha256?: string;
  /** As written: exact-match rules (and the loopback port exception) are oauth/'s job. */
  redirectUris: string[];
  autoApprove: boolean;
  scope?: string;
}

export interface StaticTokenConfig {
  name: string;
  /** SHA-256 (lowercase hex) of the token. */
  tokenSha256: string;
  /** Names of servers in AppConfig.servers or AppConfig.httpServers, at least one. */
  servers: string[];
}

export interface OAuthConfig {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** RFC 7591 dynamic client registration. */
  dynamicRegistration: boolean;
  /** https URLs as client_id (client ID metadata documents). */
  clientIdMetadataDocuments: boolean;
  /** A Bun.password hash ($argon2id$… / $2b$…); undefined = the one set with `mcp-appliance passwd`, if any. */
  ownerPasswordHash?: string;
  /** Most dynamic registrations kept at once. */
  registrationLimit: number;
  /** Dynamic registrations allowed per client address: `count` per `windowMs`. */
  registrationRate: { count: number; windowMs: number };
  /** Token endpoint requests allowed per client address: `count` per `windowMs`; more get 429. */
  tokenRate: { count: number; windowMs: number };
  /** A dynamic registration that never obtained a token is deleted after this long. */
  unusedRegistrationTtlMs: number;
  clients: OAuthClientConfig[];
  staticTokens: StaticTokenConfig[];
}

/** [limits]: what one client may take of the machine; the same for every server. */
export interface LimitsConfig {
  /**
   * Largest total of a request's header names and values; a larger one gets 431 from the front
   * door. Bun's parser refuses a header section over 16 KiB (request line and line ends
   * included) before that, with a 431 of its own and no body.
   */
  maxHeaderBytes: number;
  /**
   * Live sessions one client may hold on one server; more get 429. The client is the
   * authenticated principal ("oauth:<client_id>", "static:<name>"), or with auth = "none" the
   * client address.
   */
  maxSessionsPerClient: number;
  /** Client requests in flight in one session at once; a POST that would exceed it gets 429. */
  maxRequestsPerSession: number;
  /** SSE streams open at once in one session (its GET stream, POST responses that became streams); more get 429. */
  maxStreamsPerSession: number;
  /** How long a SIGTERM waits for requests in flight before every session ends. */
  shutdownTimeoutMs: number;
}

interface FirewallConfig {
  /** IP addresses or CIDRs that may reach `listen`; empty = anyone. Rendered by `mcp-appliance nft`. */
  publicSources: string[];
}

export interface AppConfig {
  /** Absolute path of the file this came from ("<built-in demo>" for the demo). */
  file: string;
  listen: ListenAddress;
  /**
   * Origin clients use, without trailing slash. With auth = "oauth" it is set (the loader defaults
   * it to http://<listen host>:<port> on loopback) except for port 0; undefined = derived from
   * the bound address, the same way.
   */
  publicUrl?: string;
  extraHosts: string[];
  /** Origins allowed to call the MCP endpoints from a browser, besides the public origin and loopback origins. */
  allowedOrigins: string[];
  stateDir: string;
  trustProxy: string[];
  auth: "none" | "oauth";
  log: { level: LogLevel };
  /** Always present (defaults when the file has no [oauth]); only used when auth = "oauth". */
  oauth: OAuthConfig;
  /** Stdio servers ([servers.<name>] with `command`). */
  servers: StdioServerConfig[];
  /** HTTP upstream servers ([servers.<name>] with `url`); names and paths never clash with `servers`. */
  httpServers: HttpServerConfig[];
  limits: LimitsConfig;
  firewall: FirewallConfig;
}
