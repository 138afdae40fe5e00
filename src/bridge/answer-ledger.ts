// Which answers went out on which stream, and as which event: a stream resumed with
// Last-Event-ID after its events were evicted from the replay buffer (MCP 2025-11-25 transports
// §Resumability and Redelivery) learns which answers it lost, so that each of those requests
// gets a JSON-RPC error instead of waiting forever. Bounded: the streams of a session come and
// go, and only the most recent ones can still be resumed with any hope.
import { idOfKey, type JsonRpcId } from "./jsonrpc.ts";

export class AnswerLedger {
  private readonly byStream = new Map<string, Map<string, number>>();

  constructor(private readonly maxStreams: number) {}

  /** The answer to the request `key` went out on `stream` as event `seq`. */
  record(stream: string, key: string, seq: number): void {
    let answers = this.byStream.get(stream);
    if (!answers) {
      answers = new Map();
      this.byStream.set(stream, answers);
      const oldest = this.byStream.keys().next().value;
      if (this.byStream.size > this.maxStreams && oldest !== undefined) this.byStream.delete(oldest);
    }
    answers.set(key, seq);
  }

  /** The requests whose answers went out on `stream` after `seq` as events other than `kept`, and those events' seqs. */
  lost(stream: string, seq: number, kept: ReadonlySet<number>): { id: JsonRpcId; seq: number }[] {
    const lost: { id: JsonRpcId; seq: number }[] = [];
    for (const [key, at] of this.byStream.get(stream) ?? []) if (at > seq && !kept.has(at)) lost.push({ id: idOfKey(key), seq: at });
    return lost.sort((a, b) => a.seq - b.seq);
  }
}
