// What every POST endpoint needs of its request body, whatever protocol it speaks: the media
// type it declares, and its bytes read up to a limit (the MCP transports' JSON-RPC bodies, the
// authorization server's forms and registration documents).

/**
 * The media type of a Content-Type header without its parameters, lowercased (RFC 9110 §8.3.1:
 * "The type and subtype tokens are case-insensitive"), or undefined when there is none.
 */
export function mediaTypeOf(contentType: string | null): string | undefined {
  if (contentType === null) return undefined;
  const essence = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return essence === "" ? undefined : essence;
}

function declaredLength(request: Request): number | undefined {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  return Number.isFinite(declared) ? declared : undefined;
}

/** A body without a declared length (chunked), counted as it arrives; undefined once over `limit`. */
async function readCounted(request: Request, limit: number): Promise<Buffer | undefined> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Read at most `limit` bytes of a body as UTF-8 text; undefined when it is longer. */
export async function readBodyLimited(request: Request, limit: number): Promise<string | undefined> {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limit) return undefined;
  // With a declared length within the limit (the server enforces it), the runtime's own
  // reader is the fast path; only chunked bodies are counted as they arrive.
  if (declared !== undefined) return request.text();
  return (await readCounted(request, limit))?.toString("utf8");
}

/**
 * Read at most `limit` bytes of a body, as bytes; undefined when it is longer. For callers that
 * decode strictly: text() replaces bytes that are not UTF-8 instead of saying so.
 */
export async function readBodyBytesLimited(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limit) return undefined;
  if (declared !== undefined) return new Uint8Array(await request.arrayBuffer());
  return readCounted(request, limit);
}
