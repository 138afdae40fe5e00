// ---------------------------------------------------------------------------------------------
// NOT YET IMPLEMENTED: everything CONFIG.md describes that this version cannot do yet, in one
// place. When a feature lands, add its keys to the schema and delete its entry here.
// ---------------------------------------------------------------------------------------------

import * as v from "valibot";
import { hasIssueAt, issuePath } from "./issues.ts";

const HTTP_UPSTREAM = "HTTP upstream servers are not supported in this version yet";

/** [servers.<name>] keys of HTTP upstream servers: present in the schema only to be refused. */
export const unreleasedServerEntries = {
  url: v.optional(v.custom<never>(() => false, HTTP_UPSTREAM)),
  headers: v.optional(v.custom<never>(() => false, HTTP_UPSTREAM)),
};

/**
 * The authorization server is not built yet, so "oauth" (the default!) cannot be honoured.
 * Refusing to start is the only safe answer: serving without the protection the file asks for
 * would expose the servers. Delete this check when oauth/ exists: [oauth], [firewall] and the
 * public_url rule are already parsed and validated in full, so the gate is all that is left.
 */
export function oauthNotAvailableYet<TFile extends { auth: "oauth" | "none" }>() {
  return v.rawCheck<TFile>(({ dataset, addIssue }) => {
    if (hasIssueAt(dataset.issues, ["auth"]) || (dataset.value as TFile).auth !== "oauth") return;
    addIssue({
      message: `"oauth" is not available in this version yet; set auth = "none" (only on a loopback listen address)`,
      path: issuePath("auth"),
    });
  });
}
