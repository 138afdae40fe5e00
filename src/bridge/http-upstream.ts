// The MCP endpoint of an HTTP upstream server ([servers.<name>] with `url`): every request to
// the public path is forwarded to the upstream's URL (method, query and body), and the answer
// streamed back as it arrives. The upstream speaks MCP Streamable HTTP itself; this checks
// nothing of the protocol but who may use which session. Web-standard Request in, Response
// out; no web framework here.
import type { HttpServerConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { jsonRpcErrorResponse } from "./http-responses.ts";
import { ErrorCode } from "./jsonrpc.ts";
import type { RequestNotes } from "./request-notes.ts";
import { SESSION_HEADER } from "./streamable-http.ts";
import { clientResponseHeaders, upstreamRequestHeaders } from "./upstream-headers.ts";
import { SessionOwners } from "./upstream-sessions.ts";
import { LimitedBody, relayBody } from "./upstream-streams.ts";

/** The owner of sessions opened without authentication (auth = "none"). */
const ANONYMOUS = "";

const METHODS = ["GET", "POST", "DELETE"];

class UpstreamTimeout extends Error {}

interface HttpUpstreamOptions {
  /** Most sessions whose owner is remembered (tests make it small). */
  maxTrackedSessions?: number;
  /** A quiet SSE stream gets a keep-alive comment this often (as the stdio bridge's streams do). */
  keepAliveEveryMs?: number;
}

const KEEPALIVE_EVERY_MS = 15_000;

export class HttpUpstreamEndpoint {
  private readonly owners: SessionOwners;
  private readonly target: URL;
  private readonly keepAliveEveryMs: number;

  constructor(
    readonly server: HttpServerConfig,
    private readonly log: Logger,
    options: HttpUpstreamOptions = {},
  ) {
    this.owners = new SessionOwners(options.maxTrackedSessions);
    this.target = new URL(server.url);
    this.keepAliveEveryMs = options.keepAliveEveryMs ?? KEEPALIVE_EVERY_MS;
  }

  get serverName(): string {
    return this.server.name;
  }

  /** Scheme, host and port of the upstream: what /healthz may show (the path stays private). */
  get upstreamOrigin(): string {
    return this.target.origin;
  }

  /** Sessions whose owner is known. */
  get sessions(): number {
    return this.owners.size;
  }

  async handle(request: Request, notes: RequestNotes = {}): Promise<Response> {
    if (!METHODS.includes(request.method)) {
      return jsonRpcErrorResponse(405, ErrorCode.InvalidRequest, `method ${request.method} is not allowed on an MCP endpoint`, {
        headers: { allow: METHODS.join(", ") },
      });
    }
    const principal = notes.principal ?? ANONYMOUS;
    const sessionId = request.headers.get(SESSION_HEADER);
    if (sessionId !== null) {
      notes.session = sessionId;
      // A session belongs to whoever opened it; to anyone else it does not exist.
      if (this.owners.ownerOf(sessionId) !== principal) {
        return jsonRpcErrorResponse(404, ErrorCode.InvalidRequest, "Session not found: start a new session with initialize");
      }
    }

    const limit = this.server.maxMessageBytes;
    const declared = Number(request.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > limit) return tooLarge(limit);
    const upload = request.body && request.method === "POST" ? new LimitedBody(request.body, limit) : undefined;

    const url = new URL(this.target);
    url.search = new URL(request.url).search;
    const abort = new AbortController();
    const clientGone = () => abort.abort(request.signal.reason);
    request.signal.addEventListener("abort", clientGone, { once: true });
    const timer = setTimeout(() => abort.abort(new UpstreamTimeout()), this.server.upstreamTimeoutMs);

    let upstream: Response;
    try {
      upstream = await fetch(url, {
        method: request.method,
        headers: upstreamRequestHeaders(request.headers, { ...this.server, principal: notes.principal }),
        ...(upload && { body: upload.stream, duplex: "half" }),
        signal: abort.signal,
        // A redirect would carry the configured headers to wherever it points.
        redirect: "manual",
        // The upstream's bytes are relayed as they are, Content-Encoding included (Bun option).
        decompress: false,
        // The upstream is reached directly, never through a proxy from the environment, which
        // would see the configured headers.
        proxy: false,
      } as RequestInit);
    } catch (error) {
      request.signal.removeEventListener("abort", clientGone);
      if (upload?.exceeded) return tooLarge(limit);
      if (abort.signal.reason instanceof UpstreamTimeout) {
        this.log.warn(
          { server: this.server.name, timeout_ms: this.server.upstreamTimeoutMs },
          "the upstream sent no response headers in time",
        );
        return jsonRpcErrorResponse(
          504,
          ErrorCode.RequestTimeout,
          `the upstream MCP server did not answer within upstream_timeout (${this.server.upstreamTimeoutMs} ms)`,
        );
      }
      // A client that left before the answer came needs no diagnosis (nor gets this response).
      if (!request.signal.aborted) {
        this.log.warn(
          { server: this.server.name, upstream: this.upstreamOrigin, reason: describeFailure(error) },
          "the upstream cannot be reached",
        );
      }
      return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, "the upstream MCP server cannot be reached");
    } finally {
      clearTimeout(timer);
    }

    return this.respond(request, upstream, sessionId, principal, notes, () => request.signal.removeEventListener("abort", clientGone));
  }

  /** The upstream's answer, on its way to the client; `release` runs once the exchange is over. */
  private async respond(
    request: Request,
    upstream: Response,
    sessionId: string | null,
    principal: string,
    notes: RequestNotes,
    release: () => void,
  ): Promise<Response> {
    const refused = this.refusal(upstream);
    if (refused) {
      release();
      await upstream.body?.cancel().catch(() => {});
      return refused;
    }
    this.trackSession(request.method, sessionId, upstream, principal, notes);
    const headers = clientResponseHeaders(upstream.headers);
    const init = { status: upstream.status, statusText: upstream.statusText, headers };
    if (!upstream.body) {
      release();
      return new Response(null, init);
    }
    const finished = (failure?: unknown) => {
      release();
      if (failure !== undefined && !request.signal.aborted) {
        this.log.warn({ server: this.server.name, reason: describeFailure(failure) }, "the upstream's response ended early");
      }
    };
    const eventStream = headers.get("content-type")?.toLowerCase().startsWith("text/event-stream") ?? false;
    // Reverse proxies in front of the appliance (nginx) must not buffer a stream either.
    if (eventStream && !headers.has("x-accel-buffering")) headers.set("x-accel-buffering", "no");
    return new Response(relayBody(upstream.body, finished, eventStream ? { keepAliveEveryMs: this.keepAliveEveryMs } : {}), init);
  }

  /**
   * Answers that are about the appliance's own dealings with the upstream, not the client's
   * request: passed on, they would mislead the client (a 401 would send it to re-authorize with
   * a token that is fine; a redirect would point at the upstream's private address).
   */
  private refusal(upstream: Response): Response | undefined {
    if (upstream.status === 401 || upstream.status === 407) {
      this.log.warn(
        { server: this.server.name, status: upstream.status },
        "the upstream refused the appliance's credentials: check its headers",
      );
      return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, "the upstream MCP server refused the appliance's credentials");
    }
    if (upstream.status >= 300 && upstream.status < 400 && upstream.status !== 304) {
      this.log.warn({ server: this.server.name, status: upstream.status }, "the upstream answered with a redirect, which is not followed");
      return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, "the upstream MCP server answered with a redirect");
    }
    return undefined;
  }

  /**
   * MCP 2025-11-25 transports §Session Management: the server assigns a session id in the
   * response to initialize (the only request sent without one that gets one back); a 404 for a
   * request with an id means the session is gone, as does a successful DELETE.
   */
  private trackSession(method: string, sessionId: string | null, upstream: Response, principal: string, notes: RequestNotes): void {
    if (sessionId === null) {
      const assigned = upstream.headers.get(SESSION_HEADER);
      if (assigned !== null && upstream.ok) {
        this.owners.bind(assigned, principal);
        notes.session = assigned;
      }
      return;
    }
    if (upstream.status === 404 || (method === "DELETE" && upstream.ok)) this.owners.drop(sessionId);
  }
}

function tooLarge(limit: number): Response {
  return jsonRpcErrorResponse(413, ErrorCode.MessageTooLarge, `the message exceeds max_message_size (${limit} bytes)`);
}

/** A failure's kind for the log: a code or a name, never a message that could quote a header. */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.name : typeof error;
}
