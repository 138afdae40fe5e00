// GET /authorize, checked in the order the RFCs require (RFC 6749 §4.1.2.1, §3.1.2.4): first
// the client and the redirect URI — errors there are shown to the user and never redirected —
// then everything else, whose errors go back to the now-trusted redirect URI.
import type { ClientRecord } from "../store/index.ts";
import type { ProtectedServer } from "./bearer-guard.ts";
import type { ClientDirectory } from "./client-directory.ts";
import type { Outcome } from "./errors.ts";
import { InvalidRequest, InvalidScope, InvalidTarget, type OAuthError, UnauthorizedClient, UnsupportedResponseType } from "./errors.ts";
import { checkCodeChallenge } from "./pkce.ts";
import { resolveRedirectUri } from "./redirect-uris.ts";
import { resolveResource } from "./resource.ts";
import { clientMayHave, clientScopeLimit, formatScope, parseScope } from "./scopes.ts";

/** A validated request, carried through login and consent in a signed form field. */
export interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state?: string;
  resource: string;
  scope: string;
}

/** The Result shape (common/result.ts); a failure also says where its error goes. */
export type AuthorizationRequestCheck =
  | { ok: true; value: { client: ClientRecord; pending: PendingAuthorization } }
  /** Shown on a page: the redirect URI cannot be trusted (yet). */
  | { ok: false; redirect: false; error: OAuthError }
  /** Sent to the client's redirect URI. */
  | { ok: false; redirect: true; error: OAuthError; redirectUri: string; state?: string };

export async function checkAuthorizationRequest(
  query: URLSearchParams,
  clients: ClientDirectory,
  servers: readonly ProtectedServer[],
  requester?: string,
): Promise<AuthorizationRequestCheck> {
  // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted",
  // so an empty one neither counts as given nor as a repeat (as in form.ts at the token endpoint).
  const given = (name: string): string[] => query.getAll(name).filter((value) => value !== "");
  const single = (name: string): string | undefined | null => {
    const all = given(name);
    if (all.length > 1) return null; // RFC 6749 §3.1: parameters MUST NOT be included more than once
    return all[0];
  };

  // Step 1: the client.
  const clientId = single("client_id");
  if (clientId === null || clientId === undefined) {
    return { ok: false, redirect: false, error: new InvalidRequest("client_id is missing or repeated") };
  }
  const found = await clients.find(clientId, requester);
  if (!found.ok) return { ok: false, redirect: false, error: found.error };
  const client = found.value;

  // Step 2: the redirect URI, exact match (loopback: any port, RFC 8252 §7.3).
  const requestedRedirect = single("redirect_uri");
  if (requestedRedirect === null) return { ok: false, redirect: false, error: new InvalidRequest("redirect_uri is repeated") };
  const redirectUri = resolveRedirectUri(client.redirect_uris, requestedRedirect);
  if (!redirectUri) {
    return {
      ok: false,
      redirect: false,
      error: new InvalidRequest(
        requestedRedirect === undefined
          ? "redirect_uri is required: the client registered more than one"
          : "redirect_uri does not match any URI registered for this client",
        { redirectable: false },
      ),
    };
  }

  // From here on, errors are redirected with state and iss (RFC 9207).
  // RFC 6749 §4.1.2: state comes back exactly as sent, whatever its length.
  const rawState = single("state");
  const state = typeof rawState === "string" ? rawState : undefined;
  const fail = (error: OAuthError): AuthorizationRequestCheck => ({ ok: false, redirect: true, error, redirectUri, state });
  if (rawState === null) return fail(new InvalidRequest("state is repeated"));

  const responseType = single("response_type");
  if (responseType !== "code") return fail(new UnsupportedResponseType('response_type must be "code"'));
  if (!client.grant_types.includes("authorization_code"))
    return fail(new UnauthorizedClient("this client may not use the authorization code grant"));

  // RFC 7636 / OAuth 2.1 §4.1.1: PKCE with S256 is required; plain is refused.
  const method = single("code_challenge_method");
  const challenge = single("code_challenge");
  if (method === null || challenge === null) return fail(new InvalidRequest("PKCE parameters are repeated"));
  const pkceProblem = checkCodeChallenge(challenge, method);
  if (pkceProblem) return fail(pkceProblem);

  // RFC 8707 §2: the resource names one served MCP endpoint (normalised; default when only one).
  // RFC 8707 §2 lets "resource" repeat to ask for several audiences; a token here has one, so
  // the request is invalid_target, as the same repeat is at the token endpoint (form.ts).
  const resources = given("resource");
  if (resources.length > 1) return fail(new InvalidTarget("only one resource per request is supported"));
  const resource = resolveServedResource(resources[0], servers);
  if (!resource.ok) return fail(resource.error);
  const server = servers.find((s) => s.resource === resource.value || s.legacyResource === resource.value)!;

  // Scope: the server's scope; a client that asks for other scopes gets only what exists
  // (offline_access and the like are ignored, never an error).
  const limit = clientScopeLimit(client);
  const requestedScope = single("scope");
  if (requestedScope === null) return fail(new InvalidRequest("scope is repeated"));
  if (requestedScope !== undefined) {
    const parsed = parseScope(requestedScope);
    if (!parsed.ok) return fail(new InvalidScope(parsed.error));
    const known = new Set(servers.map((s) => s.scope));
    const foreign = parsed.value.filter((s) => known.has(s) && s !== server.scope);
    if (foreign.length > 0)
      return fail(new InvalidScope(`scope ${foreign.join(" ")} belongs to another server than the requested resource`));
    // RFC 6749 §3.3 / §4.1.2.1: a scope the client is not allowed is invalid_scope.
    if (parsed.value.includes(server.scope) && !clientMayHave(limit, [server.scope]))
      return fail(new InvalidScope(`this client may not be granted the scope ${server.scope}`));
  }
  // RFC 8707 §2: a resource the server does not accept for this client is invalid_target.
  if (!clientMayHave(limit, [server.scope])) return fail(new InvalidTarget(`this client may not be granted access to ${resource.value}`));

  const pending: PendingAuthorization = {
    clientId: client.client_id,
    redirectUri,
    codeChallenge: challenge!,
    ...(state !== undefined ? { state } : {}),
    resource: resource.value,
    scope: formatScope([server.scope]),
  };
  return { ok: true, value: { client, pending } };
}

/**
 * RFC 8707 §2 against every served URL (each server's MCP endpoint and its legacy SSE endpoint);
 * a missing resource means the one MCP endpoint when only one server is served.
 */
function resolveServedResource(requested: string | undefined, servers: readonly ProtectedServer[]): Outcome<string> {
  if (requested === undefined)
    return resolveResource(
      undefined,
      servers.map((s) => s.resource),
    );
  return resolveResource(
    requested,
    servers.flatMap((s) => [s.resource, s.legacyResource]),
  );
}
