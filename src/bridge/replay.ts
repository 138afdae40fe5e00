// What a stream resumed with Last-Event-ID missed (MCP 2025-11-25 transports §Resumability and
// Redelivery): the events after the client's last one, from the session's replay buffer. When
// some were evicted they are gone, and with them perhaps the answer to a request: each request
// whose answer was lost is answered with a JSON-RPC error on the resumed stream instead, so that
// no client waits for an answer that will never come.
import type { AnswerLedger } from "./answer-ledger.ts";
import { type EventLog, eventId } from "./event-log.ts";
import { ErrorCode, errorResponse } from "./jsonrpc.ts";
import { sseEvent } from "./sse.ts";

interface Replay {
  /** SSE frames to write on the resumed stream, in order. */
  frames: string[];
  /** Some events were evicted before the client came back. */
  evicted: boolean;
  /** Requests answered with an error because their answer was among them. */
  lostAnswers: number;
}

export function replay(log: EventLog, answers: AnswerLedger, stream: string, afterSeq: number): Replay {
  const kept = log.kept(stream, afterSeq);
  // An answer that went out after the client's last event and is no longer kept was evicted;
  // this also covers a stream all of whose events were.
  const lost = answers.lost(stream, afterSeq, new Set(kept.map((e) => e.seq)));
  const evicted = lost.length > 0 || log.after(stream, afterSeq) === undefined;
  const frames = kept.map((e) => sseEvent(e.data, eventId(e.stream, e.seq)));
  // Each error takes the event id of the answer it stands for: a client that comes back again
  // resumes after it.
  for (const { id, seq } of lost) {
    frames.push(
      sseEvent(
        errorResponse(
          id,
          ErrorCode.AnswerLost,
          "the answer to this request was lost: the stream's events were evicted from the replay buffer before it resumed",
        ),
        eventId(stream, seq),
      ),
    );
  }
  return { frames, evicted, lostAnswers: lost.length };
}
