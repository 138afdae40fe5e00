// What an MCP endpoint learns about a request (who sent it, which session), for the access log
// and for the per-client limits; filled in by http/mcp-routes.ts and the endpoints.

/** What the HTTP layer learns about a request, for its access log. */
export interface RequestNotes {
  session?: string;
  /** Who the front door authenticated ("oauth:<client_id>", "static:<name>"); absent without auth. */
  principal?: string;
  /** The credential the front door accepted (a hash), for the credential watch; absent without auth. */
  credential?: string;
  /**
   * Who counts against max_sessions_per_client: the principal, or without auth the client's
   * address ("address:<ip>"). Absent: no per-client cap. A function: only a new session needs
   * it, and finding the address costs every other request for nothing.
   */
  client?: () => string;
}
