// A public OAuth client as a browser-based flow needs it: dynamic registration over HTTP,
// PKCE S256 (computed with node:crypto, independently of the appliance's code), the
// authorization URL, and the code exchange at /token.
import { createHash, randomBytes } from "node:crypto";

export interface RegisteredClient {
  clientId: string;
  clientName: string;
}

export async function registerClient(issuer: string, redirectUri: string, clientName: string): Promise<RegisteredClient> {
  const response = await fetch(new URL("/register", issuer), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: clientName,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }),
  });
  const body = (await response.json()) as { client_id?: string };
  if (response.status !== 201 || !body.client_id) throw new Error(`registration failed: ${response.status} ${JSON.stringify(body)}`);
  return { clientId: body.client_id, clientName };
}

export interface AuthorizationAttempt {
  url: URL;
  state: string;
  verifier: string;
}

const base64url = (bytes: Buffer) => bytes.toString("base64url");

export function authorizationRequest(
  issuer: string,
  client: RegisteredClient,
  redirectUri: string,
  resource: string,
  scope: string,
): AuthorizationAttempt {
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash("sha256").update(verifier).digest());
  const state = base64url(randomBytes(12));
  const url = new URL("/authorize", issuer);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    scope,
    resource,
  }).toString();
  return { url, state, verifier };
}

export async function exchangeCode(
  issuer: string,
  client: RegisteredClient,
  redirectUri: string,
  resource: string,
  code: string,
  verifier: string,
): Promise<Response> {
  return fetch(new URL("/token", issuer), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
      resource,
    }),
  });
}
