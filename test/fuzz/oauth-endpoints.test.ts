// Property-based fuzzing of the authorization server of a running appliance: form bodies for
// /token, /revoke and the /authorize forms, JSON for /register, query strings for /authorize and
// the discovery documents. Half of the cases are valid requests (real codes, verifiers, refresh
// tokens, client secrets, the owner's cookie and CSRF tokens) with up to three mutations — a
// field dropped, emptied, repeated, replaced by junk or by another client's value — so that they
// reach deep into each endpoint; the other half are random forms and raw bytes. Every answer: no
// 5xx but a deliberate 503 with an OAuth error body, no secret that the request's URL and
// non-secret fields did not carry, within the deadline; the process healthy after each property;
// nothing secret in the log. Credentials the fuzzing obtains (a refresh that succeeds, a
// registration, a code) join the secrets searched for.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formField, OWNER_PASSWORD } from "../helpers/oauth.ts";
import { basicAuth, pkce } from "../helpers/oauth-http.ts";
import { anyText, authorizationHeader, encodeForm, headerText, QUERY_NAMES, rawFormBody, requestTarget } from "./arbitraries.ts";
import {
  type Answer,
  expectHealthy,
  expectNoSecret,
  expectNoServerError,
  fuzz,
  printSummary,
  type Sent,
  secretsInLog,
  send,
} from "./harness.ts";
import { collectIssued, type FuzzTarget, startFuzzTarget } from "./target.ts";

let target: FuzzTarget;
/** The consent form of client B for the signed-in owner: its signed request and CSRF token. */
let consent: { request: string; csrf: string };
/** Each client's newest refresh token (a successful refresh rotates it). */
const refreshOf = new Map<string, string>();

beforeAll(async () => {
  target = await startFuzzTarget();
  for (const client of [target.a, target.b, target.c]) refreshOf.set(client.clientId, client.tokens.refresh_token!);
  const challenge = pkce().challenge;
  const page = await fetch(
    `${target.base}/authorize?${new URLSearchParams({ response_type: "code", client_id: target.b.clientId, redirect_uri: target.b.redirectUri, code_challenge: challenge, code_challenge_method: "S256" })}`,
    { headers: { cookie: target.ownerCookie } },
  );
  const html = await page.text();
  consent = { request: formField(html, "request"), csrf: formField(html, "csrf") };
});
afterAll(async () => {
  printSummary("oauth-endpoints");
  await target?.stop();
});
afterEach(async () => {
  await expectHealthy(target.base);
});

// ---- forms: symbols for the real values, templates, mutations ------------------------------

type Form = [string, string][];

/** A new code for the auto-approved connector (C), recorded as a secret. */
async function freshCode(): Promise<{ code: string; verifier: string }> {
  const pair = pkce();
  const query = new URLSearchParams({
    response_type: "code",
    client_id: target.c.clientId,
    redirect_uri: target.c.redirectUri,
    code_challenge: pair.challenge,
    code_challenge_method: "S256",
  });
  const response = await fetch(`${target.base}/authorize?${query}`, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const code = new URL(response.headers.get("location")!).searchParams.get("code")!;
  target.book.add("a fresh authorization code", code);
  target.book.add("a fresh code_verifier", pair.verifier);
  return { code, verifier: pair.verifier };
}

/** Fresh tokens for the connector (C), for /revoke cases that should find something to revoke. */
async function freshTokens(): Promise<{ access: string; refresh: string }> {
  const { code, verifier } = await freshCode();
  const response = await fetch(`${target.base}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basicAuth(target.c.clientId, target.c.secret!) },
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier }),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await response.json()) as { access_token: string; refresh_token: string };
  target.book.add("a fresh access token", json.access_token);
  target.book.add("a fresh refresh token", json.refresh_token);
  return { access: json.access_token, refresh: json.refresh_token };
}

/** Symbols for credentials, which mutations only put into credential fields (see SECRET_FIELDS), and for public values. */
const SECRET_SYMBOLS = [
  "$B.secret",
  "$C.secret",
  "$A.refresh",
  "$B.refresh",
  "$C.refresh",
  "$A.access",
  "$B.access",
  "$C.access",
  "$static",
];
const PUBLIC_SYMBOLS = ["$A.id", "$B.id", "$C.id", "$own", "$C.redirect", "$B.redirect", "$A.redirect"];

/** The real value a symbol stands for ("$A.refresh": client A's newest refresh token …). */
async function resolver(form: Form): Promise<(value: string) => string> {
  const needsCode = form.some(([, v]) => v === "$fresh.code" || v === "$fresh.verifier");
  const fresh = needsCode ? await freshCode() : undefined;
  const needsTokens = form.some(([, v]) => v === "$fresh.access" || v === "$fresh.refresh");
  const tokens = needsTokens ? await freshTokens() : undefined;
  const clients = { A: target.a, B: target.b, C: target.c } as const;
  return (value) => {
    if (!value.startsWith("$")) return value;
    if (value === "$fresh.code") return fresh!.code;
    if (value === "$fresh.verifier") return fresh!.verifier;
    if (value === "$fresh.access") return tokens!.access;
    if (value === "$fresh.refresh") return tokens!.refresh;
    if (value === "$static") return target.staticToken;
    if (value === "$own") return target.mcpUrl;
    if (value === "$pending") return target.pending.request;
    if (value === "$pending.csrf") return target.pending.csrf;
    if (value === "$consent") return consent.request;
    if (value === "$consent.csrf") return consent.csrf;
    if (value === "$password") return OWNER_PASSWORD;
    const match = /^\$([ABC])\.(id|secret|refresh|access|redirect)$/.exec(value);
    if (!match) return value;
    const client = clients[match[1] as "A" | "B" | "C"];
    switch (match[2]) {
      case "id":
        return client.clientId;
      case "secret":
        return client.secret ?? "";
      case "refresh":
        return refreshOf.get(client.clientId)!;
      case "access":
        return client.tokens.access_token;
      default:
        return client.redirectUri;
    }
  };
}

/** Authorization header symbols: "basic:B" is client B's client_secret_basic header. */
function authorizationOf(symbol: string | undefined): string | undefined {
  if (symbol === "basic:B") return basicAuth(target.b.clientId, target.b.secret!);
  if (symbol === "basic:C") return basicAuth(target.c.clientId, target.c.secret!);
  if (symbol === "basic:C-wrong") return basicAuth(target.c.clientId, `${target.c.secret!}x`);
  return symbol;
}

/** One edit of a form: a field dropped, emptied, repeated, given junk or another real value, or an unknown one added. */
function formMutation(values: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<(form: Form) => Form> {
  const names = Object.keys(values);
  const at = (form: Form, i: number) => (form.length === 0 ? -1 : i % form.length);
  return fc.oneof(
    fc.nat().map((i) => (f: Form) => f.filter((_, j) => j !== at(f, i))),
    fc.nat().map((i) => (f: Form) => f.map((p, j): [string, string] => (j === at(f, i) ? [p[0], ""] : p))),
    fc.nat().map((i) => (f: Form) => (f.length === 0 ? f : [...f, f[at(f, i)]!])),
    fc.tuple(fc.nat(), anyText(60)).map(
      ([i, v]) =>
        (f: Form) =>
          f.map((p, j): [string, string] => (j === at(f, i) ? [p[0], v] : p)),
    ),
    // Another real value: a credential only where credentials go (the log may name public fields).
    fc.tuple(fc.nat(), fc.constantFrom(...SECRET_SYMBOLS), fc.constantFrom(...PUBLIC_SYMBOLS)).map(
      ([i, secret, open]) =>
        (f: Form) =>
          f.map((p, j): [string, string] => (j === at(f, i) ? [p[0], SECRET_FIELDS.has(p[0]) ? secret : open] : p)),
    ),
    fc
      .constantFrom(...names)
      .chain((name) => values[name]!.map((v) => (f: Form) => [...f.filter((p) => p[0] !== name), [name, v] as [string, string]])),
    fc.tuple(anyText(20), anyText(40)).map(([n, v]) => (f: Form) => [...f, [n, v] as [string, string]]),
  );
}

/**
 * Forms for one endpoint: a valid template with zero to three mutations, or each known field
 * present or not with a plausible value (those in `likely` more often), plus stray fields.
 */
function forms(templates: fc.Arbitrary<Form>, values: Record<string, fc.Arbitrary<string>>, likely: string[]): fc.Arbitrary<Form> {
  const mutated = fc
    .tuple(templates, fc.array(formMutation(values), { maxLength: 3 }))
    .map(([form, edits]) => edits.reduce((acc, edit) => edit(acc), form));
  const known = Object.keys(values);
  const model = Object.fromEntries(
    known.map((name) => [
      name,
      fc.oneof(
        { weight: likely.includes(name) ? 4 : 1, arbitrary: values[name]!.map((v) => [v]) },
        { weight: 1, arbitrary: fc.constant([] as string[]) },
      ),
    ]),
  );
  const random = fc
    .tuple(fc.record(model), fc.array(fc.tuple(anyText(20), anyText(40)), { maxLength: 2 }), fc.nat())
    .map(([present, extra, rotate]) => {
      const all: Form = [
        ...Object.entries(present).flatMap(([name, vs]) => (vs as string[]).map((v): [string, string] => [name, v])),
        ...extra,
      ];
      const r = all.length === 0 ? 0 : rotate % all.length;
      return [...all.slice(r), ...all.slice(0, r)];
    });
  return fc.oneof({ weight: 1, arbitrary: mutated }, { weight: 1, arbitrary: random });
}

/** Fields whose values are credentials: a response must not reflect them even to their sender. */
const SECRET_FIELDS = new Set(["password", "client_secret", "code_verifier", "refresh_token", "token", "code", "csrf", "request"]);

/** The part of a form request a response may reflect: the URL and the non-secret fields. */
function carriedByForm(url: string, form: Form | undefined, raw: string): string {
  if (form === undefined) return `${url}\n${raw}`;
  return `${url}\n${form
    .filter(([name]) => !SECRET_FIELDS.has(name))
    .map(([n, v]) => `${n}=${v}`)
    .join("\n")}`;
}

async function formCase(path: string, form: Form | undefined, raw: string, headers: Record<string, string>): Promise<Answer> {
  const url = `${target.base}${path}`;
  const body = form ? encodeForm(form) : raw;
  const answer = await send({ method: "POST", url, headers, body });
  const what = `POST ${path} ${body.slice(0, 300)}`;
  expectNoServerError(answer.status, answer.body, what);
  expectNoSecret(target.book, answer, carriedByForm(url, form, body), what);
  collectIssued(target.book, answer.status, answer.headers, answer.body);
  return answer;
}

const FORM_TYPES = [
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "application/json",
  "text/plain",
  "multipart/form-data; boundary=x",
];
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant(FORM_TYPES[0]!) },
  { weight: 1, arbitrary: fc.constantFrom(...FORM_TYPES.slice(1)) },
  { weight: 1, arbitrary: headerText(40) },
);
const origin = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom("own", "https://evil.example", "null") },
  { weight: 1, arbitrary: headerText(40) },
);
/** Rarely a raw (possibly malformed) body instead of the form. */
const useRaw = fc.integer({ min: 0, max: 5 }).map((n) => n === 0);

function headersOf(c: { contentType?: string; origin?: string; authorization?: string; cookie?: string }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (c.contentType !== undefined) headers["content-type"] = c.contentType;
  if (c.origin !== undefined) headers.origin = c.origin === "own" ? target.base : c.origin;
  const authorization = authorizationOf(c.authorization);
  if (authorization !== undefined) headers.authorization = authorization;
  if (c.cookie !== undefined) headers.cookie = c.cookie === "owner" ? target.ownerCookie : c.cookie;
  return headers;
}

const clientAuthorization = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom("basic:B", "basic:C", "basic:C-wrong") },
  { weight: 1, arbitrary: authorizationHeader(["bWNw", "Zm9vOmJhcg==", "OnNlY3JldA=="]) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom("fuzz-connector", "a:b", "%zz", "", "dyn_"), anyText(30)).map(([id, secret]) => {
      try {
        return basicAuth(id, secret);
      } catch {
        return `Basic ${id}`;
      }
    }),
  },
);

const symbolOr = (symbols: string[], wrong: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...symbols) }, { weight: 1, arbitrary: wrong });
const clientIdValue = symbolOr(
  ["$A.id", "$B.id", "$C.id"],
  fc.oneof(anyText(60), fc.constantFrom("https://127.0.0.1/client.json", "https://localhost/x", "dyn_", "fuzz-connector ")),
);

describe("fuzz: the authorization server", () => {
  test("/token: valid code and refresh requests mutated, and random forms", async () => {
    const values: Record<string, fc.Arbitrary<string>> = {
      grant_type: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom("authorization_code", "refresh_token") },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom("client_credentials", "password", "implicit", "REFRESH_TOKEN"), anyText(30)) },
      ),
      code: symbolOr(
        ["$fresh.code"],
        fc.oneof(fc.constantFrom(...target.codes.map((c) => c.code)), anyText(60), fc.constant(`mcpc_${"B".repeat(43)}`)),
      ),
      code_verifier: symbolOr(
        ["$fresh.verifier"],
        fc.oneof(
          fc.constantFrom(...target.codes.map((c) => c.verifier)),
          anyText(130),
          fc.constantFrom("a".repeat(128), "~".repeat(43), "a".repeat(129)),
        ),
      ),
      redirect_uri: fc.oneof(fc.constantFrom("$C.redirect", "$A.redirect", "https://c.example/cb/"), anyText(60), fc.webUrl()),
      client_id: clientIdValue,
      client_secret: symbolOr(["$B.secret", "$C.secret"], anyText(60)),
      refresh_token: symbolOr(["$A.refresh", "$B.refresh", "$C.refresh"], fc.oneof(anyText(60), fc.constant(`mcpr_${"A".repeat(43)}`))),
      resource: fc.oneof(fc.constant("$own"), fc.webUrl(), anyText(60)),
      scope: fc.oneof(fc.constantFrom("mcp:vault", "mcp:other", "mcp:vault mcp:vault", "openid offline_access"), anyText(40)),
    };
    const optional: fc.Arbitrary<Form> = fc.subarray([
      ["resource", "$own"],
      ["scope", "mcp:vault"],
    ] as Form);
    const template = fc.oneof(
      fc
        .tuple(
          fc.constantFrom<Form>(
            [
              ["grant_type", "refresh_token"],
              ["refresh_token", "$A.refresh"],
              ["client_id", "$A.id"],
            ],
            [
              ["grant_type", "refresh_token"],
              ["refresh_token", "$B.refresh"],
              ["client_id", "$B.id"],
              ["client_secret", "$B.secret"],
            ],
            [
              ["grant_type", "refresh_token"],
              ["refresh_token", "$C.refresh"],
            ],
            [
              ["grant_type", "authorization_code"],
              ["code", "$fresh.code"],
              ["code_verifier", "$fresh.verifier"],
              ["redirect_uri", "$C.redirect"],
            ],
            [
              ["grant_type", "authorization_code"],
              ["code", "$fresh.code"],
              ["code_verifier", "$fresh.verifier"],
              ["client_id", "$C.id"],
              ["client_secret", "$C.secret"],
            ],
          ),
          optional,
        )
        .map(([form, extra]) => [...form, ...extra]),
    );
    const arbitrary = fc.record({
      form: forms(template, values, ["grant_type", "client_id"]),
      raw: rawFormBody,
      useRaw,
      authorization: fc.oneof({ weight: 2, arbitrary: fc.constant("basic:C") }, { weight: 3, arbitrary: clientAuthorization }),
      contentType,
      origin,
    });
    await fuzz("/token forms", arbitrary, 1500, async (c) => {
      const real = await resolver(c.form);
      const form = c.form.map(([n, v]): [string, string] => [n, real(v)]);
      const answer = await formCase("/token", c.useRaw ? undefined : form, c.raw, headersOf(c));
      // A refresh that worked rotated the token: the template uses the new one from now on.
      const used = c.form.find(([n]) => n === "refresh_token")?.[1];
      if (answer.status === 200 && used && /^\$[ABC]\.refresh$/.test(used)) {
        const client = { A: target.a, B: target.b, C: target.c }[used[1] as "A" | "B" | "C"];
        refreshOf.set(client.clientId, (JSON.parse(answer.body) as { refresh_token: string }).refresh_token);
      }
    });
  });

  test("/revoke: valid revocations mutated, and random forms", async () => {
    const values: Record<string, fc.Arbitrary<string>> = {
      token: symbolOr(["$fresh.access", "$fresh.refresh", "$A.access", "$B.refresh", "$static"], anyText(60)),
      token_type_hint: fc.oneof(fc.constantFrom("access_token", "refresh_token", "id_token"), anyText(20)),
      client_id: clientIdValue,
      client_secret: symbolOr(["$B.secret", "$C.secret"], anyText(60)),
    };
    const template = fc.constantFrom<Form>(
      [
        ["token", "$fresh.access"],
        ["token_type_hint", "access_token"],
      ],
      [
        ["token", "$fresh.refresh"],
        ["token_type_hint", "refresh_token"],
      ],
      [
        ["token", "$fresh.refresh"],
        ["client_id", "$C.id"],
        ["client_secret", "$C.secret"],
      ],
    );
    const arbitrary = fc.record({
      form: forms(template, values, ["token", "client_id"]),
      raw: rawFormBody,
      useRaw,
      authorization: fc.oneof({ weight: 2, arbitrary: fc.constant("basic:C") }, { weight: 3, arbitrary: clientAuthorization }),
      contentType,
      origin,
    });
    await fuzz("/revoke forms", arbitrary, 800, async (c) => {
      const real = await resolver(c.form);
      await formCase("/revoke", c.useRaw ? undefined : c.form.map(([n, v]): [string, string] => [n, real(v)]), c.raw, headersOf(c));
    });
  });

  test("/authorize POST: login and consent forms, real and forged requests, CSRF tokens, passwords, cookies and origins", async () => {
    const forge = fc
      .tuple(fc.constantFrom("$pending", "$consent"), fc.nat(), fc.constantFrom("x", "", ".", "A", "="))
      .map(([w, at, ch]) => `forge:${w}:${at}:${ch}`);
    const values: Record<string, fc.Arbitrary<string>> = {
      action: fc.oneof(fc.constantFrom("login", "approve", "deny"), anyText(10)),
      request: fc.oneof(fc.constantFrom("$pending", "$consent"), forge, anyText(100)),
      csrf: fc.oneof(fc.constantFrom("$pending.csrf", "$consent.csrf"), anyText(50)),
      password: fc.oneof(
        { weight: 1, arbitrary: fc.constant("$password") },
        { weight: 4, arbitrary: anyText(80) },
        { weight: 1, arbitrary: fc.constant("p".repeat(5000)) },
      ),
      remember: fc.constantFrom("yes", "no", "1"),
    };
    const template = fc.oneof(
      anyText(40).map(
        (password): Form => [
          ["action", "login"],
          ["request", "$pending"],
          ["csrf", "$pending.csrf"],
          ["password", password],
        ],
      ),
      fc.constantFrom<Form>(
        [
          ["action", "login"],
          ["request", "$pending"],
          ["csrf", "$pending.csrf"],
          ["password", "$password"],
        ],
        [
          ["action", "approve"],
          ["request", "$consent"],
          ["csrf", "$consent.csrf"],
        ],
        [
          ["action", "approve"],
          ["request", "$consent"],
          ["csrf", "$consent.csrf"],
          ["remember", "yes"],
        ],
        [
          ["action", "deny"],
          ["request", "$consent"],
          ["csrf", "$consent.csrf"],
        ],
      ),
    );
    const arbitrary = fc.record({
      form: forms(template, values, ["action", "request", "csrf"]),
      raw: rawFormBody,
      useRaw,
      cookie: fc.oneof(
        { weight: 3, arbitrary: fc.constant("owner") },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: headerText(100) },
        { weight: 1, arbitrary: fc.constant("mcp-owner=forged.value") },
      ),
      contentType,
      origin: fc.oneof({ weight: 3, arbitrary: fc.constant("own") }, { weight: 1, arbitrary: origin }),
    });
    await fuzz("/authorize POST forms", arbitrary, 800, async (c) => {
      const real = await resolver(c.form);
      const form = c.form.map(([n, v]): [string, string] => {
        const forged = /^forge:(\$\w+):(\d+):(.*)$/.exec(v);
        if (!forged) return [n, real(v)];
        const original = real(forged[1]!);
        const at = Number(forged[2]) % original.length;
        return [n, original.slice(0, at) + forged[3] + original.slice(at + 1)];
      });
      await formCase("/authorize", c.useRaw ? undefined : form, c.raw, headersOf(c));
    });
  });

  test("/register: valid metadata mutated, random JSON and broken JSON", async () => {
    const uri = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          "http://localhost/cb",
          "http://127.0.0.1:5555/cb",
          "https://client.example/cb",
          "cursor://anysphere.cursor-mcp/oauth/callback",
          "https://vscode.dev/redirect",
        ),
      },
      { weight: 1, arbitrary: fc.webUrl({ validSchemes: ["https"] }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "javascript:alert(1)",
          "http://evil.example/cb",
          "https://x/#frag",
          "https://user:pw@x/cb",
          "data:text/html,x",
          "file:///etc/passwd",
          "https://127.0.0.1/cb",
          "http://localhost.evil.example/cb",
        ),
      },
      { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
      { weight: 1, arbitrary: anyText(80) },
    );
    const fields: Record<string, fc.Arbitrary<unknown>> = {
      redirect_uris: fc.oneof(
        { weight: 6, arbitrary: fc.array(uri, { minLength: 1, maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(uri, { maxLength: 25 }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      token_endpoint_auth_method: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom("none", "client_secret_post", "client_secret_basic") },
        fc.constantFrom("private_key_jwt", "tls_client_auth"),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      grant_types: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(["authorization_code"], ["authorization_code", "refresh_token"]) },
        fc.subarray(["authorization_code", "refresh_token", "client_credentials", "implicit", "password"]),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      response_types: fc.oneof(
        { weight: 4, arbitrary: fc.constant(["code"]) },
        fc.subarray(["code", "token", "id_token"]),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      client_name: fc.oneof({ weight: 3, arbitrary: anyText(250) }, fc.jsonValue({ maxDepth: 1 })),
      client_uri: fc.oneof(fc.webUrl({ validSchemes: ["https"] }), anyText(60)),
      logo_uri: fc.oneof(fc.webUrl(), anyText(60), fc.constant("https://127.0.0.1/logo.png")),
      tos_uri: fc.webUrl(),
      policy_uri: fc.webUrl(),
      scope: fc.oneof(fc.constantFrom("mcp:vault", "mcp:vault mcp:other", "openid"), anyText(60)),
      software_id: anyText(60),
      software_version: anyText(20),
      client_id: anyText(40),
      client_secret: anyText(40),
      client_id_issued_at: fc.jsonValue({ maxDepth: 1 }),
      jwks: fc.jsonValue({ maxDepth: 3 }),
      ["__proto__"]: fc.jsonValue({ maxDepth: 1 }),
      constructor: fc.jsonValue({ maxDepth: 1 }),
    };
    const valid = fc.record({
      redirect_uris: fc.array(
        fc.constantFrom("http://localhost/cb", "https://client.example/cb", "cursor://anysphere.cursor-mcp/oauth/callback"),
        { minLength: 1, maxLength: 3 },
      ),
      token_endpoint_auth_method: fc.constantFrom("none", "client_secret_post", "client_secret_basic"),
      grant_types: fc.constantFrom(["authorization_code"], ["authorization_code", "refresh_token"]),
      client_name: fc.string({ maxLength: 40 }),
    });
    /** One edit of the metadata object: a field replaced, dropped or added. */
    const edit = fc.oneof(
      fc
        .constantFrom(...Object.keys(fields))
        .chain((name) => fields[name]!.map((value) => (m: Record<string, unknown>) => ({ ...m, [name]: value }))),
      fc.constantFrom(...Object.keys(fields)).map((name) => (m: Record<string, unknown>) => {
        const { [name]: _, ...rest } = m;
        return rest;
      }),
      fc.tuple(anyText(20), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => (m: Record<string, unknown>) => ({ ...m, [k]: v })),
    );
    const metadata = fc
      .tuple(valid, fc.array(edit, { maxLength: 3 }))
      .map(([m, edits]) => edits.reduce((acc, e) => e(acc), m as Record<string, unknown>));
    const body = fc.oneof(
      { weight: 6, arbitrary: metadata.map((m) => JSON.stringify(m)) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null") },
      { weight: 1, arbitrary: anyText(200) },
      {
        weight: 2,
        arbitrary: fc.tuple(metadata, fc.nat(), anyText(8), fc.nat()).map(([m, at, insert, cut]) => {
          const text = JSON.stringify(m);
          const i = at % (text.length + 1);
          return (text.slice(0, i) + insert + text.slice(i)).slice(0, text.length + insert.length - (cut % 3));
        }),
      },
    );
    const arbitrary = fc.record({
      body,
      contentType: fc.oneof(
        { weight: 4, arbitrary: fc.constant("application/json") },
        { weight: 1, arbitrary: fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1") },
        { weight: 1, arbitrary: headerText(40) },
      ),
      authorization: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: authorizationHeader([target.a.tokens.access_token]) },
      ),
      origin,
    });
    await fuzz("/register JSON", arbitrary, 1200, async (c) => {
      const url = `${target.base}/register`;
      const sent: Sent = { method: "POST", url, headers: headersOf(c), body: c.body };
      const answer = await send(sent);
      const what = `POST /register ${c.body.slice(0, 300)}`;
      expectNoServerError(answer.status, answer.body, what);
      expectNoSecret(target.book, answer, url, what);
      if (answer.status === 201) {
        // The server chooses the id and the secret, whatever the request said.
        const issued = JSON.parse(answer.body) as { client_secret?: string; client_id: string };
        expect(issued.client_id.startsWith("dyn_")).toBe(true);
        if (issued.client_secret !== undefined) expect(c.body.includes(issued.client_secret)).toBe(false);
      }
      collectIssued(target.book, answer.status, answer.headers, answer.body);
    });
  });

  test("/authorize GET: valid authorization requests mutated, and random query strings", async () => {
    const pair = pkce();
    const values: Record<string, fc.Arbitrary<string>> = {
      response_type: fc.oneof(fc.constant("code"), fc.constantFrom("token", "code id_token", "none", "CODE"), anyText(10)),
      client_id: clientIdValue,
      redirect_uri: fc.oneof(
        fc.constantFrom(
          "$A.redirect",
          "$B.redirect",
          "$C.redirect",
          "http://localhost:12345/callback",
          "http://127.0.0.1/callback",
          "http://[::1]/callback",
          "https://c.example/cb/",
          "https://C.EXAMPLE/cb",
          "https://c.example/cb?x=1",
          "https://c.example/cb#f",
        ),
        fc.webUrl(),
        anyText(60),
      ),
      code_challenge: fc.oneof(fc.constant(pair.challenge), fc.base64String({ minLength: 40, maxLength: 48 }), anyText(60)),
      code_challenge_method: fc.oneof(fc.constant("S256"), fc.constantFrom("plain", "s256", "S512"), anyText(10)),
      state: fc.oneof(anyText(60), fc.constant("s".repeat(5000))),
      resource: fc.oneof(
        fc.constantFrom("$own", "own/", "OWN-UPPER", "https://evil.example/vault/mcp", "own#frag", "own?x=1", "own/../../x"),
        fc.webUrl(),
        anyText(60),
      ),
      scope: fc.oneof(fc.constantFrom("mcp:vault", "mcp:vault offline_access", "mcp:other", '"quoted"', "a\\b"), anyText(40)),
      ...Object.fromEntries(
        QUERY_NAMES.filter(
          (n) =>
            ![
              "response_type",
              "client_id",
              "redirect_uri",
              "code_challenge",
              "code_challenge_method",
              "state",
              "resource",
              "scope",
            ].includes(n),
        ).map((n) => [n, anyText(40)]),
      ),
    };
    const template = fc
      .tuple(
        fc.constantFrom("A", "B", "C"),
        fc.subarray<[string, string]>([
          ["state", "xyz"],
          ["resource", "$own"],
          ["scope", "mcp:vault"],
        ]),
      )
      .map(
        ([client, extra]): Form => [
          ["response_type", "code"],
          ["client_id", `$${client}.id`],
          ["redirect_uri", `$${client}.redirect`],
          ["code_challenge", pair.challenge],
          ["code_challenge_method", "S256"],
          ...extra,
        ],
      );
    const arbitrary = fc.record({
      form: forms(template, values, ["response_type", "client_id", "code_challenge", "code_challenge_method"]),
      raw: fc.oneof(
        rawFormBody.map((s) => requestTarget(s).replace(/#/g, "%23")),
        fc.constant(""),
      ),
      useRaw,
      cookie: fc.oneof(
        { weight: 2, arbitrary: fc.constant("owner") },
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: headerText(80) },
      ),
      origin,
    });
    await fuzz("/authorize GET queries", arbitrary, 1500, async (c) => {
      const real = await resolver(c.form);
      const form = c.form.map(([n, v]): [string, string] => {
        if (n !== "resource") return [n, real(v)];
        if (v === "OWN-UPPER") return [n, target.mcpUrl.toUpperCase().replace("/VAULT/MCP", "/vault/mcp")];
        return [n, v.startsWith("own") ? target.mcpUrl + v.slice(3) : real(v)];
      });
      const query = c.useRaw ? c.raw : encodeForm(form);
      const url = `${target.base}/authorize?${query}`;
      const answer = await send({ method: "GET", url, headers: headersOf({ cookie: c.cookie, origin: c.origin }) });
      const what = `GET ${url.slice(0, 300)}`;
      expectNoServerError(answer.status, answer.body, what);
      expectNoSecret(target.book, answer, url, what);
      // A redirect only ever goes to a redirect URI registered for the client.
      const location = answer.headers.get("location");
      if (location !== null) {
        expect(answer.status).toBe(303);
        const allowed = [
          target.a.redirectUri,
          target.b.redirectUri,
          target.c.redirectUri,
          "http://localhost:",
          "http://127.0.0.1",
          "http://[::1]",
        ];
        if (!allowed.some((prefix) => location.startsWith(prefix))) throw new Error(`${what} redirected to ${location}`);
      }
      collectIssued(target.book, answer.status, answer.headers, answer.body);
    });
  });

  test("discovery documents: random suffixes, query strings, methods and origins", async () => {
    const arbitrary = fc.record({
      path: fc.oneof(
        fc.constantFrom(
          "/.well-known/oauth-authorization-server",
          "/.well-known/openid-configuration",
          "/.well-known/oauth-protected-resource",
          "/.well-known/oauth-protected-resource/vault/mcp",
          "/.well-known/oauth-protected-resource/vault/sse",
          "/.well-known/oauth-protected-resource/",
        ),
        fc
          .tuple(
            fc.constantFrom("/.well-known/oauth-protected-resource", "/.well-known/oauth-authorization-server", "/.well-known"),
            anyText(40),
          )
          .map(([p, s]) => `${p}/${s}`),
      ),
      query: fc.oneof(fc.constant(""), fc.array(fc.tuple(anyText(10), anyText(40)), { maxLength: 4 }).map(encodeForm), rawFormBody),
      method: fc.constantFrom("GET", "GET", "GET", "POST", "OPTIONS", "HEAD", "DELETE"),
      origin,
    });
    await fuzz("discovery documents", arbitrary, 500, async (c) => {
      const url = `${target.base}${requestTarget(c.path).replace(/[?#]/g, (ch) => encodeURIComponent(ch))}${c.query ? `?${requestTarget(c.query).replace(/#/g, "%23")}` : ""}`;
      const answer = await send({ method: c.method, url, headers: headersOf({ origin: c.origin }) });
      expectNoServerError(answer.status, answer.body, `${c.method} ${url}`);
      expectNoSecret(target.book, answer, url, `${c.method} ${url}`);
    });
  });

  test("the login and consent pages escape whatever a client registered", async () => {
    const markup = fc.constantFrom(
      "<script>alert(1)</script>",
      '"><img src=x onerror=alert(1)>',
      "' onmouseover='alert(1)",
      "</title><script>alert(1)</script>",
      "<a href=javascript:alert(1)>x</a>",
      "&lt;b&gt;&amp;",
      "<!--",
      "{{constructor.constructor('alert(1)')()}}",
    );
    const arbitrary = fc.record({
      name: fc.oneof(
        markup,
        fc.tuple(anyText(40), markup, anyText(40)).map(([a, m, b]) => a + m + b),
        anyText(200),
      ),
      clientUri: fc.oneof(
        fc.constant(undefined),
        fc.webUrl({ validSchemes: ["https"], withQueryParameters: true }),
        fc.constantFrom('https://x.example/"><script>alert(1)</script>', "https://x.example/?a=<b>&c='d'"),
      ),
      redirect: fc.oneof(
        fc.constant("https://x.example/cb"),
        fc.webUrl({ validSchemes: ["https"], withQueryParameters: true }),
        fc.constantFrom("https://x.example/cb?q=%3Cscript%3E", "cursor://x/cb?a=<b>", "http://127.0.0.1:9/cb?x='y'"),
      ),
      signedIn: fc.boolean(),
    });
    await fuzz("pages escape client metadata", arbitrary, 250, async (c) => {
      const metadata = {
        client_name: c.name,
        redirect_uris: [c.redirect],
        token_endpoint_auth_method: "none",
        ...(c.clientUri ? { client_uri: c.clientUri } : {}),
      };
      const registered = await send({
        method: "POST",
        url: `${target.base}/register`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(metadata),
      });
      expectNoServerError(registered.status, registered.body, "POST /register");
      if (registered.status !== 201) return;
      const clientId = (JSON.parse(registered.body) as { client_id: string }).client_id;
      const query = encodeForm([
        ["response_type", "code"],
        ["client_id", clientId],
        ["redirect_uri", c.redirect],
        ["code_challenge", pkce().challenge],
        ["code_challenge_method", "S256"],
        ["state", c.name],
      ]);
      const url = `${target.base}/authorize?${query}`;
      const page = await send({ method: "GET", url, headers: c.signedIn ? { cookie: target.ownerCookie } : {} });
      const what = `GET /authorize for a client named ${JSON.stringify(c.name.slice(0, 80))}`;
      expectNoServerError(page.status, page.body, what);
      if (!(page.headers.get("content-type") ?? "").startsWith("text/html")) return;
      // Whatever the client chose appears only escaped: no raw markup of its own on the page.
      // (Values shorter than 6 characters, like a lone quote, are in every page anyway.)
      for (const chosen of [c.name, c.clientUri, c.redirect]) {
        if (chosen && chosen.length >= 6 && /[<>"']/.test(chosen) && page.body.includes(chosen))
          throw new Error(`${what}: the page holds ${JSON.stringify(chosen)} unescaped`);
      }
      // (Attribute tricks like "' onmouseover=" are harmless as escaped text: the raw check above covers them.)
      for (const injected of ["<script", "<img", "<a href=javascript", "<!--"]) {
        if (page.body.toLowerCase().includes(injected)) throw new Error(`${what}: the page holds ${injected}`);
      }
    });
  });

  test("the log holds none of the secrets the suite used or obtained", () => {
    expect(target.book.size).toBeGreaterThan(15);
    expect(secretsInLog(target.book, target.appliance.logs)).toEqual([]);
  });
});
