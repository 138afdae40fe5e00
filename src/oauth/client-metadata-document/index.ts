// Client ID metadata documents (CIMD): a client_id that is an https URL names a JSON document
// with the client's metadata. See README.md in this folder for the rules and their tests.

export { isMetadataDocumentClientId } from "./client-id-url.ts";
export type { MetadataFetchOptions } from "./fetch-document.ts";
export { ClientMetadataResolver, type PublicJwkSet } from "./resolver.ts";
