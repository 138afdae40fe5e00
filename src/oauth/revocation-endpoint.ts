// Token revocation (RFC 7009). The client authenticates as at the token endpoint; revoking a
// refresh token revokes its whole grant (RFC 7009 §2.1: the server SHOULD also invalidate the
// access tokens of that grant). An unknown token is not an error (§2.2).
import { authenticateClient } from "./client-authentication.ts";
import type { ClientDirectory } from "./client-directory.ts";
import type { OAuthContext } from "./context.ts";
import { sha256Hex } from "./crypto.ts";
import { InvalidRequest, type Outcome, UnsupportedTokenType } from "./errors.ts";

export class RevocationEndpoint {
  constructor(
    private readonly context: OAuthContext,
    private readonly clients: ClientDirectory,
  ) {}

  /** `requester`: the client's address, for the per-requester bound of metadata document fetches. */
  async revoke(form: Map<string, string>, authorization: string | null, requester?: string): Promise<Outcome<null>> {
    const token = form.get("token");
    if (token === undefined) return { ok: false, error: new InvalidRequest("token is required") };
    const hint = form.get("token_type_hint");
    if (hint !== undefined && hint !== "access_token" && hint !== "refresh_token") {
      return { ok: false, error: new UnsupportedTokenType(`token_type_hint ${hint.slice(0, 40)} is not supported`) };
    }
    const authenticated = await authenticateClient(this.clients, form, authorization, requester);
    if (!authenticated.ok) return authenticated;
    const client = authenticated.value;
    const { store, tokenCache } = this.context;
    const hash = sha256Hex(token);
    const now = this.context.now();

    const access = store.accessTokens.get(hash);
    const refresh = access ? undefined : store.refreshTokens.get(hash);
    const owner = access?.client_id ?? refresh?.client_id;
    if (owner === undefined) return { ok: true, value: null };
    // RFC 7009 §2.1: the server verifies the token was issued to the client making the request.
    // invalid_request, not the token endpoint's invalid_grant: here the token is not a grant
    // being redeemed, and RFC 7009 §2.2.1 names no code; node-oidc-provider answers the same
    // ("this token does not belong to you", lib/actions/revocation.js).
    if (owner !== client.client_id) return { ok: false, error: new InvalidRequest("the token was not issued to this client") };
    if (access) {
      store.accessTokens.revoke(hash, now);
      tokenCache.forgetToken(hash);
    } else if (refresh) {
      store.refreshTokens.revoke(hash, now);
      tokenCache.forgetGrant(refresh.grant_id);
    }
    this.context.log.info({ client: client.client_id, kind: access ? "access" : "refresh" }, "token revoked");
    return { ok: true, value: null };
  }
}
