// Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1, §3.2.1;
// OAuth 2.1 §2.4): client_secret_basic, client_secret_post, private_key_jwt (RFC 7523 §2.2, for
// metadata-document clients whose document asks for it), or none for public clients, which
// identify themselves with client_id and are bound to the code by PKCE instead.
import type { ClientRecord } from "../store/index.ts";
import { assertionSubject, JWT_BEARER_ASSERTION_TYPE } from "./client-assertion.ts";
import { type ClientDirectory, metadataDocumentAuth } from "./client-directory.ts";
import { secretMatches } from "./crypto.ts";
import { InvalidClient, InvalidRequest, type Outcome, TemporarilyUnavailable } from "./errors.ts";

interface PresentedCredentials {
  clientId: string;
  secret?: string;
  /** RFC 7523 §2.2 client_assertion (a JWT), already known to be of the jwt-bearer type. */
  assertion?: string;
  usedBasic: boolean;
}

/** RFC 7521 §4.2 / RFC 7523 §2.2: client_assertion_type and client_assertion, alone. */
function fromAssertion(form: Map<string, string>, otherMethod: boolean): Outcome<PresentedCredentials> {
  const type = form.get("client_assertion_type");
  const assertion = form.get("client_assertion");
  // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
  if (otherMethod) return { ok: false, error: new InvalidRequest("use one client authentication method per request") };
  if (type === undefined || assertion === undefined)
    return { ok: false, error: new InvalidRequest("client_assertion and client_assertion_type go together") };
  if (type !== JWT_BEARER_ASSERTION_TYPE)
    return { ok: false, error: new InvalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`) };
  const subject = assertionSubject(assertion);
  if (subject === undefined) return { ok: false, error: new InvalidClient("the client assertion is not a JWT naming its client in sub") };
  // RFC 7521 §4.2: a client_id sent as well must identify the same client as the assertion.
  const bodyId = form.get("client_id");
  if (bodyId !== undefined && bodyId !== subject)
    return { ok: false, error: new InvalidClient("client_id differs from the client assertion's subject") };
  return { ok: true, value: { clientId: subject, assertion, usedBasic: false } };
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
  if (form.has("client_assertion") || form.has("client_assertion_type")) return fromAssertion(form, basic || inBody !== undefined);
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

/** `requester` is the client address: document and key fetches it causes count against its share. */
export async function authenticateClient(
  directory: ClientDirectory,
  form: Map<string, string>,
  authorization: string | null,
  requester?: string,
): Promise<Outcome<ClientRecord>> {
  const credentials = presented(form, authorization);
  if (!credentials.ok) return credentials;
  const { clientId, secret, assertion, usedBasic } = credentials.value;
  const found = await directory.find(clientId, requester);
  if (!found.ok) {
    // Busy is not unknown: invalid_client would make the client register again (CLIENTS.md).
    if (found.error instanceof TemporarilyUnavailable) return found;
    return { ok: false, error: new InvalidClient("unknown client", { usedBasic, reason: found.error.reason }) };
  }
  const client = found.value;
  const documentAuth = metadataDocumentAuth(client);
  if (assertion !== undefined) {
    if (!documentAuth?.methods.includes("private_key_jwt"))
      return { ok: false, error: new InvalidClient("this client does not authenticate with private_key_jwt") };
    const keysOf = (refresh: boolean) => directory.signingKeys(documentAuth, requester, refresh);
    const verified = await directory.assertions.verify(assertion, client.client_id, keysOf, documentAuth.signing_alg);
    return verified.ok ? { ok: true, value: client } : verified;
  }
  // OpenID Connect RP Metadata Choices: without an assertion, only a document that also offers
  // none makes a public client.
  if (documentAuth && !documentAuth.methods.includes("none")) {
    return { ok: false, error: new InvalidClient("this client must authenticate with a client assertion (private_key_jwt)") };
  }
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
