// The environment a child MCP server starts with: an allowlist of the appliance's own
// variables plus the server's configured `env`. Everything else (credentials the appliance
// was started with, CREDENTIALS_DIRECTORY, proxy tokens) stays out of the child.

const ALLOWED = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TERM",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];
const ALLOWED_PREFIXES = ["LC_"];

export function childEnvironment(
  parent: Record<string, string | undefined>,
  passEnv: readonly string[],
  serverEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (ALLOWED.includes(name) || passEnv.includes(name) || ALLOWED_PREFIXES.some((p) => name.startsWith(p))) {
      env[name] = value;
    }
  }
  return { ...env, ...serverEnv };
}
