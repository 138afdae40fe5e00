// OAuth helpers for tests: an in-memory SDK OAuthClientProvider, and the owner's side of the
// flow played over plain HTTP (a tiny cookie-keeping "browser" that signs in and approves).
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";

export const OWNER_PASSWORD = "correct horse battery staple";
let ownerHash: string | undefined;
export async function ownerPasswordHash(): Promise<string> {
  ownerHash ??= await Bun.password.hash(OWNER_PASSWORD, { algorithm: "argon2id", memoryCost: 4096, timeCost: 2 });
  return ownerHash;
}

export class MemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private info: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";

  constructor(
    readonly redirectUrl = "http://localhost:47123/callback",
    private readonly metadataOverrides: Partial<OAuthClientMetadata> = {},
    preregistered?: OAuthClientInformationMixed,
    readonly clientMetadataUrl?: string,
  ) {
    this.info = preregistered;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "SDK test client",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      ...this.metadataOverrides,
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** The value of a hidden field of one of the appliance's pages (login, consent), HTML entities decoded. */
export function formField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no ${name} field in the page:\n${html.slice(0, 2000)}`);
  return match[1]!
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
}

/** The owner at their browser: cookies kept, redirects not followed (the client's URL is the goal). */
export class OwnerBrowser {
  cookie = "";

  constructor(private readonly origin: string) {}

  async get(url: URL | string): Promise<Response> {
    return this.remember(await fetch(url, { redirect: "manual", headers: this.cookie ? { cookie: this.cookie } : {} }));
  }

  async post(fields: Record<string, string>): Promise<Response> {
    return this.remember(
      await fetch(new URL("/authorize", this.origin), {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: this.origin,
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        body: new URLSearchParams(fields),
      }),
    );
  }

  /**
   * At the login page the authorization URL shows, sign in: the consent page that follows, not yet
   * approved (its body already read into `consentHtml`; `consent` is there for its headers).
   */
  async signIn(
    authorizationUrl: URL | string,
    password = OWNER_PASSWORD,
  ): Promise<{ loginHtml: string; consentHtml: string; consent: Response }> {
    const login = await this.get(authorizationUrl);
    const loginHtml = await login.text();
    if (login.status !== 200 || !loginHtml.includes('value="login"'))
      throw new Error(`expected the login page, got ${login.status}:\n${loginHtml.slice(0, 2000)}`);
    const consent = await this.post({
      action: "login",
      request: formField(loginHtml, "request"),
      csrf: formField(loginHtml, "csrf"),
      password,
    });
    const consentHtml = await consent.text();
    if (consent.status !== 200 || !consentHtml.includes('value="approve"'))
      throw new Error(`expected the consent page, got ${consent.status}:\n${consentHtml.slice(0, 2000)}`);
    return { loginHtml, consentHtml, consent };
  }

  /** From the authorization URL to the redirect back to the client: sign in if asked, approve. */
  async approve(authorizationUrl: URL, password = OWNER_PASSWORD, remember = false): Promise<URL> {
    let response = await this.get(authorizationUrl);
    for (let step = 0; step < 3; step++) {
      if (response.status === 303 || response.status === 302) return new URL(response.headers.get("location")!);
      const html = await response.text();
      if (html.includes('value="login"')) {
        response = await this.post({ action: "login", request: formField(html, "request"), csrf: formField(html, "csrf"), password });
      } else if (html.includes('value="approve"')) {
        response = await this.post({
          action: "approve",
          request: formField(html, "request"),
          csrf: formField(html, "csrf"),
          ...(remember ? { remember: "yes" } : {}),
        });
      } else {
        throw new Error(`unexpected page (${response.status}):\n${html.slice(0, 2000)}`);
      }
    }
    throw new Error("the flow did not end in a redirect");
  }

  private remember(response: Response): Response {
    const set = response.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0]!;
    return response;
  }
}
