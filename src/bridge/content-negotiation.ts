// Header checks of the Streamable HTTP transport (MCP 2025-11-25 transports §Sending Messages,
// §Listening for Messages).

/**
 * A client sends the same Accept and Content-Type with every message: each check keeps its last
 * header and answer, so a session's requests do not parse the same header again and again.
 */
function lastAnswerKept(check: (header: string | null) => boolean): (header: string | null) => boolean {
  let lastHeader: string | null | undefined;
  let lastAnswer = false;
  return (header) => {
    if (header !== lastHeader) {
      lastAnswer = check(header);
      lastHeader = header;
    }
    return lastAnswer;
  };
}

function mediaTypes(header: string | null): string[] {
  if (!header) return [];
  return header.split(",").map((part) => part.split(";")[0]!.trim().toLowerCase());
}

/** "The client MUST include an Accept header, listing both application/json and text/event-stream." */
export const acceptsPostResponses = lastAnswerKept((accept) => {
  const types = mediaTypes(accept);
  if (types.includes("*/*")) return true;
  return types.includes("application/json") && types.includes("text/event-stream");
});

/** GET: "The client MUST include an Accept header, listing text/event-stream." */
export const acceptsEventStream = lastAnswerKept((accept) => {
  const types = mediaTypes(accept);
  return types.includes("text/event-stream") || types.includes("*/*");
});

export const isJsonContentType = lastAnswerKept((contentType) => mediaTypes(contentType)[0] === "application/json");
