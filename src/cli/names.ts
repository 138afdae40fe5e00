// Names an operator gives clients and static tokens: shown on the consent page and in the log,
// so printable and short; and the readable client_id made from one.
import { randomBytes } from "node:crypto";

const MAX_NAME_LENGTH = 100;

/** Why `name` cannot name a client or token, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === "") return "the name is empty";
  if (name !== name.trim()) return "the name starts or ends with a space";
  if ([...name].length > MAX_NAME_LENGTH) return `the name is longer than ${MAX_NAME_LENGTH} characters`;
  // Control characters would reach a terminal through `list` and the log through the guard.
  if (/\p{Cc}/u.test(name)) return "the name contains a control character";
  return undefined;
}

/** Names compare as a person reads them: "Claude" and "claude" are the same client. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const SLUG_LENGTH = 32;

/**
 * "My Claude!" -> "my-claude-3q2Lw9xYkT0a": the name in [a-z0-9-], then 12 random base64url
 * characters (72 bits) so that ids are not guessable from the name and never collide.
 * Never an https URL, which would name a client ID metadata document.
 */
export function readableClientId(name: string): string {
  const slug =
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, SLUG_LENGTH)
      .replace(/-+$/, "") || "client";
  return `${slug}-${randomBytes(9).toString("base64url")}`;
}
