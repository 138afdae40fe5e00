// The two bodies of a proxied exchange, streamed chunk by chunk and never buffered whole: the
// client's request body on its way up (counted against max_message_size), and the upstream's
// response on its way back (SSE events reach the client as the upstream writes them).
import { KEEPALIVE_FRAME } from "./sse.ts";

/** A request body that fails once more than `limit` bytes have passed; `exceeded` says whether it did. */
export class LimitedBody {
  exceeded = false;
  readonly stream: ReadableStream<Uint8Array>;

  constructor(source: ReadableStream<Uint8Array>, limit: number) {
    const reader = source.getReader();
    let total = 0;
    this.stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          total += value.byteLength;
          if (total > limit) {
            this.exceeded = true;
            await reader.cancel().catch(() => {});
            return controller.error(new Error(`the request body exceeds ${limit} bytes`));
          }
          controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason).catch(() => {}),
      },
      { highWaterMark: 0 },
    );
  }
}

const KEEPALIVE = new TextEncoder().encode(KEEPALIVE_FRAME);

/** Does an SSE stream whose last bytes are `tail` stand between two events (after a blank line)? */
function betweenEvents(tail: string): boolean {
  return tail === "" || tail.endsWith("\n\n") || tail.endsWith("\r\n\r\n") || tail.endsWith("\r\r");
}

interface RelayOptions {
  /**
   * For an SSE stream: after this long without a byte, a comment frame is slipped in between
   * two events, so that the appliance's own idle timeout and proxies in front of it do not cut
   * a quiet stream (SSE parsers ignore comments; HTML Living Standard §9.2.6).
   */
  keepAliveEveryMs?: number;
}

/**
 * The upstream's response body as the client's. Once the status line is out an upstream failure
 * cannot become an error response any more: the stream just ends. `done` runs once, when the
 * relay ends for any reason (finished, failed, or cancelled by the client), with the failure if any.
 */
export function relayBody(
  source: ReadableStream<Uint8Array>,
  done: (failure?: unknown) => void,
  options: RelayOptions = {},
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  let ended = false;
  let lastWrite = Date.now();
  let tail = "";
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const end = (failure?: unknown) => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    done(failure);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const every = options.keepAliveEveryMs;
        if (every === undefined) return;
        keepAlive = setInterval(
          () => {
            if (ended || Date.now() - lastWrite < every || !betweenEvents(tail)) return;
            lastWrite = Date.now();
            controller.enqueue(KEEPALIVE);
          },
          Math.max(10, Math.floor(every / 3)),
        );
      },
      async pull(controller) {
        try {
          const { done: finished, value } = await reader.read();
          if (ended) return;
          if (finished) {
            controller.close();
            end();
            return;
          }
          lastWrite = Date.now();
          if (keepAlive !== undefined) tail = (tail + decoder.decode(value.subarray(-4))).slice(-4);
          controller.enqueue(value);
        } catch (failure) {
          if (ended) return;
          controller.close();
          end(failure);
        }
      },
      cancel(reason) {
        end();
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
