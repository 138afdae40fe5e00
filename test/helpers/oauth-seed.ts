// Records written straight into a running appliance's state database, for tests of /token and
// /revoke that are about those endpoints, not about the owner's pages: a grant with its
// authorization code, as the owner's approval at /authorize writes them
// (src/oauth/authorization-endpoint.ts, approve). The test then speaks HTTP to /token with it.
import { createHash, randomBytes } from "node:crypto";
import { openStore } from "../../src/store/index.ts";
import type { TestAppliance } from "./appliance.ts";
import { type Pkce, pkce, type TokenPair, tokens } from "./oauth-http.ts";

/** The appliance's authorization code lifetime (src/oauth/context.ts LIFETIMES): 60 s. */
const CODE_LIFETIME_MS = 60_000;

/** Run `write` against the appliance's database; the appliance sees the rows on its next read. */
function withStore<T>(appliance: TestAppliance, write: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(appliance.config.stateDir);
  try {
    return write(store);
  } finally {
    store.close();
  }
}

export interface SeededCode {
  code: string;
  verifier: string;
  grantId: string;
}

/**
 * A grant and an unused authorization code for `clientId`, as if the owner had just approved:
 * for the appliance's first server unless `resource` and `scope` say otherwise.
 */
export function seedAuthorizationCode(
  appliance: TestAppliance,
  options: { clientId: string; redirectUri: string; resource?: string; scope?: string; pkce?: Pkce },
): SeededCode {
  const server = appliance.config.servers[0]!;
  const resource = options.resource ?? `${appliance.url}${server.path}`;
  const scope = options.scope ?? `mcp:${server.name}`;
  const pair = options.pkce ?? pkce();
  const code = `mcpc_${randomBytes(32).toString("base64url")}`;
  const grantId = withStore(appliance, (store) =>
    store.transaction(() => {
      const grant = store.grants.create({ client_id: options.clientId, resource, scope });
      store.codes.insert({
        code_hash: createHash("sha256").update(code, "utf8").digest("hex"),
        grant_id: grant.grant_id,
        client_id: options.clientId,
        redirect_uri: options.redirectUri,
        code_challenge: pair.challenge,
        code_challenge_method: "S256",
        resource,
        scope,
        expires_at: Date.now() + CODE_LIFETIME_MS,
      });
      return grant.grant_id;
    }),
  );
  return { code, verifier: pair.verifier, grantId };
}

/** Tokens for a public client over HTTP, from a seeded code: POST /token must succeed. */
export function seededTokens(appliance: TestAppliance, clientId: string, redirectUri: string): Promise<TokenPair> {
  const { code, verifier } = seedAuthorizationCode(appliance, { clientId, redirectUri });
  return tokens(appliance.url, {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: redirectUri,
  });
}
