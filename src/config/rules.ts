// Rules that span keys of the top-level table. They run even when other keys have problems, to
// report everything at once, but skip a key that already has its own error.

import * as v from "valibot";
import { hasIssueAt, issuePath } from "./issues.ts";
import { formatListen, isLoopbackHost } from "./net.ts";
import type { ListenAddress } from "./types.ts";

type Auth = "oauth" | "none";

// Without authentication anyone who can reach the port can drive the servers; on a loopback
// address that is only the local machine.
export function authNoneNeedsLoopback<TFile extends { auth: Auth; listen: ListenAddress }>() {
  return v.rawCheck<TFile>(({ dataset, addIssue }) => {
    if (hasIssueAt(dataset.issues, ["auth"]) || hasIssueAt(dataset.issues, ["listen"])) return;
    const { auth, listen } = dataset.value as TFile;
    if (auth !== "none" || isLoopbackHost(listen.host)) return;
    addIssue({
      message: `"none" needs a loopback listen address (listen is ${formatListen(listen)})`,
      path: issuePath("auth"),
    });
  });
}

// With auth = "oauth", public_url is required unless listen is a loopback address (then it
// defaults to http://<listen host>:<port>, see resolvePublicUrl). The issuer and every resource
// URL derive from it (RFC 8414 §2, RFC 9728 §3) and must be what clients reach; behind a
// non-loopback address that is a name and an https proxy the appliance cannot guess, and the
// request's Host is not to be believed.
export function publicUrlNeededForOAuth<TFile extends { auth: Auth; listen: ListenAddress; public_url?: string }>() {
  return v.rawCheck<TFile>(({ dataset, addIssue }) => {
    if (["auth", "listen", "public_url"].some((key) => hasIssueAt(dataset.issues, [key]))) return;
    const { auth, listen, public_url } = dataset.value as TFile;
    if (auth !== "oauth" || public_url !== undefined || isLoopbackHost(listen.host)) return;
    addIssue({
      message: `required when auth = "oauth" and listen is not a loopback address (clients must know the https URL they reach)`,
      path: issuePath("public_url"),
    });
  });
}

/**
 * public_url, or with auth = "oauth" on loopback http://<listen host>:<port>. Port 0 is only
 * known once bound, so it stays undefined and app.ts derives it from the bound port with listenOrigin.
 */
export function resolvePublicUrl(file: { auth: Auth; listen: ListenAddress; public_url?: string }): string | undefined {
  if (file.public_url !== undefined) return file.public_url;
  if (file.auth !== "oauth" || file.listen.port === 0) return undefined;
  return listenOrigin(file.listen);
}

/**
 * The origin a listen address is reached at from this machine, the one derivation of the public
 * origin when public_url is not set: http://<host>:<port>, lowercased and without a default
 * port, as public_url is (RFC 6454 §6.2); a wildcard address is reached at 127.0.0.1.
 */
export function listenOrigin({ host, port }: ListenAddress): string {
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return new URL(`http://${formatListen({ host: reachable, port })}`).origin;
}
