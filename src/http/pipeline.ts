// The request pipeline: what happens once for every request, whatever answers it (a route, the
// front door, an unknown path, an unexpected failure): timing, the front door's checks, CORS,
// the error body shape and exactly one access-log line. Routes only answer; they may tell the
// access line which server and session a request was for (noteRequest).
import { Elysia } from "elysia";
import type { Logger } from "../log.ts";
import { asOAuthError } from "../oauth/errors.ts";
import { type AccessNotes, logRequest } from "./access-log.ts";
import { ANY_ORIGIN, type CorsPolicy, NO_ORIGIN, withCors } from "./cors.ts";
import { errorResponse } from "./error-responses.ts";
import { frontDoorAnswer } from "./front-door.ts";
import { type PathKind, type PathKinds, pathOf } from "./path-kinds.ts";
import type { RequestPolicy } from "./request-policy.ts";

interface PipelineOptions {
  log: Logger;
  policy: RequestPolicy;
  paths: PathKinds;
  maxHeaderBytes: number;
}

interface Exchange {
  startedAt: number;
  kind: PathKind;
  notes: AccessNotes;
  answered: boolean;
}

// Keyed by the Request object, which Elysia hands unchanged to every hook and the handler.
const exchanges = new WeakMap<Request, Exchange>();

/** For the access line: the server and session this request was for. */
export function noteRequest(request: Request, notes: AccessNotes): void {
  const exchange = exchanges.get(request);
  if (exchange) exchange.notes = notes;
}

/**
 * The front door's own answers are thrown: Elysia (1.4) runs no later hook for a response that
 * onRequest returns, but hands a thrown value to onError, where every non-route answer is finished.
 */
class FrontDoorAnswer extends Error {
  constructor(readonly response: Response) {
    super("answered by the front door");
  }
}

export function requestPipeline({ log, policy, paths, maxHeaderBytes }: PipelineOptions) {
  const cors: Record<PathKind, CorsPolicy> = {
    mcp: (origin) => policy.originAllowed(origin),
    "oauth-api": ANY_ORIGIN,
    other: NO_ORIGIN,
  };

  const exchangeOf = (request: Request): Exchange => {
    let exchange = exchanges.get(request);
    if (!exchange) {
      exchange = { startedAt: performance.now(), kind: paths.kindOf(pathOf(request.url)), notes: {}, answered: false };
      exchanges.set(request, exchange);
    }
    return exchange;
  };

  /** The exchange, the first time its answer is finished; undefined after. */
  const unanswered = (request: Request): Exchange | undefined => {
    const exchange = exchangeOf(request);
    if (exchange.answered) return undefined;
    exchange.answered = true;
    return exchange;
  };

  /** The last step of every answer, taken once: CORS by the path's policy, the access line. */
  const finish = (request: Request, response: Response): Response => {
    const exchange = unanswered(request);
    if (exchange) {
      withCors(response, request.headers.get("origin"), cors[exchange.kind]);
      logRequest(log, request, response.status, exchange.startedAt, exchange.notes);
    }
    return response;
  };

  return new Elysia({ name: "request-pipeline" })
    .onRequest(({ request }) => {
      const answer = frontDoorAnswer(request, exchangeOf(request).kind, policy, maxHeaderBytes);
      if (answer) throw new FrontDoorAnswer(answer);
    })
    .onAfterHandle({ as: "global" }, ({ request, responseValue, set }) => {
      if (responseValue instanceof Response) finish(request, responseValue);
      else {
        // Every handler here answers a Response; anything else still gets its access line.
        const exchange = unanswered(request);
        if (exchange) logRequest(log, request, typeof set.status === "number" ? set.status : 200, exchange.startedAt, exchange.notes);
      }
    })
    .onError({ as: "global" }, ({ request, code, error }) => {
      if (error instanceof FrontDoorAnswer) return finish(request, error.response);
      const { kind } = exchangeOf(request);
      if (code === "NOT_FOUND") {
        return finish(request, errorResponse(kind, 404, `unrecognized route or not allowed method (${request.method})`));
      }
      const failure = asOAuthError(error);
      log.error({ method: request.method, code, reason: failure.reason ?? failure.description }, "unhandled error while serving a request");
      return finish(request, errorResponse(kind, 500, "internal error"));
    });
}
