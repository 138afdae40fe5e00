// Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1, §3.2.1;
// OAuth 2.1 §2.4): client_secret_basic, client_secret_post, or none for public clients, which
// identify themselves with client_id and are bound to the code by PKCE instead.
import type { ClientRecord } from "../store/index.ts";
import type { ClientDirectory } from "./client-directory.ts";
import { secretMatches } from "./crypto.ts";
import { InvalidClient, InvalidRequest, type Outcome } from "./errors.ts";

interface PresentedCredentials {
  clientId: string;
  secret?: string;
  usedBasic: boolean;
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before being put into Basic. */
function fromBasic(header: string): Outcome<PresentedCredentials> {
  const encoded = header.slice(6).trim();
  const fail = (): Outcome<PresentedCredentials> => ({
    ok: false,
    error: new InvalidClient("malformed Basic client credentials", { usedBasic: true }),
  });
  if (!/^[A-Za-z0-9+/]+=*$/.test(encoded) || encoded.length > 8192) return fail();
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return fail();
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
    return { ok: true, value: { clientId, secret, usedBasic: true } };
  } catch {
    return fail();
  }
}

function presented(form: Map<string, string>, authorization: string | null): Outcome<PresentedCredentials> {
  const basic = authorization !== null && /^basic\s/i.test(authorization);
  const inBody = form.get("client_secret");
  if (basic) {
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
    if (inBody !== undefined)
      return { ok: false, error: new InvalidRequest("use either HTTP Basic or client_secret in the body, not both") };
    const credentials = fromBasic(authorization!);
    if (!credentials.ok) return credentials;
    const bodyId = form.get("client_id");
    if (bodyId !== undefined && bodyId !== credentials.value.clientId) {
      return { ok: false, error: new InvalidRequest("client_id in the body differs from the Basic credentials") };
    }
    return credentials;
  }
  const clientId = form.get("client_id");
  if (clientId === undefined) return { ok: false, error: new InvalidClient("client authentication or client_id is required") };
  return { ok: true, value: { clientId, secret: inBody, usedBasic: false } };
}

export async function authenticateClient(
  directory: ClientDirectory,
  form: Map<string, string>,
  authorization: string | null,
): Promise<Outcome<ClientRecord>> {
  const credentials = presented(form, authorization);
  if (!credentials.ok) return credentials;
  const { clientId, secret, usedBasic } = credentials.value;
  const found = await directory.find(clientId);
  if (!found.ok) return { ok: false, error: new InvalidClient("unknown client", { usedBasic, reason: found.error.reason }) };
  const client = found.value;
  if (client.secret_hash !== undefined) {
    // Compared as SHA-256 digests: equal length and constant time whatever was presented.
    if (secret === undefined || !secretMatches(secret, client.secret_hash)) {
      return { ok: false, error: new InvalidClient("client authentication failed", { usedBasic, reason: `bad secret for ${clientId}` }) };
    }
  } else if (secret !== undefined && secret !== "") {
    return { ok: false, error: new InvalidClient("this is a public client: it has no secret", { usedBasic }) };
  }
  return { ok: true, value: client };
}
