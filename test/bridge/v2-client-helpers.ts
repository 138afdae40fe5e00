// For the tests of the v2 TypeScript SDK client (@modelcontextprotocol/client 2.x) through the
// appliance: a client in one of its three modes with handlers for the server's requests that
// record what they were asked, an in-memory OAuthClientProvider of the v2 SDK, and the whole
// OAuth flow with it (the owner signing in and approving at the appliance's pages).

import { expect } from "bun:test";
import {
  Client,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { eventually } from "../helpers/appliance.ts";
import { MemoryOAuthProvider, OwnerBrowser } from "../helpers/oauth.ts";

/**
 * The v2 client's modes (ClientOptions.versionNegotiation): the default 2025 initialize handshake,
 * `auto` (probes server/discover, falls back to initialize), and a pin to 2026-07-28 (no fallback).
 */
export type ClientMode = "legacy" | "auto" | "pin";
export const CLIENT_MODES: ClientMode[] = ["legacy", "auto", "pin"];

const NEGOTIATION = {
  legacy: undefined,
  auto: { mode: "auto" as const },
  pin: { mode: { pin: "2026-07-28" } },
};

/** What the client's handlers were asked, in order. */
interface Asked {
  elicitations: string[];
  samplings: string[];
  rootsLists: number;
}

export interface V2Connection {
  client: Client;
  transport: StreamableHTTPClientTransport;
  asked: Asked;
  errors: Error[];
  close(): Promise<void>;
}

/** What the user types into a form field, by field name. */
const ANSWERS: Record<string, string> = { username: "ada", email: "ada@example.com", name: "Ada", color: "blue" };

export const ROOT = { uri: "file:///work/project", name: "project" };

function v2Client(mode: ClientMode): { client: Client; asked: Asked; errors: Error[] } {
  const client = new Client(
    { name: `v2-client-test-${mode}`, version: "1.0.0" },
    {
      capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} },
      ...(NEGOTIATION[mode] ? { versionNegotiation: NEGOTIATION[mode] } : {}),
    },
  );
  const asked: Asked = { elicitations: [], samplings: [], rootsLists: 0 };
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  // The same handlers serve 2025 server-to-client requests and 2026 input_required rounds.
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.elicitations.push(request.params.message);
    // The user fills in the fields the form asks for.
    const requested = "requestedSchema" in request.params ? Object.keys(request.params.requestedSchema.properties) : [];
    return { action: "accept", content: Object.fromEntries(requested.map((field) => [field, ANSWERS[field] ?? "yes"])) };
  });
  client.setRequestHandler("sampling/createMessage", async (request) => {
    const first = request.params.messages[0]?.content;
    asked.samplings.push(first && "text" in first ? String(first.text) : JSON.stringify(first));
    return { model: "test-model", role: "assistant", content: { type: "text", text: "Paris" }, stopReason: "endTurn" };
  });
  client.setRequestHandler("roots/list", async () => {
    asked.rootsLists++;
    return { roots: [ROOT] };
  });
  return { client, asked, errors };
}

function connection(client: Client, transport: StreamableHTTPClientTransport, asked: Asked, errors: Error[]): V2Connection {
  return {
    client,
    transport,
    asked,
    errors,
    close: async () => {
      // A 2025 session ends with DELETE; a 2026 client has no session to end.
      if (transport.sessionId) await transport.terminateSession();
      await client.close();
    },
  };
}

/** A v2 client in `mode`, connected to `url` with a bearer token. */
export async function connectV2(url: URL, mode: ClientMode, token: string): Promise<V2Connection> {
  const { client, asked, errors } = v2Client(mode);
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  return connection(client, transport, asked, errors);
}

/**
 * The v2 SDK's OAuthClientProvider, kept in memory: the v1 one (a public client, PKCE, no
 * secret), and the discovery state, kept so that the callback leg can check the code comes from
 * the authorization server that the redirect went to (the v2 SDK's SEP-2352 binding).
 */
class V2MemoryOAuthProvider extends MemoryOAuthProvider implements OAuthClientProvider {
  private discovery: OAuthDiscoveryState | undefined;

  constructor(redirectUrl = "http://localhost:47124/callback") {
    super(redirectUrl, { client_name: "v2 SDK test client" });
  }

  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

/**
 * The v2 client's own OAuth flow: the first connect fails with UnauthorizedError after discovery,
 * registration and the authorization URL; the owner signs in and approves; finishAuth redeems the
 * code (checking `iss`, RFC 9207); a second client connects with the tokens.
 */
export async function connectV2WithOAuth(
  url: URL,
  mode: ClientMode,
  origin: string,
): Promise<V2Connection & { provider: V2MemoryOAuthProvider }> {
  const provider = new V2MemoryOAuthProvider();
  const first = v2Client(mode);
  const unauthorized = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const refusal = await first.client.connect(unauthorized).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(refusal instanceof UnauthorizedError)) throw new Error(`expected UnauthorizedError, got ${String(refusal)}`);
  if (!provider.authorizationUrl) throw new Error("the client did not ask for authorization");
  const redirect = await new OwnerBrowser(origin).approve(provider.authorizationUrl);
  await unauthorized.finishAuth(redirect.searchParams.get("code")!, redirect.searchParams.get("iss") ?? undefined);
  const { client, asked, errors } = v2Client(mode);
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await client.connect(transport);
  return { ...connection(client, transport, asked, errors), provider };
}

export function textOf(result: unknown): string {
  return (result as { content: { type: string; text?: string }[] }).content.map((c) => c.text ?? "").join("");
}

/**
 * Cancel a call with an AbortSignal once the child reports it running (the fixture's
 * wait_for_cancel tool), and wait until the child has heard the cancellation of it.
 */
export async function expectCancelReachesChild(c: V2Connection, tag: string): Promise<void> {
  const controller = new AbortController();
  let running: () => void = () => {};
  const started = new Promise<void>((resolve) => (running = resolve));
  const call = c.client.callTool(
    { name: "wait_for_cancel", arguments: { tag } },
    { signal: controller.signal, onprogress: () => running() },
  );
  const outcome = call.then(
    () => "answered",
    () => "rejected",
  );
  await started;
  controller.abort("the test cancels");
  expect(await outcome).toBe("rejected");
  await eventually(async () => {
    const tags = JSON.parse(textOf(await c.client.callTool({ name: "cancelled_tags", arguments: {} }))) as string[];
    return tags.includes(tag);
  }, `the child saw the cancellation of ${tag}`);
}
