// The text of `mcp-appliance help`: every command, its options and the exit codes.
import { DEFAULT_CONFIG_PATH } from "./args.ts";

export const HELP = `mcp-appliance: put self-hosted MCP servers on the internet, safely.

Usage:
  mcp-appliance [run] [--config PATH]     serve the configured MCP servers (default config: ${DEFAULT_CONFIG_PATH})
  mcp-appliance validate [--config PATH]  check a configuration file and exit
  mcp-appliance init [--config PATH] [--public-url URL] [--force]
                                          write a starting configuration file (no secrets in it);
                                          refuses to overwrite one unless --force
  mcp-appliance passwd [--config PATH]    set the owner password of the login page, read from standard
                                          input: asked twice on a terminal, else the first line
                                          (echo "$PASSWORD" | mcp-appliance passwd); 12 characters at least
  mcp-appliance client add NAME --redirect-uri URI [--redirect-uri URI...] [--public] [--auto-approve]
                                          register an OAuth client in the state; prints its client ID
                                          and secret once (only the secret's hash is kept)
      --public                            a public client: no secret, PKCE only
      --auto-approve                      no sign-in, no consent page (a client you trust; not with --public)
  mcp-appliance client list [--json]      the clients of the config and of the state (never secrets)
  mcp-appliance client remove NAME|CLIENT_ID
                                          remove a client of the state, with its grants and tokens
  mcp-appliance token add NAME --server SERVER [--server SERVER...]
                                          create a static API token for headless clients, limited to
                                          the servers named; printed once (only its hash is kept)
  mcp-appliance token list [--json]       the static API tokens of the config and of the state
  mcp-appliance token remove NAME         remove a static API token of the state
  mcp-appliance nft [--config PATH]       print the nftables rules for the configuration: its own table,
                                          inet mcp_appliance, that drops what must stay internal and limits
                                          listen to firewall.public_sources (the package loads
                                          /etc/mcp-appliance/firewall.nft with mcp-appliance-firewall.service)
  mcp-appliance demo [--listen HOST:PORT] [--no-auth]
                                          run the built-in demo: a notes vault behind OAuth at /vault/mcp on 127.0.0.1:3001
  mcp-appliance version                   print the version
  mcp-appliance help                      print this help

Every command takes --config PATH (default ${DEFAULT_CONFIG_PATH}); passwd, client and token read and
change the state database in the state_dir the configuration names (run them as its owner or root).

Exit codes: 0 ok, 1 failure (while running; or not found, name taken), 64 bad command line,
65 password refused, 66 config file unreadable, 73 file exists or cannot be written,
74 state database unavailable, 78 config invalid (or it decides what was asked), 130 interrupted.
`;
