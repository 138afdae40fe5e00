// The bounds and timings of a session that are not configuration keys: replay log, GET backlog,
// stream buffers, keep-alives. Shared by both transports' sessions.

export const SESSION_LIMITS = {
  /** Replay buffer for Last-Event-ID. */
  eventLogEvents: 512,
  eventLogBytes: 8 * 1024 * 1024,
  /** Messages for the GET stream kept while no GET stream is connected: at most this many… */
  queuedForGetStream: 256,
  /** …and at most this many bytes (a flood of large messages must not add up). */
  queuedForGetStreamBytes: 4 * 1024 * 1024,
  /** Bytes an SSE reader may fall behind before it is disconnected. */
  streamBufferBytes: 32 * 1024 * 1024,
  /** A POST still unanswered after this long becomes an SSE stream, so keep-alive frames can flow. */
  upgradeToStreamAfterMs: 8_000,
  keepAliveEveryMs: 15_000,
  reconnectRetryMs: 1_000,
  /** Retry-After of a 429 for requests or streams: answers and closing streams come in seconds. */
  retryAfterS: 1,
} as const;
