// Values the appliance hands to a browser and must get back unaltered (the owner's session
// cookie, a pending authorization request carried through the login and consent forms):
// base64url(JSON) + "." + base64url(HMAC-SHA256). Nothing secret goes inside: they are signed,
// not encrypted.
import { createHmac, timingSafeEqual } from "node:crypto";

export class SignedValues {
  constructor(private readonly key: string) {
    if (key.length < 32) throw new Error("the signing key must be at least 32 characters");
  }

  /** `purpose` separates the uses of one key: a consent blob can never pass as a cookie. */
  sign(purpose: string, value: unknown, expiresAt: number): string {
    const body = Buffer.from(JSON.stringify({ p: purpose, v: value, e: expiresAt })).toString("base64url");
    return `${body}.${this.mac(body)}`;
  }

  verify<T>(purpose: string, signed: string | null | undefined, now: number): T | undefined {
    if (!signed || signed.length > 16_384) return undefined;
    const dot = signed.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const body = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1), "base64url");
    const expected = Buffer.from(this.mac(body), "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { p?: unknown; v?: unknown; e?: unknown };
      if (parsed.p !== purpose || typeof parsed.e !== "number" || parsed.e <= now) return undefined;
      return parsed.v as T;
    } catch {
      return undefined;
    }
  }

  /** A token bound to `subject` (e.g. CSRF token bound to the owner's session id). */
  bind(purpose: string, subject: string): string {
    return this.mac(`${purpose}\u0000${subject}`);
  }

  boundMatches(purpose: string, subject: string, presented: string | null | undefined): boolean {
    if (!presented) return false;
    const given = Buffer.from(presented, "base64url");
    const expected = Buffer.from(this.bind(purpose, subject), "base64url");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(data: string): string {
    return createHmac("sha256", this.key).update(data).digest("base64url");
  }
}
