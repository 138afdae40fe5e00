// The pages of the authorization flow: owner login, consent, and errors that must not be
// redirected to the client (RFC 6749 §4.1.2.1: an invalid client or redirect URI is shown to
// the user, never sent to the unverified redirect URI).
import type { PendingView } from "../../oauth/authorization-endpoint.ts";
import { html } from "./html.ts";
import { page } from "./layout.ts";

export function loginPage(view: PendingView & { csrf: string; error?: string; notice?: string }): string {
  return page(
    "Sign in",
    html`<h1>Sign in to approve access</h1>
<p class="lead"><strong>${view.clientName}</strong> wants to use <code>${view.resource}</code>.</p>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ""}
<form method="post" action="/authorize">
<input type="hidden" name="request" value="${view.request}">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="action" value="login">
<label for="password">Owner password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit" class="primary">Sign in</button>
</form>`,
  );
}

const KIND_NOTE: Record<string, string> = {
  preregistered: "A client registered by the owner of this appliance.",
  dynamic: "This client registered itself. Check that you started this connection.",
  metadata_document: "This client identifies itself by its metadata document URL.",
};

// Anyone may register a client under any name, a pre-registered client's among them (issue 13):
// the badge says who vouches for the name, and only the owner's clients get the quiet one.
const KIND_BADGE: Record<string, { text: string; tone: string }> = {
  preregistered: { text: "registered by the owner", tone: "owner" },
  dynamic: { text: "self-registered", tone: "stranger" },
  metadata_document: { text: "metadata document", tone: "stranger" },
};

function badge(kind: string) {
  const known = KIND_BADGE[kind] ?? { text: kind, tone: "stranger" };
  return html`<span class="badge ${known.tone}" data-kind="${kind}">${known.text}</span>`;
}

export function consentPage(view: PendingView & { csrf: string }): string {
  return page(
    "Approve access",
    html`<h1>Allow access?</h1>
<p class="lead"><strong>${view.clientName}</strong> ${badge(view.clientKind)} wants to use your MCP server.</p>
${
  view.namesakeOfPreregistered
    ? html`<p class="warning" role="alert">A client registered by the owner is also named <strong>${view.clientName}</strong>. <strong>This is not that client</strong>: this one registered itself. Deny unless you know you started this connection.</p>`
    : ""
}
<dl>
<dt>Client</dt><dd>${view.clientName} ${badge(view.clientKind)}<br><small>${KIND_NOTE[view.clientKind] ?? ""}</small><br><small>client_id <code>${view.clientId}</code></small></dd>
<dt>Returns to</dt><dd><code>${view.redirectHost}</code></dd>
<dt>Server</dt><dd><code>${view.resource}</code></dd>
<dt>Permissions</dt><dd>${view.scopes.map((s) => html`<code>${s}</code> `)}</dd>
</dl>
<form method="post" action="/authorize">
<input type="hidden" name="request" value="${view.request}">
<input type="hidden" name="csrf" value="${view.csrf}">
<label class="check"><input type="checkbox" name="remember" value="yes"> Remember this decision for this client</label>
<div class="actions">
<button type="submit" name="action" value="deny">Deny</button>
<button type="submit" name="action" value="approve" class="primary">Allow</button>
</div>
<div class="signout"><button type="submit" name="action" value="signout">Sign out</button></div>
</form>`,
  );
}

export function errorPage(title: string, description: string): string {
  return page(title, html`<h1>${title}</h1><p class="error" role="alert">${description}</p><p>You can close this window.</p>`);
}
