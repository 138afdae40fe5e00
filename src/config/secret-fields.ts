// Values that are secrets or hashes of secrets. Their errors never show the value: a password
// pasted where its hash belongs, or a token where its SHA-256 belongs, must not end up in a
// terminal, a journal or a CI log.

import { createHash } from "node:crypto";
import * as v from "valibot";
import { expected, quote } from "./describe.ts";
import { type Env, isSecretReference, resolveSecret } from "./secrets.ts";

const NOT_SHOWN = "got something else (not shown, in case it is a secret)";

/** SHA-256 of a secret's UTF-8 bytes, as lowercase hex: the only form a secret is kept in. */
function sha256Hex(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

// What Bun.password.hash writes (PHC string format) and Bun.password.verify reads: argon2id/i/d
// with version, cost parameters, salt and hash in unpadded base64; bcrypt in its modular crypt
// form, which also covers the "$2y$" of htpasswd files.
const ARGON2 = /^\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * A value that may be a secret reference ("env:NAME", "file:PATH"): resolved, then checked by
 * `problemOf` on its resolved form. Problems never show the value.
 */
export function checkedSecret(env: Env, problemOf: (value: string) => string | undefined) {
  return v.pipe(
    v.string(expected("a string")),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const resolved = resolveSecret(dataset.value, env);
      if (!resolved.ok) {
        addIssue({ message: resolved.error });
        return NEVER;
      }
      const problem = problemOf(resolved.value);
      if (problem !== undefined) {
        addIssue({ message: problem });
        return NEVER;
      }
      return resolved.value;
    }),
  );
}

/** A password hash, written or given as a secret reference ("file:owner-password-hash"). */
export function passwordHash(env: Env) {
  return checkedSecret(env, (value) =>
    ARGON2.test(value) || BCRYPT.test(value)
      ? undefined
      : `expected a password hash such as "$argon2id$v=19$m=65536,t=2,p=1$…" or "$2b$10$…", ${NOT_SHOWN}`,
  );
}

// A secret typed into the file is chosen by a person; 32 characters is what a generator
// (`openssl rand -base64 32` gives 44) easily exceeds and what a memorable password does not.
const MIN_INLINE_SECRET_LENGTH = 32;

/**
 * A client secret, written or given as a secret reference, turned into its SHA-256 (hex) here so
 * that the secret itself never leaves the loader.
 */
export function clientSecretDigest(env: Env) {
  return v.pipe(
    v.string(expected("a string")),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const inline = !isSecretReference(dataset.value);
      if (inline && dataset.value.length < MIN_INLINE_SECRET_LENGTH) {
        addIssue({
          message: `a secret written in the file must be at least ${MIN_INLINE_SECRET_LENGTH} characters (generate one with \`openssl rand -base64 32\`, or use "env:NAME" or "file:PATH")`,
        });
        return NEVER;
      }
      const resolved = resolveSecret(dataset.value, env);
      if (!resolved.ok) {
        addIssue({ message: resolved.error });
        return NEVER;
      }
      if (resolved.value === "") {
        addIssue({ message: `${quote(dataset.value)} gives an empty secret` });
        return NEVER;
      }
      return sha256Hex(resolved.value);
    }),
  );
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** The SHA-256 of a token, as 64 hex digits; lowercased. */
export const tokenSha256 = v.pipe(
  v.string(expected("a string")),
  v.check((text) => SHA256_HEX.test(text), `expected the token's SHA-256 as 64 hex digits (printf %s "$TOKEN" | sha256sum), ${NOT_SHOWN}`),
  v.toLowerCase(),
);
