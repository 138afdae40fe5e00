// The configuration `mcp-appliance init` writes: short, commented, valid as written, and without
// a single secret (those live hashed in the state, or arrive as env:/file: references).

/** The loader's own default: the written file and one without state_dir mean the same. */
const DEFAULT_STATE_DIR = "/var/lib/mcp-appliance";

interface TemplateOptions {
  /** An origin already checked by parsePublicUrl; undefined = the line is left commented out. */
  publicUrl?: string;
  /** How to start this executable: the demo vault server of the example is this program. */
  self: { command: string; args: string[] };
}

/** A TOML basic string: JSON's escapes (\", \\, \n, \uXXXX) are TOML's too. */
const toml = (text: string) => JSON.stringify(text);

export function configTemplate({ publicUrl, self }: TemplateOptions): string {
  const vaultArgs = [...self.args, "demo-vault-server", "--dir", `${DEFAULT_STATE_DIR}/vault`];
  const publicUrlLines =
    publicUrl === undefined
      ? `# Until public_url is set, and only while listen is a loopback address, it is
# http://127.0.0.1:3001: enough to try the appliance on this machine, not for remote clients.
# public_url = "https://mcp.example.com"`
      : `public_url = ${toml(publicUrl)}`;

  return `# mcp-appliance configuration, written by \`mcp-appliance init\`.
#
# It reads top to bottom: where the appliance listens, the URL the world knows it by, who may
# get in, and which MCP servers it serves. Check it after every edit with
#   mcp-appliance validate --config <this file>
# Unknown keys are errors. Durations are strings such as "90s", "30m", "1h" or "30d".
#
# No secrets belong in this file. The owner password (asked on the login page when a client
# wants access) is set with \`mcp-appliance passwd\`; client secrets and static API tokens are
# made with \`mcp-appliance client add\` and \`mcp-appliance token add\`. All are kept, hashed, in
# state_dir. Where a secret has to be named here, write "env:NAME" or "file:/path" instead.

# Where the appliance listens. A loopback address suits a reverse proxy on the same machine
# that terminates TLS; "0.0.0.0:3001" or "[::]:3001" listens on every interface.
listen = "127.0.0.1:3001"

# The https URL clients reach the appliance at (usually the reverse proxy's). The OAuth issuer
# and the URL of every MCP server derive from it, never from what a request claims.
${publicUrlLines}

# Embedded SQLite state: clients, token hashes, the owner password hash. Readable by the
# appliance's user only.
state_dir = ${toml(DEFAULT_STATE_DIR)}

# Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.
# trust_proxy = ["127.0.0.1"]

# Other host names the appliance answers to; any other Host is refused (DNS rebinding).
# extra_hosts = []

# "oauth": every MCP request needs a token from the built-in authorization server, given out
# only with the owner's approval. "none" is allowed only on a loopback listen address.
auth = "oauth"

[log]
level = "info"                              # trace | debug | info | warn | error

[oauth]
# The defaults, for reference:
# access_token_ttl = "1h"
# refresh_token_ttl = "30d"
# dynamic_registration = true               # RFC 7591: clients register themselves, rate-limited
# client_id_metadata_documents = true       # clients identified by an https URL
# registration_limit = 1000                 # dynamic registrations kept at most
# registration_rate = "10/h"                # per client address
# token_rate = "60/m"                       # token requests per client address
# unused_registration_ttl = "24h"           # a registration never used is dropped after this
# owner_password_hash = "file:/etc/credstore/mcp-owner"   # else the one set with \`mcp-appliance passwd\`

# A client registered in advance, such as the Claude.ai connector set up with a client ID and
# secret. Simpler: \`mcp-appliance client add claude --redirect-uri https://claude.ai/api/mcp/auth_callback\`
# prints a client ID and secret and keeps the client in state_dir.
# [[oauth.clients]]
# name = "claude"
# client_id = "claude-connector"
# client_secret = "env:CLAUDE_CLIENT_SECRET"
# redirect_uris = ["https://claude.ai/api/mcp/auth_callback"]
# auto_approve = false                      # true: no sign-in; only for a client with a secret, one you trust

# The MCP servers, one [servers.<name>] table each: a stdio program, one child process per
# session, served at /<name>/mcp (Streamable HTTP) and /<name>/sse (legacy SSE).
# This example is the notes vault built into mcp-appliance, so that the file works as written;
# replace it with your own servers.
[servers.example]
command = ${toml(self.command)}
args = [${vaultArgs.map(toml).join(", ")}]
# cwd = "/srv/example"
# env = { API_KEY = "env:EXAMPLE_API_KEY" } # extra environment; secrets as env: or file:
# path = "/example/mcp"
# idle_timeout = "30m"
# max_sessions = 16
# sharing = "session"  # a child per session; "client": one per client; "shared": one for all

# What one client may take of the machine, the same for every server. A client is an OAuth
# client or a static API token; with auth = "none", an address. Over a limit a client gets 431
# (headers) or 429 with Retry-After; everyone else carries on. The defaults:
[limits]
# max_header_size = "15KiB"                 # header names and values of one request
# max_sessions_per_client = 8               # live sessions on each server; one more ends the
#                                           # least recently used idle one
# max_requests_per_session = 64             # requests in flight at once
# max_streams_per_session = 8               # SSE streams open at once
# shutdown_timeout = "5s"                   # how long SIGTERM waits for requests in flight
`;
}
