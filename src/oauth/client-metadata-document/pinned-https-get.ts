// One HTTPS GET to an address vetted beforehand, with the certificate still checked against the
// URL's host name, no redirects, a 200 JSON answer only, and a byte limit enforced while reading.

import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { request } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { rootCertificates } from "node:tls";
import { fail, type Outcome } from "./failure.ts";
import type { ResolvedAddress } from "./resolve-host.ts";

interface PinnedGet {
  url: URL;
  /** `url`'s host without IPv6 brackets: the name the certificate must carry. */
  host: string;
  pinned: ResolvedAddress;
  /** Extra trusted CA certificates (PEM), added to the system's roots. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  maxBytes: number;
  /** Media types accepted (lowercase, without parameters); the first is sent in Accept. */
  mediaTypes: readonly string[];
  /** Aborting it ends the request at once (the overall deadline). */
  signal: AbortSignal;
}

interface FetchedBody {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

const USER_AGENT = "mcp-appliance (client ID metadata document fetcher)";

function trustedCas(extra: PinnedGet["ca"]): Array<string | Buffer> | undefined {
  if (extra === undefined) return undefined; // node's default: the system roots
  return [...rootCertificates, ...(Array.isArray(extra) ? extra : [extra as string | Buffer])];
}

/** Belt and braces: should the runtime still resolve a name, it only ever gets the vetted address. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_name, options, callback) => {
    if (options?.all) (callback as (err: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
}

/** A TLS failure (certificate, host name, handshake) rather than a network one. */
function isTlsError(error: { code?: string; message?: string }): boolean {
  return /CERT|TLS|SSL|HOSTNAME|ALTNAME|SIGNATURE|ISSUER/i.test(`${error.code ?? ""} ${error.message ?? ""}`);
}

/** Checks on the status line and headers, before one byte of the body is read. */
function checkHead(response: IncomingMessage, maxBytes: number, mediaTypes: readonly string[]): Outcome<void> | undefined {
  const status = response.statusCode ?? 0;
  // CIMD-02 §5: the authorization server MUST NOT automatically follow HTTP redirects.
  if (status >= 300 && status < 400) return fail("redirect", `answered ${status} (redirect not followed)`);
  // CIMD-02 §5: the document MUST be served with 200 OK; every other status is an error.
  if (status !== 200) return fail("http_status", `answered ${status}`);
  // CIMD §4.1: the document is JSON; this server accepts application/json (parameters allowed).
  // A JWK Set may also come as application/jwk-set+json (RFC 7517 §8.5.1).
  const mediaType = (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (!mediaTypes.includes(mediaType)) return fail("content_type", `content-type ${JSON.stringify(mediaType.slice(0, 80))}`);
  // Accept-Encoding: identity was sent; a compressed body would bypass the byte limit's meaning.
  const encoding = (response.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") return fail("content_type", `content-encoding ${JSON.stringify(encoding.slice(0, 40))}`);
  // CIMD §6.6: limit the response size; a declared length over the limit is refused unread.
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return fail("too_large", `content-length ${declared} > ${maxBytes}`);
  return undefined;
}

export function pinnedHttpsGet(get: PinnedGet): Promise<Outcome<FetchedBody>> {
  const { url, host, pinned, maxBytes, mediaTypes, signal } = get;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Outcome<FetchedBody>) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      req.destroy();
      resolve(outcome);
    };
    const onAbort = () => finish(fail("timeout", "the deadline passed"));

    const req = request(
      {
        // Connect to the vetted IP literal: no name resolution happens inside the request.
        host: pinned.address,
        family: pinned.family,
        port: url.port === "" ? 443 : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: "GET",
        // SNI and certificate verification use the URL's host name (TLS refuses an IP as SNI).
        servername: isIP(host) === 0 ? host : undefined,
        headers: { host: url.host, accept: mediaTypes.join(", "), "accept-encoding": "identity", "user-agent": USER_AGENT },
        ca: trustedCas(get.ca),
        rejectUnauthorized: true,
        minVersion: "TLSv1.2",
        agent: false, // a fresh connection: nothing pooled under another name is reused
        lookup: pinnedLookup(pinned),
      },
      (response) => {
        const refused = checkHead(response, maxBytes, mediaTypes);
        if (refused && !refused.ok) return finish(refused);
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          // CIMD-02 §8.7: stop reading at the limit and treat the response as an error.
          if (size > maxBytes) return finish(fail("too_large", `body exceeded ${maxBytes} bytes`));
          chunks.push(chunk);
        });
        response.on("end", () => finish({ ok: true, value: { body: Buffer.concat(chunks), headers: response.headers } }));
        response.on("error", (error) => finish(fail("connect_failed", `response stream failed: ${error.message}`)));
        response.on("aborted", () => finish(fail("connect_failed", "the response was cut short")));
      },
    );
    req.on("error", (error: Error & { code?: string }) => {
      const kind = isTlsError(error) ? "tls_failed" : "connect_failed";
      finish(fail(kind, `${error.code ?? "error"}: ${error.message}`));
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort);
    req.end();
  });
}
