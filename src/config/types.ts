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
}

export interface AppConfig {
  /** Absolute path of the file this came from ("<built-in demo>" for the demo). */
  file: string;
  listen: ListenAddress;
  /** Origin clients use, without trailing slash; undefined = derived from the bound address. */
  publicUrl?: string;
  extraHosts: string[];
  /** Origins allowed to call the MCP endpoints from a browser, besides the public origin and loopback origins. */
  allowedOrigins: string[];
  stateDir: string;
  trustProxy: string[];
  auth: "none" | "oauth";
  log: { level: LogLevel };
  servers: StdioServerConfig[];
}
