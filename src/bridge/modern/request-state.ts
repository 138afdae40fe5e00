// The requestState of a multi round-trip request (protocol revision 2026-07-28, mrtr): an opaque
// string the client echoes on its retry. It names the bridge's call in flight, so it is
// attacker-controlled input that influences which call a retry resumes: it is integrity
// protected and bound to who asked what (mrtr §Server Requirements 4–5).
//
// Wire form: `b64url(payload JSON) "." b64url(HMAC-SHA256(key, MAC_LABEL + payload part))`, the
// payload `{"c":callId,"x":expiry ms,"n":nonce,"b":binding tag}`, the binding tag
// `b64url(HMAC-SHA256(key, BIND_LABEL + binding)[:16])` — the binding itself is never written out.
// Signed, not encrypted: a client can read the call id and expiry, which tell it nothing it can use.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isObject, parseObject } from "../../common/json-object.ts";
import type { Result } from "../../common/result.ts";

/** What a requestState is bound to: a retry must come from the same principal, for the same request. */
export interface CallBinding {
  principal: string;
  server: string;
  method: string;
  paramsDigest: string;
}

type StateError = "malformed" | "forged" | "expired" | "foreign";

const MAC_LABEL = "mcp-appliance requestState v1 mac\u0000";
const BIND_LABEL = "mcp-appliance requestState v1 bind\u0000";
/** A sealed state is a few hundred bytes; anything much longer is not one and is not hashed. */
const MAX_STATE_LENGTH = 16 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The params members that differ between a request and its retry (schema.ts `InputResponseRequestParams`, `_meta`). */
const NOT_DIGESTED = new Set(["_meta", "inputResponses", "requestState"]);

/**
 * mrtr §Server Requirements 5 ("a digest of its salient parameters"): sha256, base64url, of the
 * canonical JSON (keys sorted at every level) of a request's params without `_meta`,
 * `inputResponses` and `requestState`, so a retry that changes the tool, its arguments or the
 * URI no longer matches. Absent params digest as `{}`.
 */
export function paramsDigest(params: Record<string, unknown> | undefined): string {
  const salient: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params ?? {})) if (!NOT_DIGESTED.has(key)) salient[key] = value;
  return createHash("sha256").update(canonicalJson(salient)).digest("base64url");
}

export class RequestStateSealer {
  private readonly key: Uint8Array;

  /** `key` defaults to 32 random bytes: states do not outlive the process, as the calls they name do not. */
  constructor(
    private readonly ttlMs: number,
    key?: Uint8Array,
  ) {
    this.key = key ?? randomBytes(32);
  }

  /** A new state naming `callId` for `binding`, valid until `now + ttlMs`; never the same text twice. */
  seal(callId: string, binding: CallBinding, now: number): string {
    const payload = { c: callId, x: now + this.ttlMs, n: randomBytes(12).toString("base64url"), b: this.bindTag(binding) };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.mac(body)}`;
  }

  /**
   * The call id of a state this sealer made for `binding` that has not expired. Never throws;
   * the MAC and the binding tag are compared in constant time, and nothing is parsed before the
   * MAC holds.
   */
  open(state: string, binding: CallBinding, now: number): Result<string, StateError> {
    if (typeof state !== "string" || state.length > MAX_STATE_LENGTH) return { ok: false, error: "malformed" };
    const parts = state.split(".");
    const [body, mac] = parts;
    if (parts.length !== 2 || !body || !mac || !BASE64URL.test(body) || !BASE64URL.test(mac)) return { ok: false, error: "malformed" };
    if (!sameText(mac, this.mac(body))) return { ok: false, error: "forged" };
    const payload = parseObject(Buffer.from(body, "base64url").toString("utf8"));
    if (!payload || typeof payload.c !== "string" || typeof payload.x !== "number" || typeof payload.b !== "string") {
      return { ok: false, error: "malformed" };
    }
    if (!sameText(payload.b, this.bindTag(binding))) return { ok: false, error: "foreign" };
    if (now >= payload.x) return { ok: false, error: "expired" };
    return { ok: true, value: payload.c };
  }

  private mac(body: string): string {
    return createHmac("sha256", this.key).update(MAC_LABEL).update(body).digest("base64url");
  }

  private bindTag(binding: CallBinding): string {
    const bound = JSON.stringify([binding.principal, binding.server, binding.method, binding.paramsDigest]);
    return createHmac("sha256", this.key).update(BIND_LABEL).update(bound).digest().subarray(0, 16).toString("base64url");
  }
}

/** Constant-time equality of two strings (their lengths are not secret). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * JSON with object keys sorted, built without recursion: params come from a request body, and a
 * deeply nested one must not overflow the stack (JSON.parse accepted it, so it is plain JSON).
 */
function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const next = todo.pop();
    if (next instanceof Literal) {
      out.push(next.text);
      continue;
    }
    if (!Array.isArray(next) && !isObject(next)) {
      out.push(JSON.stringify(next) ?? "null");
      continue;
    }
    // Pushed last part first: the stack gives them back in order.
    const array = Array.isArray(next);
    const parts: unknown[] = [new Literal(array ? "[" : "{")];
    if (array) {
      for (let i = 0; i < next.length; i++) parts.push(...(i > 0 ? [new Literal(","), next[i]] : [next[i]]));
    } else {
      const keys = Object.keys(next).sort();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        parts.push(new Literal(`${i > 0 ? "," : ""}${JSON.stringify(key)}:`), next[key]);
      }
    }
    parts.push(new Literal(array ? "]" : "}"));
    for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
  }
  return out.join("");
}

/** Text already in canonical form, waiting on the stack of canonicalJson. */
class Literal {
  constructor(readonly text: string) {}
}
