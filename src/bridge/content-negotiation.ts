// Header checks of the Streamable HTTP transport (MCP 2025-11-25 transports §Sending Messages,
// §Listening for Messages).

function mediaTypes(header: string | null): string[] {
  if (!header) return [];
  return header.split(",").map((part) => part.split(";")[0]!.trim().toLowerCase());
}

/** "The client MUST include an Accept header, listing both application/json and text/event-stream." */
export function acceptsPostResponses(accept: string | null): boolean {
  const types = mediaTypes(accept);
  if (types.includes("*/*")) return true;
  return types.includes("application/json") && types.includes("text/event-stream");
}

/** GET: "The client MUST include an Accept header, listing text/event-stream." */
export function acceptsEventStream(accept: string | null): boolean {
  const types = mediaTypes(accept);
  return types.includes("text/event-stream") || types.includes("*/*");
}

export function isJsonContentType(contentType: string | null): boolean {
  return mediaTypes(contentType)[0] === "application/json";
}
