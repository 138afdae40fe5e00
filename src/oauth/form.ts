// application/x-www-form-urlencoded request bodies of /token, /revoke and the consent form,
// parsed strictly: the WHATWG URLSearchParams parser forgives bad %-encoding and keeps repeats.
// The bytes come bounded from request-body.ts.

import { InvalidRequest, InvalidTarget, type Outcome } from "./errors.ts";

function decode(text: string): string | undefined {
  try {
    // HTML form encoding: "+" is a space; then %XX octets as UTF-8 (invalid UTF-8 throws).
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The parameters of a form body, or invalid_request. RFC 6749 §3.1 and §3.2: "Parameters sent
 * without a value MUST be treated as if they were omitted from the request" and "Request and
 * response parameters MUST NOT be included more than once." Unknown parameters are kept; the
 * endpoint ignores those it does not know (RFC 6749 §3.1).
 */
export function parseForm(body: Uint8Array): Outcome<Map<string, string>> {
  const text = utf8(body);
  if (text === undefined) {
    return { ok: false, error: new InvalidRequest("the form body is not UTF-8", { redirectable: false }) };
  }
  const params = new Map<string, string>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = decode(equals === -1 ? "" : pair.slice(equals + 1));
    if (name === undefined || value === undefined) {
      return { ok: false, error: new InvalidRequest("the form body has a malformed %-encoding", { redirectable: false }) };
    }
    // RFC 6749 §3.1: a parameter without a value is as if omitted.
    if (name === "" || value === "") continue;
    if (params.has(name)) {
      // RFC 8707 §2 lets "resource" repeat to ask for several audiences; a token here has one
      // audience, so that request gets invalid_target rather than a generic invalid_request.
      const error =
        name === "resource"
          ? new InvalidTarget("only one resource per request is supported", { redirectable: false })
          : new InvalidRequest(`the parameter ${name} is repeated`, { redirectable: false });
      return { ok: false, error };
    }
    params.set(name, value);
  }
  return { ok: true, value: params };
}
