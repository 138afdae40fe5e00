// [[oauth.clients]]: clients registered in advance, like the Claude.ai connector set up with a
// client ID and secret. Only the basic shape is checked here; oauth/ applies the redirect URI
// rules of RFC 8252 when a client uses them.

import * as v from "valibot";
import { expectedFormat, quote } from "./describe.ts";
import { boolean, checkedString, nonEmptyString, stringArray } from "./fields.ts";
import { hasIssueAt, issuePath } from "./issues.ts";
import { clientSecretDigest } from "./secret-fields.ts";
import type { Env } from "./secrets.ts";
import { closestKey } from "./suggest.ts";
import { arrayOfTables, isPlainTable, tableWithRequired, uniqueAcrossItems } from "./table.ts";
import type { OAuthClientConfig } from "./types.ts";

// RFC 6749 §2.2 leaves the client identifier's form to the server; visible ASCII keeps it
// printable in logs and safe in a form field, and no one types more than 200 characters.
const CLIENT_ID = /^[\x21-\x7e]+$/;
const MAX_CLIENT_ID_LENGTH = 200;

// draft-ietf-oauth-client-id-metadata-document §3: a client_id that is an https URL is the
// address of the client's metadata document. A pre-registered client must not look like one.
const URL_LIKE = /^https?:\/\//i;

const clientId = checkedString("a client ID", (id) => {
  if (!CLIENT_ID.test(id)) return `expected a client ID of visible ASCII characters (no spaces), got ${quote(id)}`;
  if (id.length > MAX_CLIENT_ID_LENGTH) return `expected a client ID of at most ${MAX_CLIENT_ID_LENGTH} characters, got ${id.length}`;
  if (URL_LIKE.test(id)) {
    return `expected a client ID that is not a URL (an https client_id names a client ID metadata document), got ${quote(id)}`;
  }
  return undefined;
});

const redirectUri = checkedString("a redirect URI", (uri) => {
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST be an absolute URI and MUST NOT include
  // a fragment component.
  if (!URL.canParse(uri)) return `expected an absolute redirect URI such as "https://claude.ai/api/mcp/auth_callback", got ${quote(uri)}`;
  if (uri.includes("#")) return `expected a redirect URI without a fragment (RFC 6749 §3.1.2), got ${quote(uri)}`;
  return undefined;
});

const redirectUris = v.pipe(
  stringArray(redirectUri, "an array of redirect URIs"),
  v.minLength(1, "expected at least one redirect URI, got an empty array"),
);

// RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;

const scope = v.pipe(
  v.string(expectedFormat("a scope")),
  v.check((text) => SCOPE.test(text), expectedFormat(`space-separated scopes such as "mcp:vault mcp:notes" (RFC 6749 §3.3)`)),
);

// RFC 8252 §8.6, RFC 6749 §10.2: a public client proves nothing but its redirect URI, and anyone
// can start a request with its client_id and a loopback redirect on their own machine. Skipping
// the owner for it would hand tokens to whoever asks, so auto-approval needs a client secret.
function autoApproveNeedsSecret<TClient>() {
  return v.rawCheck<TClient>(({ dataset, addIssue }) => {
    const value: unknown = dataset.value;
    if (!isPlainTable(value) || value.auto_approve !== true || value.client_secret !== undefined) return;
    if (hasIssueAt(dataset.issues, ["auto_approve"]) || hasIssueAt(dataset.issues, ["client_secret"])) return;
    addIssue({
      message:
        "true needs a client_secret: a public client proves nothing but its redirect URI, so anyone could start a request " +
        "with its client_id (and a loopback redirect on their own machine) and get tokens without the owner (RFC 8252 §8.6); " +
        "add a client_secret, or remove auto_approve",
      path: issuePath("auto_approve"),
    });
  });
}

function clientTable(env: Env, hint: (key: string) => string | undefined) {
  const keys = tableWithRequired(
    {
      name: nonEmptyString("a name (shown on the consent page)"),
      client_id: clientId,
      client_secret: v.optional(clientSecretDigest(env)),
      redirect_uris: redirectUris,
      auto_approve: v.optional(boolean, false),
      scope: v.optional(scope),
    },
    {
      name: `the name shown on the consent page, e.g. name = "claude"`,
      client_id: `e.g. client_id = "claude-connector"`,
      redirect_uris: `e.g. redirect_uris = ["https://claude.ai/api/mcp/auth_callback"]`,
    },
    { hint },
  );
  return v.pipe(keys, autoApproveNeedsSecret<v.InferOutput<typeof keys>>());
}

/** [[oauth.clients]]: each client ID at most once. */
export function clientsSchema(env: Env, hint: (key: string) => string | undefined) {
  return v.pipe(arrayOfTables(clientTable(env, hint), "oauth.clients"), uniqueAcrossItems("client_id", ["oauth", "clients"]));
}

type ClientOutput = v.InferOutput<ReturnType<typeof clientTable>>;

export function toClientConfig(client: ClientOutput): OAuthClientConfig {
  return {
    name: client.name,
    clientId: client.client_id,
    // The loader keeps only the digest (see clientSecretDigest); a client with one is confidential.
    ...(client.client_secret !== undefined && { clientSecretSha256: client.client_secret }),
    redirectUris: client.redirect_uris,
    autoApprove: client.auto_approve,
    ...(client.scope !== undefined && { scope: client.scope }),
  };
}

/**
 * The cross-table rule: a client's scope limits it to some servers (RFC 6749 §3.3, enforced by
 * oauth/), so each entry is "mcp:<name>" of a [servers.<name>] table (oauth/scopes.ts spells a
 * server's scope so), or offline_access, which every client may ask for. A typo would otherwise
 * lock the client out of the server it was meant for, silently.
 */
export function clientScopesExist<TFile>() {
  return v.rawCheck<TFile>(({ dataset, addIssue }) => {
    const file = dataset.value as { oauth?: unknown; servers?: unknown };
    if (!isPlainTable(file.servers) || Object.keys(file.servers).length === 0) return;
    if (!isPlainTable(file.oauth) || !Array.isArray(file.oauth.clients)) return;
    const known = Object.keys(file.servers).map((name) => `mcp:${name}`);
    file.oauth.clients.forEach((client: unknown, index: number) => {
      const keys = ["oauth", "clients", index, "scope"];
      if (!isPlainTable(client) || typeof client.scope !== "string" || hasIssueAt(dataset.issues, keys)) return;
      for (const entry of client.scope.split(" ")) {
        if (entry === "offline_access" || known.includes(entry)) continue;
        const close = closestKey(entry, known);
        const more = close === undefined ? `the servers' scopes are ${known.map(quote).join(", ")}` : `did you mean ${quote(close)}?`;
        addIssue({
          message: `${quote(entry)} is not the scope of a server here (the scope of [servers.<name>] is "mcp:<name>"; ${more})`,
          path: issuePath(...keys),
        });
      }
    });
  });
}
