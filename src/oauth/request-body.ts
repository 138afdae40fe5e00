// The request bodies of the authorization server's POST endpoints: the media type each accepts,
// at most REQUEST_BODY_LIMIT_BYTES of it, decoded strictly. Every refusal is an OAuthError, so
// /token, /revoke and /register answer the same condition with the same RFC 6749 §5.2 body.
import { mediaTypeOf, readBodyBytesLimited } from "../common/request-body.ts";
import { BodyTooLarge, InvalidRequest, type Outcome } from "./errors.ts";
import { parseForm } from "./form.ts";

/** Large enough for any token request or client registration, small enough that a hostile body costs nothing. */
const REQUEST_BODY_LIMIT_BYTES = 64 * 1024;

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/**
 * RFC 6749 §3.2 and RFC 7009 §2.1: the client sends its parameters "using the
 * application/x-www-form-urlencoded format"; RFC 7591 §3.1: the registration request is
 * "application/json". Parameters such as charset are allowed (the body is decoded as UTF-8
 * whatever they say, and refused when it is not). Anything else is invalid_request with 400,
 * not HTTP's 415: RFC 6749 §5.2 answers invalid_request with 400, and node-oidc-provider does
 * the same ("only application/json content-type bodies are supported on POST /reg",
 * lib/shared/selective_body.js), so clients built for OAuth servers read the refusal as one.
 */
function checkMediaType(request: Request, expected: string): InvalidRequest | undefined {
  const type = mediaTypeOf(request.headers.get("content-type"));
  if (type === expected) return undefined;
  return new InvalidRequest(`the request body must be ${expected}`, {
    redirectable: false,
    reason: `content-type ${type === undefined ? "absent" : JSON.stringify(type.slice(0, 80))}`,
  });
}

async function readBounded(request: Request): Promise<Outcome<Uint8Array>> {
  const bytes = await readBodyBytesLimited(request, REQUEST_BODY_LIMIT_BYTES);
  if (bytes === undefined)
    return { ok: false, error: new BodyTooLarge(`the request body is larger than ${REQUEST_BODY_LIMIT_BYTES} bytes`) };
  return { ok: true, value: bytes };
}

/** POST /authorize: the login and consent forms, which only the appliance's own pages post. */
export async function readFormFields(request: Request): Promise<Outcome<Map<string, string>>> {
  const bytes = await readBounded(request);
  return bytes.ok ? parseForm(bytes.value) : bytes;
}

/** /token and /revoke: an RFC 6749 form body. */
export async function readFormBody(request: Request): Promise<Outcome<Map<string, string>>> {
  const wrongType = checkMediaType(request, FORM);
  if (wrongType) return { ok: false, error: wrongType };
  return readFormFields(request);
}

/**
 * /register: an RFC 7591 §3.1 JSON document (any JSON value; the registration checks that it is
 * an object). A body that does not parse is invalid_request, as a malformed form is at /token.
 */
export async function readJsonBody(request: Request): Promise<Outcome<unknown>> {
  const wrongType = checkMediaType(request, JSON_TYPE);
  if (wrongType) return { ok: false, error: wrongType };
  const bytes = await readBounded(request);
  if (!bytes.ok) return bytes;
  try {
    // RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8; fatal, so other bytes are refused.
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.value)) };
  } catch {
    return { ok: false, error: new InvalidRequest("the request body is not valid UTF-8 JSON", { redirectable: false }) };
  }
}
