// Key material in a metadata document: public keys only, and where private_key_jwt finds them.

import { isHttpsUrl } from "./https-url.ts";

/** JWK members that hold private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** Problems with jwks / jwks_uri, [] when fine. Never quotes the document. */
export function checkKeyMaterial(doc: Record<string, unknown>, needsKeys: boolean): string[] {
  const hasJwks = doc.jwks !== undefined && doc.jwks !== null;
  const hasJwksUri = doc.jwks_uri !== undefined && doc.jwks_uri !== null;
  const problems: string[] = [];
  // RFC 7591 §2: the jwks_uri and jwks parameters MUST NOT both be present.
  if (hasJwks && hasJwksUri) problems.push("jwks and jwks_uri must not both be present");
  if (hasJwksUri && !isHttpsUrl(doc.jwks_uri)) problems.push("jwks_uri must be an https URL");
  if (hasJwks) {
    const problem = jwkSetProblem(doc.jwks);
    if (problem) problems.push(`jwks ${problem}`);
  }
  // CIMD §6.2: a private_key_jwt client establishes its key by publishing it in the document.
  if (needsKeys && !hasJwks && !hasJwksUri) problems.push("private_key_jwt needs jwks or jwks_uri");
  return problems;
}

/** Why `value` is not a JWK Set of public keys (RFC 7517 §5), or undefined when it is one. */
export function jwkSetProblem(value: unknown): string | undefined {
  const keys = (value as { keys?: unknown } | undefined)?.keys;
  if (typeof value !== "object" || value === null || !Array.isArray(keys) || !keys.every((key) => typeof key === "object" && key !== null))
    return "must be a JWK Set (an object with a keys array)";
  // CIMD-02 §4.1: private key material MUST NOT be included; only public keys are permitted.
  if (keys.some((key) => PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(key as object, member)))) return "must hold public keys only";
  return undefined;
}
