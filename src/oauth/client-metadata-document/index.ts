// Client ID metadata documents (CIMD): a client_id that is an https URL names a JSON document
// with the client's metadata. See README.md in this folder for the rules and their tests.

export { isPublicAddress } from "./address-policy.ts";
export { type CacheBounds, type CacheHeaders, cacheLifetimeMs, DEFAULT_CACHE_BOUNDS } from "./cache-lifetime.ts";
export { type ClientIdUrlCheck, checkClientIdUrl, isMetadataDocumentClientId, MAX_CLIENT_ID_URL_LENGTH } from "./client-id-url.ts";
export type { MetadataDocumentFailure, MetadataDocumentFailureKind, Outcome } from "./failure.ts";
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type FetchedDocument,
  fetchMetadataDocument,
  type MetadataFetchOptions,
} from "./fetch-document.ts";
export type { LookupAll, ResolvedAddress } from "./resolve-host.ts";
export { ClientMetadataResolver, type ClientMetadataResolverOptions } from "./resolver.ts";
export {
  MAX_CLIENT_NAME_LENGTH,
  type MetadataDocumentAuthMethod,
  type MetadataDocumentClient,
  parseMetadataDocument,
  type RedirectUriValidator,
  validateMetadataDocument,
} from "./validate-document.ts";
