// The owner of the appliance: the one person who approves clients. Their password hash comes
// from the configuration (owner_password_hash) or, failing that, from the state (set with
// `mcp-appliance passwd`). A signed cookie keeps them signed in for a while.
//
// A session cookie carries a token bound to the password hash and to the sign-out generation in
// the state, both checked on every use: a new password (set here, by `passwd` from another
// process, or in the configuration) and a sign-out end every owner session at once (issue 13:
// "the owner's sign-in can't be ended").
import type { Result } from "../common/result.ts";
import type { Store } from "../store/index.ts";
import { LIFETIMES } from "./context.ts";
import { randomToken } from "./crypto.ts";
import { LoginThrottle } from "./login-throttle.ts";
import type { SignedValues } from "./signed-value.ts";

export const OWNER_PASSWORD_SETTING = "owner_password_hash";

/** Changed by a sign-out; every session signed in under another value has ended. */
const SESSION_GENERATION_SETTING = "owner_session_generation";

export interface OwnerSession {
  sid: string;
  /** signer.bind("owner-session", generation + password hash) when the session began. */
  gen: string;
}

/** Why a sign-in failed: the caller words each kind for the owner. */
type LoginRefusal = { kind: "no_password" } | { kind: "wrong" } | { kind: "throttled"; retryAfterMs: number };

type LoginResult = Result<OwnerSession, LoginRefusal>;

export class Owner {
  private readonly throttle = new LoginThrottle();

  constructor(
    private readonly store: Store,
    private readonly signer: SignedValues,
    private readonly configuredHash: string | undefined,
  ) {}

  get passwordHash(): string | undefined {
    return this.configuredHash ?? this.store.settings.get(OWNER_PASSWORD_SETTING);
  }

  async login(password: string, address: string, now: number): Promise<LoginResult> {
    const hash = this.passwordHash;
    if (!hash) return { ok: false, error: { kind: "no_password" } };
    // Charged before the check, and the checks running at once bounded (login-throttle.ts).
    const admission = this.throttle.admit(address, now);
    if (!admission.ok) return { ok: false, error: { kind: "throttled", retryAfterMs: admission.retryAfterMs } };
    // Bun.password.verify is constant-time with respect to the password; an oversized input
    // is refused first so that it cannot make hashing expensive.
    let ok = false;
    try {
      ok = password.length > 0 && password.length <= 1024 && (await Bun.password.verify(password, hash).catch(() => false));
    } finally {
      admission.finish(ok);
    }
    if (!ok) return { ok: false, error: { kind: "wrong" } };
    return { ok: true, value: { sid: randomToken(""), gen: this.generationToken(hash) } };
  }

  /** Ends every owner session: the one signing out and those on other devices alike. */
  signOut(): void {
    this.store.settings.set(SESSION_GENERATION_SETTING, randomToken(""));
  }

  cookieValue(session: OwnerSession, now: number): string {
    return this.signer.sign("owner", session, now + LIFETIMES.ownerSessionMs);
  }

  sessionFrom(cookie: string | undefined, now: number): OwnerSession | undefined {
    const session = this.signer.verify<OwnerSession>("owner", cookie, now);
    if (typeof session?.sid !== "string" || typeof session.gen !== "string") return undefined;
    const hash = this.passwordHash;
    return hash !== undefined && this.signer.boundMatches("owner-session", this.generationSubject(hash), session.gen) ? session : undefined;
  }

  private generationToken(hash: string): string {
    return this.signer.bind("owner-session", this.generationSubject(hash));
  }

  private generationSubject(hash: string): string {
    return `${this.store.settings.get(SESSION_GENERATION_SETTING) ?? ""}\u0000${hash}`;
  }

  csrfToken(session: OwnerSession): string {
    return this.signer.bind("csrf", session.sid);
  }

  csrfMatches(session: OwnerSession, presented: string | undefined): boolean {
    return this.signer.boundMatches("csrf", session.sid, presented);
  }

  /** Before sign-in there is no session: the login form's token is bound to the pending request. */
  loginToken(request: string): string {
    return this.signer.bind("login", request);
  }

  loginTokenMatches(request: string, presented: string | undefined): boolean {
    return this.signer.boundMatches("login", request, presented);
  }
}
