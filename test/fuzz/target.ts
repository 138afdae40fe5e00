// The appliance the fuzz suites attack, with every kind of credential in use: a public DCR client
// (A), a confidential DCR client with client_secret_post (B), a pre-registered auto-approved
// connector with client_secret_basic (C), a static API token, the owner password and cookie, and
// the state's signing key. Every secret goes into a SecretBook the checks search answers and logs for.
import { randomBytes } from "node:crypto";
import { openStore } from "../../src/store/index.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { formField, OWNER_PASSWORD, OwnerBrowser, ownerPasswordHash } from "../helpers/oauth.ts";
import {
  authorizeUrl,
  authorizeWithOwner,
  basicAuth,
  pkce,
  type Registered,
  register,
  registerPublic,
  sha256Hex,
  type TokenPair,
  tokens,
} from "../helpers/oauth-http.ts";
import { SecretBook } from "./harness.ts";

export const SERVER = "vault";
export const CALLBACK_A = "http://localhost/callback";
export const CALLBACK_B = "https://b.example/cb";
export const CALLBACK_C = "https://c.example/cb";
export const CONNECTOR_ID = "fuzz-connector";
export const MAX_MESSAGE_BYTES = 256 * 1024;
export const ACCEPT_BOTH = "application/json, text/event-stream";

export interface ClientCredentials {
  clientId: string;
  secret?: string;
  redirectUri: string;
  tokens: TokenPair;
}

export interface FuzzTarget {
  appliance: TestAppliance;
  base: string;
  mcpUrl: string;
  book: SecretBook;
  a: ClientCredentials;
  b: ClientCredentials;
  c: ClientCredentials;
  staticToken: string;
  /** The codes the setup redeemed (a second use is a replay), with their verifiers. */
  codes: { code: string; verifier: string }[];
  /** The owner's signed-in cookie ("name=value"). */
  ownerCookie: string;
  signingKey: string;
  /** A signed pending authorization request for client A and its login form's token (for /authorize POST). */
  pending: { request: string; csrf: string };
  stop(): Promise<void>;
}

export async function startFuzzTarget(options: { registrationRate?: { count: number; windowMs: number } } = {}): Promise<FuzzTarget> {
  const book = new SecretBook();
  const connectorSecret = `conn_${randomBytes(24).toString("base64url")}`;
  const staticToken = `static_${randomBytes(24).toString("base64url")}`;
  // A secret in the MCP server's own environment (as `env = { API_KEY = "env:…" }` would give it).
  const serverSecret = `srvkey_${randomBytes(24).toString("base64url")}`;
  const hash = await ownerPasswordHash();
  book.add("the owner password", OWNER_PASSWORD);
  book.add("the owner password hash", hash);
  book.add("the pre-registered client's secret", connectorSecret);
  book.add("the static API token", staticToken);
  book.add("the MCP server's API key (its environment)", serverSecret);

  const appliance = await startTestAppliance(
    [
      stdioServer(SERVER, "behaviour-server.mjs", {
        maxSessions: 12,
        requestTimeoutMs: 1500,
        maxMessageBytes: MAX_MESSAGE_BYTES,
        env: { FUZZ_SERVER_API_KEY: serverSecret },
      }),
    ],
    {
      auth: "oauth",
      oauthOverrides: {
        ownerPasswordHash: hash,
        registrationRate: options.registrationRate ?? { count: 1_000_000, windowMs: 3_600_000 },
        clients: [
          {
            name: "Fuzz connector",
            clientId: CONNECTOR_ID,
            clientSecretSha256: sha256Hex(connectorSecret),
            redirectUris: [CALLBACK_C],
            autoApprove: true,
          },
        ],
        staticTokens: [{ name: "fuzz-script", tokenSha256: sha256Hex(staticToken), servers: [SERVER] }],
      },
    },
  );
  const base = appliance.url;
  const store = openStore(appliance.config.stateDir);
  const signingKey = store.settings.get("signing_key");
  store.close();
  if (!signingKey) throw new Error("no signing key in the state database");
  book.add("the signing key", signingKey);

  // A: public client, the owner signs in and approves.
  const browser = new OwnerBrowser(base);
  const clientA: Registered = await registerPublic(base, [CALLBACK_A]);
  const codeA = await authorizeWithOwner(base, { clientId: clientA.client_id, redirectUri: CALLBACK_A }, browser);
  book.add("client A's authorization code", codeA.code);
  book.add("client A's code_verifier", codeA.verifier);
  const tokensA = await tokens(base, {
    grant_type: "authorization_code",
    code: codeA.code,
    code_verifier: codeA.verifier,
    client_id: clientA.client_id,
    redirect_uri: CALLBACK_A,
  });
  const ownerCookie = browser.cookie;
  book.add("the owner's session cookie", ownerCookie.slice(ownerCookie.indexOf("=") + 1));

  // B: confidential client (client_secret_post), approved by the signed-in owner.
  const clientB = await register(base, {
    client_name: "fuzz confidential client",
    redirect_uris: [CALLBACK_B],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  });
  book.add("client B's client_secret", clientB.client_secret);
  const codeB = await authorizeWithOwner(base, { clientId: clientB.client_id, redirectUri: CALLBACK_B }, browser);
  book.add("client B's authorization code", codeB.code);
  book.add("client B's code_verifier", codeB.verifier);
  const tokensB = await tokens(base, {
    grant_type: "authorization_code",
    code: codeB.code,
    code_verifier: codeB.verifier,
    client_id: clientB.client_id,
    client_secret: clientB.client_secret!,
  });

  // C: the pre-registered connector, auto-approved, client_secret_basic.
  const pairC = pkce();
  const redirect = await fetch(
    authorizeUrl(base, {
      response_type: "code",
      client_id: CONNECTOR_ID,
      redirect_uri: CALLBACK_C,
      code_challenge: pairC.challenge,
      code_challenge_method: "S256",
      state: "s",
    }),
    { redirect: "manual" },
  );
  const codeC = new URL(redirect.headers.get("location")!).searchParams.get("code")!;
  book.add("client C's authorization code", codeC);
  book.add("client C's code_verifier", pairC.verifier);
  const tokensC = await tokens(
    base,
    { grant_type: "authorization_code", code: codeC, code_verifier: pairC.verifier },
    { authorization: basicAuth(CONNECTOR_ID, connectorSecret) },
  );

  for (const [name, pair] of [
    ["A", tokensA],
    ["B", tokensB],
    ["C", tokensC],
  ] as const) {
    book.add(`client ${name}'s access token`, pair.access_token);
    book.add(`client ${name}'s refresh token`, pair.refresh_token);
  }

  // A pending request and its login token, as the login page hands them out (no cookie: login form).
  const pendingPair = pkce();
  const page = await fetch(
    authorizeUrl(base, {
      response_type: "code",
      client_id: clientA.client_id,
      redirect_uri: CALLBACK_A,
      code_challenge: pendingPair.challenge,
      code_challenge_method: "S256",
      state: "fuzz",
    }),
  );
  const html = await page.text();
  const pending = { request: formField(html, "request"), csrf: formField(html, "csrf") };

  return {
    appliance,
    base,
    mcpUrl: appliance.mcpUrl(SERVER).href,
    book,
    a: { clientId: clientA.client_id, redirectUri: CALLBACK_A, tokens: tokensA },
    b: { clientId: clientB.client_id, secret: clientB.client_secret!, redirectUri: CALLBACK_B, tokens: tokensB },
    c: { clientId: CONNECTOR_ID, secret: connectorSecret, redirectUri: CALLBACK_C, tokens: tokensC },
    staticToken,
    codes: [
      { code: codeA.code, verifier: codeA.verifier },
      { code: codeB.code, verifier: codeB.verifier },
      { code: codeC, verifier: pairC.verifier },
    ],
    ownerCookie,
    signingKey,
    pending,
    stop: () => appliance.stop(),
  };
}

/** Record the credentials an answer hands out, so that later answers and the log are searched for them too. */
export function collectIssued(book: SecretBook, status: number, headers: Headers | string, body: string): void {
  if (status === 200 || status === 201) {
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      for (const key of ["access_token", "refresh_token", "client_secret"]) {
        if (typeof json[key] === "string") book.add(`an issued ${key}`, json[key] as string);
      }
    } catch {
      // not JSON: nothing issued
    }
  }
  const location = typeof headers === "string" ? /\r\nlocation: *([^\r\n]*)/i.exec(headers)?.[1] : headers.get("location");
  const code = location ? URL.parse(location, "http://x")?.searchParams.get("code") : undefined;
  if (code) book.add("an issued authorization code", code);
  const cookie =
    typeof headers === "string"
      ? /\r\nset-cookie: *[^=]*=([^;\r\n]*)/i.exec(headers)?.[1]
      : headers.get("set-cookie")?.split(";")[0]?.split("=").slice(1).join("=");
  if (cookie) book.add("an issued owner cookie", cookie);
}
