// The one shape of an expected failure across src/: `{ ok: true, value } | { ok: false, error }`.
// Expected failures are values, not exceptions: the caller must look before it uses the value.
// `error` says why not, in the form its callers need:
// - oauth/: an OAuthError (errors.ts `Outcome<T>`), which knows its code, status and description;
// - parsers and checks (config values, URIs, scopes, JSON-RPC messages): a sentence for a person;
// - a small tagged value when callers branch on the kind of failure (a login, a metadata fetch).
// Fields beside `error` only add where to deliver it (authorization-request.ts: the redirect).
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };
