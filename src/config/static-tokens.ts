// [[oauth.static_tokens]]: long-lived bearer tokens for headless scripts, each limited to some
// servers. The file holds only the token's SHA-256, so reading the file does not give the token.

import * as v from "valibot";
import { quote } from "./describe.ts";
import { nonEmptyString, stringArray } from "./fields.ts";
import { hasIssueAt, issuePath } from "./issues.ts";
import { formatKeyPath } from "./keypath.ts";
import { tokenSha256 } from "./secret-fields.ts";
import { closestKey } from "./suggest.ts";
import { arrayOfTables, isPlainTable, tableWithRequired, uniqueAcrossItems } from "./table.ts";
import type { StaticTokenConfig } from "./types.ts";

const serverNames = v.pipe(
  stringArray(v.string(), "an array of server names"),
  v.minLength(1, "expected at least one server name, got an empty array"),
);

function staticTokenTable(hint: (key: string) => string | undefined) {
  return tableWithRequired(
    {
      name: nonEmptyString("a name (shown in the log)"),
      token_sha256: tokenSha256,
      servers: serverNames,
    },
    {
      name: `the name shown in the log, e.g. name = "backup-script"`,
      token_sha256: `the token's SHA-256 as 64 hex digits`,
      servers: `the servers the token may use, e.g. servers = ["vault"]`,
    },
    { hint },
  );
}

/** [[oauth.static_tokens]]: names and tokens each at most once (a log line must say which token it was). */
export function staticTokensSchema(hint: (key: string) => string | undefined) {
  return v.pipe(
    arrayOfTables(staticTokenTable(hint), "oauth.static_tokens"),
    uniqueAcrossItems("name", ["oauth", "static_tokens"]),
    uniqueAcrossItems("token_sha256", ["oauth", "static_tokens"]),
  );
}

type StaticTokenOutput = v.InferOutput<ReturnType<typeof staticTokenTable>>;

export function toStaticTokenConfig(token: StaticTokenOutput): StaticTokenConfig {
  return { name: token.name, tokenSha256: token.token_sha256, servers: token.servers };
}

/** The cross-table rule: every server a static token names is a [servers.<name>] table. */
export function staticTokenServersExist<TFile>() {
  return v.rawCheck<TFile>(({ dataset, addIssue }) => {
    const file = dataset.value as { oauth?: unknown; servers?: unknown };
    // No servers at all has its own error; naming each token's servers on top of it says nothing.
    if (!isPlainTable(file.servers) || Object.keys(file.servers).length === 0) return;
    if (!isPlainTable(file.oauth) || !Array.isArray(file.oauth.static_tokens)) return;
    const known = Object.keys(file.servers);
    file.oauth.static_tokens.forEach((token: unknown, index: number) => {
      const keys = ["oauth", "static_tokens", index, "servers"];
      if (!isPlainTable(token) || hasIssueAt(dataset.issues, keys)) return;
      (token.servers as string[]).forEach((name, position) => {
        if (known.includes(name)) return;
        const close = closestKey(name, known);
        const more = close === undefined ? `the servers are ${known.map(quote).join(", ")}` : `did you mean ${quote(close)}?`;
        addIssue({ message: `there is no [${formatKeyPath(["servers", name])}] table (${more})`, path: issuePath(...keys, position) });
      });
    });
  });
}
