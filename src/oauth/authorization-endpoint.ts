// The authorization endpoint (RFC 6749 §4.1.1–4.1.2, OAuth 2.1 §4.1): a validated request
// becomes a code once the owner has signed in and approved — or at once for the single
// pre-registered confidential client the configuration marks auto_approve. Dynamically registered and
// metadata-document clients always need the owner's approval.
import type { ClientRecord } from "../store/index.ts";
import { type AuthorizationRequestCheck, checkAuthorizationRequest, type PendingAuthorization } from "./authorization-request.ts";
import type { ClientDirectory } from "./client-directory.ts";
import { LIFETIMES, type OAuthContext } from "./context.ts";
import { randomToken, sha256Hex, TOKEN_PREFIX } from "./crypto.ts";
import { AccessDenied, type OAuthError } from "./errors.ts";
import type { Owner, OwnerSession } from "./owner.ts";

export interface PendingView {
  clientName: string;
  clientKind: string;
  clientId: string;
  /** A client the owner did not register, under the name of one they did. */
  namesakeOfPreregistered: boolean;
  redirectHost: string;
  resource: string;
  scopes: string[];
  /** The signed pending request, posted back by the forms. */
  request: string;
}

interface OwnerCookie {
  name: string;
  value: string;
  maxAgeS: number;
  secure: boolean;
}

export type AuthorizeOutcome = (
  | { kind: "redirect"; location: string }
  | { kind: "error-page"; status: number; title: string; description: string }
  | { kind: "login"; status: number; view: PendingView & { csrf: string; error?: string; notice?: string }; formTargets: string[] }
  | { kind: "consent"; view: PendingView & { csrf: string }; formTargets: string[] }
) & { cookie?: OwnerCookie };

interface AuthorizePost {
  form: Map<string, string>;
  cookie: string | undefined;
  origin: string | null;
  address: string;
}

export class AuthorizationEndpoint {
  constructor(
    private readonly context: OAuthContext,
    private readonly clients: ClientDirectory,
    private readonly owner: Owner,
  ) {}

  get cookieName(): string {
    // A __Host- cookie must be Secure, which browsers only keep over https.
    return this.secure ? "__Host-mcp-owner" : "mcp-owner";
  }

  private get secure(): boolean {
    return this.context.issuer.startsWith("https:");
  }

  /** GET /authorize */
  /** `address` is the client address: a metadata-document fetch it causes counts against its share. */
  async start(query: URLSearchParams, cookie: string | undefined, address?: string): Promise<AuthorizeOutcome> {
    const check = await checkAuthorizationRequest(query, this.clients, this.context.servers, address);
    if (!check.ok) return this.failure(check);
    const { client, pending } = check.value;
    const now = this.context.now();

    // RFC 8252 §8.6, RFC 6749 §10.2: only a client that authenticates at /token may skip the
    // owner; a public one marked auto_approve (an older state) still needs the owner's sign-in.
    if (client.kind === "preregistered" && client.auto_approve && client.secret_hash !== undefined) {
      return this.approve(client, pending, false);
    }

    const request = this.context.signer.sign("authorize", pending, now + LIFETIMES.pendingRequestMs);
    const session = this.owner.sessionFrom(cookie, now);
    if (!session) return this.loginPage(client, pending, request);
    if (this.context.store.consent.has(client.client_id, pending.resource, pending.scope)) return this.approve(client, pending, false);
    return this.consentPage(client, pending, request, session);
  }

  /** POST /authorize: the login form and the consent form. */
  async submit({ form, cookie, origin, address }: AuthorizePost): Promise<AuthorizeOutcome> {
    const now = this.context.now();
    // The forms are only ever posted by the appliance's own pages.
    if (origin !== null && origin !== this.context.issuer)
      return this.page(403, "Request refused", "This form was sent from another site.");
    const request = form.get("request") ?? "";
    const pending = this.context.signer.verify<PendingAuthorization>("authorize", request, now);
    if (!pending)
      return this.page(400, "Request expired", "The authorization request is invalid or has expired. Start again from your application.");
    const found = await this.clients.find(pending.clientId, address);
    if (!found.ok) {
      // A busy metadata-document fetcher is not an unknown client: 503, try again (RFC 6749 §4.1.2.1).
      if (found.error.status === 503) return this.page(503, "Try again shortly", found.error.description);
      return this.page(400, "Unknown client", found.error.description);
    }
    const client = found.value;

    const action = form.get("action");
    if (action === "login") {
      if (!this.owner.loginTokenMatches(request, form.get("csrf")))
        return this.page(403, "Request refused", "The form's security token is invalid. Reload the page and try again.");
      const result = await this.owner.login(form.get("password") ?? "", address, now);
      if (!result.ok) {
        const refusal = result.error;
        // "wrong" is a password that was checked: the log shows how many guesses were.
        this.context.log.info({ reason: refusal.kind }, "owner sign-in refused");
        const error =
          refusal.kind === "throttled"
            ? `Too many attempts. Try again in ${Math.ceil(refusal.retryAfterMs / 1000)} s.`
            : refusal.kind === "no_password"
              ? "No owner password is set. Run `mcp-appliance passwd` on the server first."
              : "Wrong password.";
        return this.loginPage(client, pending, request, error, refusal.kind === "throttled" ? 429 : 401);
      }
      this.context.log.info("owner signed in");
      const cookieValue = this.owner.cookieValue(result.value, now);
      const cookieOut = { name: this.cookieName, value: cookieValue, maxAgeS: LIFETIMES.ownerSessionMs / 1000, secure: this.secure };
      if (this.context.store.consent.has(client.client_id, pending.resource, pending.scope)) {
        return { ...this.approve(client, pending, false), cookie: cookieOut };
      }
      return { ...this.consentPage(client, pending, request, result.value), cookie: cookieOut };
    }

    const session = this.owner.sessionFrom(cookie, now);
    if (!session) return this.loginPage(client, pending, request, "Please sign in again.");
    if (!this.owner.csrfMatches(session, form.get("csrf")))
      return this.page(403, "Request refused", "The form's security token is invalid. Reload the page and try again.");
    if (action === "approve") return this.approve(client, pending, form.get("remember") === "yes");
    if (action === "deny") return this.redirectError(pending, new AccessDenied("the owner denied the request"));
    if (action === "signout") {
      this.owner.signOut();
      this.context.log.info("owner signed out");
      const cleared = { name: this.cookieName, value: "", maxAgeS: 0, secure: this.secure };
      return { ...this.loginPage(client, pending, request, undefined, 200, "You are signed out."), cookie: cleared };
    }
    return this.page(400, "Unknown action", "The form was not understood.");
  }

  private approve(client: ClientRecord, pending: PendingAuthorization, remember: boolean): AuthorizeOutcome {
    const { store } = this.context;
    const now = this.context.now();
    const code = randomToken(TOKEN_PREFIX.code);
    // One transaction: a grant never exists without the code that may redeem it.
    store.transaction(() => {
      const grant = store.grants.create({ client_id: client.client_id, resource: pending.resource, scope: pending.scope });
      store.codes.insert({
        code_hash: sha256Hex(code),
        grant_id: grant.grant_id,
        client_id: client.client_id,
        redirect_uri: pending.redirectUri,
        code_challenge: pending.codeChallenge,
        code_challenge_method: "S256",
        resource: pending.resource,
        scope: pending.scope,
        expires_at: now + LIFETIMES.authorizationCodeMs,
      });
      if (remember) store.consent.remember(client.client_id, pending.resource, pending.scope);
    });
    this.context.log.info({ client: client.client_id, resource: pending.resource }, "authorization granted");
    const params = new URLSearchParams({ code });
    if (pending.state !== undefined) params.set("state", pending.state);
    params.set("iss", this.context.issuer); // RFC 9207 §2
    return { kind: "redirect", location: withParams(pending.redirectUri, params) };
  }

  private failure(check: Extract<AuthorizationRequestCheck, { ok: false }>): AuthorizeOutcome {
    this.context.log.info(
      { error: check.error.code, reason: check.error.reason ?? check.error.description },
      "authorization request refused",
    );
    if (!check.redirect)
      return this.page(check.error.status === 401 ? 400 : check.error.status, "Authorization request refused", check.error.description);
    return { kind: "redirect", location: withParams(check.redirectUri, check.error.toRedirectParams(check.state, this.context.issuer)) };
  }

  private redirectError(pending: PendingAuthorization, error: OAuthError): AuthorizeOutcome {
    return { kind: "redirect", location: withParams(pending.redirectUri, error.toRedirectParams(pending.state, this.context.issuer)) };
  }

  private view(client: ClientRecord, pending: PendingAuthorization, request: string): PendingView {
    return {
      clientName: client.name,
      clientKind: client.kind,
      clientId: client.client_id,
      namesakeOfPreregistered: client.kind !== "preregistered" && this.isPreregisteredName(client.name),
      redirectHost: redirectHost(pending.redirectUri),
      resource: pending.resource,
      scopes: pending.scope.split(" "),
      request,
    };
  }

  private isPreregisteredName(name: string): boolean {
    const key = sameNameKey(name);
    return this.context.store.clients.list("preregistered").some((other) => sameNameKey(other.name) === key);
  }

  private loginPage(
    client: ClientRecord,
    pending: PendingAuthorization,
    request: string,
    error?: string,
    status = 200,
    notice?: string,
  ): AuthorizeOutcome {
    return {
      kind: "login",
      status,
      view: {
        ...this.view(client, pending, request),
        csrf: this.owner.loginToken(request),
        ...(error ? { error } : {}),
        ...(notice ? { notice } : {}),
      },
      formTargets: formTargets(pending.redirectUri),
    };
  }

  private consentPage(client: ClientRecord, pending: PendingAuthorization, request: string, session: OwnerSession): AuthorizeOutcome {
    return {
      kind: "consent",
      view: { ...this.view(client, pending, request), csrf: this.owner.csrfToken(session) },
      formTargets: formTargets(pending.redirectUri),
    };
  }

  private page(status: number, title: string, description: string): AuthorizeOutcome {
    return { kind: "error-page", status, title, description };
  }
}

/** Names a person would read as the same: case, width and compatibility forms, outer spaces aside. */
function sameNameKey(name: string): string {
  return name.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

function withParams(uri: string, params: URLSearchParams): string {
  const url = new URL(uri);
  for (const [name, value] of params) url.searchParams.set(name, value);
  return url.href;
}

function redirectHost(uri: string): string {
  const url = new URL(uri);
  return url.host === "" ? `${url.protocol}//${url.pathname.split("/")[0] ?? ""}` : `${url.protocol}//${url.host}`;
}

/** What CSP form-action must allow: the form posts here, then redirects to the client. */
function formTargets(uri: string): string[] {
  const url = new URL(uri);
  return url.protocol === "http:" || url.protocol === "https:" ? [url.origin] : [url.protocol];
}
