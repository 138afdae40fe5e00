// What became of a credential the bearer guard accepted earlier (oauth/bearer-guard.ts tells,
// bridge/credential-watch.ts asks): still valid, merely expired, or ended for good (revoked, its
// grant, client or static token removed).
export type CredentialState = "valid" | "expired" | "ended";
