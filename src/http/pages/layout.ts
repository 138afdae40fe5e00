// The frame of every page the owner sees, and the headers that keep it from being framed
// (clickjacking: X-Frame-Options DENY and CSP frame-ancestors 'none') or from talking to
// anything but the appliance.
import { type Html, html } from "./html.ts";

export function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · mcp-appliance</title>
<link rel="stylesheet" href="/assets/pages.css">
</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>`.text;
}

/**
 * `formTargets` are the origins (or schemes, for private-use redirect URIs) a form on the page
 * may end up at: the form posts to the appliance, which redirects to the client, and browsers
 * apply form-action to that redirect too.
 */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...formTargets].join(" ");
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    // same-origin, not no-referrer: with no-referrer browsers post forms with "Origin: null",
    // and the authorization endpoint refuses forms that do not come from its own origin.
    "referrer-policy": "same-origin",
    "content-security-policy": `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  };
}
