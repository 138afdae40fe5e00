// Client ID metadata documents (CIMD): a client_id that is an https URL names a JSON document
// with the client's metadata. See README.md in this folder for the rules and their tests.

export { isPublicAddress } from "./address-policy.ts";
export { DEFAULT_CACHE_BOUNDS, cacheLifetimeMs, type CacheBounds, type CacheHeaders } from "./cache-lifetime.ts";
export { MAX_CLIENT_ID_URL_LENGTH, checkClientIdUrl, isMetadataDocumentClientId, type ClientIdUrlCheck } from "./client-id-url.ts";
export type { MetadataDocumentFailure, MetadataDocumentFailureKind, Outcome } from "./failure.ts";
export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, fetchMetadataDocument, type FetchedDocument, type MetadataFetchOptions } from "./fetch-document.ts";
export type { LookupAll, ResolvedAddress } from "./resolve-host.ts";
export { ClientMetadataResolver, type ClientMetadataResolverOptions } from "./resolver.ts";
export {
  MAX_CLIENT_NAME_LENGTH,
  parseMetadataDocument,
  validateMetadataDocument,
  type MetadataDocumentAuthMethod,
  type MetadataDocumentClient,
  type RedirectUriValidator,
} from "./validate-document.ts";
