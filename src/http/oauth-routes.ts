// The authorization server's HTTP face: discovery documents (RFC 8414, RFC 9728), /authorize
// with its pages, /token, /register, /revoke. Parsing and shaping only; the decisions are in oauth/.
import { Elysia } from "elysia";
import type { Logger } from "../log.ts";
import type { AuthorizeOutcome } from "../oauth/authorization-endpoint.ts";
import type { AuthorizationServer } from "../oauth/authorization-server.ts";
import type { OAuthError } from "../oauth/errors.ts";
import { WELL_KNOWN } from "../oauth/metadata.ts";
import { readFormBody, readFormFields, readJsonBody } from "../oauth/request-body.ts";
import { errorResponse } from "./error-responses.ts";
import { consentPage, errorPage, loginPage } from "./pages/authorize-pages.ts";
import { pageHeaders } from "./pages/layout.ts";
import type { PathSet } from "./path-kinds.ts";

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };
const TOKEN = "/token";
const REGISTER = "/register";
const REVOKE = "/revoke";

/** Discovery, token, registration, revocation: browser-based clients call them directly, from any origin. */
export const OAUTH_API_PATHS: PathSet = {
  exact: [WELL_KNOWN.authorizationServer, WELL_KNOWN.openidConfiguration, WELL_KNOWN.protectedResource, TOKEN, REGISTER, REVOKE],
  prefixes: [`${WELL_KNOWN.protectedResource}/`],
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** RFC 6749 §5.2: errors as JSON, never HTML; Cache-Control: no-store. */
function oauthError(error: OAuthError, log: Logger): Response {
  if (error.status >= 500) log.error({ code: error.code, reason: error.reason }, "authorization server error");
  else log.info({ code: error.code, reason: error.reason ?? error.description }, "oauth request refused");
  return json(error.status, error.toJSON(), { ...NO_STORE, ...error.headers() });
}

/** An RFC 6749 form body (application/x-www-form-urlencoded), or the error response to send. */
async function readForm(request: Request, log: Logger): Promise<Map<string, string> | Response> {
  const form = await readFormBody(request);
  return form.ok ? form.value : oauthError(form.error, log);
}

function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function render(outcome: AuthorizeOutcome): Response {
  const headers: Record<string, string> = {};
  if (outcome.cookie) {
    const c = outcome.cookie;
    headers["set-cookie"] = `${c.name}=${c.value}; Path=/; Max-Age=${c.maxAgeS}; HttpOnly; SameSite=Lax${c.secure ? "; Secure" : ""}`;
  }
  switch (outcome.kind) {
    case "redirect":
      // 303: the browser follows with GET, whatever method brought it here.
      return new Response(null, { status: 303, headers: { ...headers, location: outcome.location, "cache-control": "no-store" } });
    case "error-page":
      return new Response(errorPage(outcome.title, outcome.description), {
        status: outcome.status,
        headers: { ...pageHeaders(), ...headers },
      });
    case "login":
      return new Response(loginPage(outcome.view), {
        status: outcome.status,
        headers: { ...pageHeaders(outcome.formTargets), ...headers },
      });
    case "consent":
      return new Response(consentPage(outcome.view), { status: 200, headers: { ...pageHeaders(outcome.formTargets), ...headers } });
  }
}

export function oauthRoutes(auth: () => AuthorizationServer, log: Logger, addressOf: (request: Request) => string) {
  // Timing, CORS (any origin: browser-based clients call these endpoints directly), the access
  // line and the answer to a thrown error are the request pipeline's (pipeline.ts).
  const answer =
    (handler: (request: Request) => Promise<Response> | Response) =>
    ({ request }: { request: Request }) =>
      handler(request);

  const app = new Elysia({ name: "oauth-routes" });
  const asMetadata = answer(() => json(200, auth().metadata(), { "cache-control": "max-age=300" }));
  app.get(WELL_KNOWN.authorizationServer, asMetadata);
  app.get(WELL_KNOWN.openidConfiguration, asMetadata);
  app.get(
    `${WELL_KNOWN.protectedResource}/*`,
    answer((request) => {
      const path = new URL(request.url).pathname.slice(WELL_KNOWN.protectedResource.length);
      const doc = auth().resourceMetadata(path === "" || path === "/" ? undefined : path);
      return doc
        ? json(200, doc, { "cache-control": "max-age=300" })
        : errorResponse("oauth-api", 404, "no protected resource is described at this path");
    }),
  );
  app.get(
    WELL_KNOWN.protectedResource,
    answer(() => json(200, auth().resourceMetadata(undefined), { "cache-control": "max-age=300" })),
  );

  app.get(
    "/authorize",
    answer(async (request) => {
      const server = auth();
      const query = new URL(request.url).searchParams;
      return render(await server.authorization.start(query, cookieOf(request, server.authorization.cookieName), addressOf(request)));
    }),
    { parse: "none" },
  );
  app.post(
    "/authorize",
    answer(async (request) => {
      const server = auth();
      const form = await readFormFields(request);
      if (!form.ok)
        return new Response(errorPage("Request refused", "The form could not be read."), { status: 400, headers: pageHeaders() });
      return render(
        await server.authorization.submit({
          form: form.value,
          cookie: cookieOf(request, server.authorization.cookieName),
          origin: request.headers.get("origin"),
          address: addressOf(request),
        }),
      );
    }),
    { parse: "none" },
  );

  app.post(
    TOKEN,
    answer(async (request) => {
      const form = await readForm(request, log);
      if (form instanceof Response) return form;
      const result = await auth().token.exchange(form, request.headers.get("authorization"), addressOf(request));
      if (!result.ok) return oauthError(result.error, log);
      return json(200, result.value, NO_STORE);
    }),
    { parse: "none" },
  );

  app.post(
    REVOKE,
    answer(async (request) => {
      const form = await readForm(request, log);
      if (form instanceof Response) return form;
      const result = await auth().revocation.revoke(form, request.headers.get("authorization"), addressOf(request));
      if (!result.ok) return oauthError(result.error, log);
      return new Response(null, { status: 200, headers: NO_STORE });
    }),
    { parse: "none" },
  );

  app.post(
    REGISTER,
    answer(async (request) => {
      const registration = auth().registration;
      if (!registration) return errorResponse("oauth-api", 404, "dynamic client registration is turned off");
      const result = registration.register(await readJsonBody(request), addressOf(request));
      if (!result.ok) return oauthError(result.error, log);
      return json(201, result.value, NO_STORE);
    }),
    { parse: "none" },
  );
  return app;
}
