// The OAuth client's side in the browser tests: a tiny HTTP server on 127.0.0.1 (port 0) whose
// /callback records every redirect it receives, and which can serve pages of its own — from an
// origin other than the appliance's — such as one that tries to frame the login page.

export interface CallbackServer {
  origin: string;
  redirectUri: string;
  /** Every request to /callback, in order. */
  received: URL[];
  /** Serve `html` at `path` (e.g. a page framing the appliance). */
  servePage(path: string, html: string): void;
  stop(): Promise<void>;
}

export function startCallbackServer(): CallbackServer {
  const received: URL[] = [];
  const pages = new Map<string, string>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/callback") {
        received.push(url);
        return new Response("<!doctype html><title>Client callback</title><p id=done>Back at the client.</p>", {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      const page = pages.get(url.pathname);
      if (page !== undefined) return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
      return new Response("not found", { status: 404 });
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    origin,
    redirectUri: `${origin}/callback`,
    received,
    servePage: (path, html) => void pages.set(path, html),
    stop: () => server.stop(true),
  };
}
