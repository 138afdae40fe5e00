// The owner of the appliance: the one person who approves clients. Their password hash comes
// from the configuration (owner_password_hash) or, failing that, from the state (set with
// `mcp-appliance passwd`). A signed cookie keeps them signed in for a while.
import type { Result } from "../common/result.ts";
import type { Store } from "../store/index.ts";
import { LIFETIMES } from "./context.ts";
import { randomToken } from "./crypto.ts";
import { LoginThrottle } from "./login-throttle.ts";
import type { SignedValues } from "./signed-value.ts";

export const OWNER_PASSWORD_SETTING = "owner_password_hash";

export interface OwnerSession {
  sid: string;
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
    const wait = this.throttle.waitMs(address, now);
    if (wait > 0) return { ok: false, error: { kind: "throttled", retryAfterMs: wait } };
    const hash = this.passwordHash;
    if (!hash) return { ok: false, error: { kind: "no_password" } };
    // Bun.password.verify is constant-time with respect to the password; an oversized input
    // is refused first so that it cannot make hashing expensive.
    const ok = password.length > 0 && password.length <= 1024 && (await Bun.password.verify(password, hash).catch(() => false));
    if (!ok) {
      this.throttle.failed(address, now);
      return { ok: false, error: { kind: "wrong" } };
    }
    this.throttle.succeeded(address);
    return { ok: true, value: { sid: randomToken("") } };
  }

  cookieValue(session: OwnerSession, now: number): string {
    return this.signer.sign("owner", session, now + LIFETIMES.ownerSessionMs);
  }

  sessionFrom(cookie: string | undefined, now: number): OwnerSession | undefined {
    const session = this.signer.verify<OwnerSession>("owner", cookie, now);
    return typeof session?.sid === "string" ? session : undefined;
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
