// A shared child is initialized once, by the appliance (MCP 2025-11-25 lifecycle
// §Initialization), and every session's initialize is answered from the child's cached result.
//
// The appliance declares the client capabilities that can be served by a connected client:
// sampling, elicitation and roots as the client of the session that started the child declared
// them. A 2025 connection cannot
// change its capabilities after initialize, so a later client that brings a capability the
// first did not gets the child as it is: the child believes no client can serve it and will
// not ask. The other way round, a request of the child for a capability that the attributed
// session's client did not declare is answered with an error for it (shared-child.ts). A child
// started again later (after reaping) is initialized with the capabilities of the session
// that starts it.
import { errorResponse, type JsonRpcId, type PeekedMessage } from "../jsonrpc.ts";
import { isSupportedProtocolVersion, SUPPORTED_PROTOCOL_VERSIONS } from "../protocol-version.ts";
import { APPLIANCE_CLIENT_INFO } from "../request-meta.ts";
import { replaceMember } from "./json-splice.ts";

/** The capabilities a client serves that a child may use (MCP 2025-11-25 §Capability Negotiation). */
const SERVABLE = ["sampling", "elicitation", "roots"] as const;

interface Waiting {
  id: JsonRpcId;
  requestedVersion: unknown;
  answer: (line: string) => void;
}

interface InitializeTransport {
  request(method: string, params: Record<string, unknown>, onAnswer: (line: string, message: PeekedMessage) => void): void;
  notify(line: string): void;
}

export class InitializeOnce {
  private state: "not-started" | "pending" | "ready" | "failed" = "not-started";
  /** The child's answer to the appliance's initialize, as the child wrote it. */
  private resultLine = "";
  private childVersion = "";
  private waiting: Waiting[] = [];

  constructor(private readonly transport: InitializeTransport) {}

  /** The child refused initialize: it cannot serve anyone, a fresh one must be started. */
  get failed(): boolean {
    return this.state === "failed";
  }

  /** A session's initialize; `answer` gets the response line, with the session's own id. */
  request(id: JsonRpcId, params: Record<string, unknown> | undefined, answer: (line: string) => void): void {
    const waiting = { id, requestedVersion: params?.protocolVersion, answer };
    if (this.state === "ready" || this.state === "failed") {
      // Asynchronously, as an answer from the child would come: the caller is still sending.
      queueMicrotask(() => this.answer(waiting));
      return;
    }
    this.waiting.push(waiting);
    if (this.state === "pending") return;
    this.state = "pending";
    this.transport.request(
      "initialize",
      {
        // The newest revision the bridge carries: the child answers with the newest it speaks.
        protocolVersion: SUPPORTED_PROTOCOL_VERSIONS[0],
        capabilities: servableCapabilities(params?.capabilities),
        clientInfo: APPLIANCE_CLIENT_INFO,
      },
      (line, message) => this.onResult(line, message),
    );
  }

  private onResult(line: string, message: PeekedMessage): void {
    this.resultLine = line;
    if (message.kind !== "response" || message.isError) {
      this.state = "failed";
    } else {
      this.state = "ready";
      const version = (message.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      this.childVersion = typeof version === "string" ? version : "";
      // Once for the child, however many sessions initialize (lifecycle §Initialization).
      this.transport.notify(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    }
    for (const waiting of this.waiting.splice(0)) this.answer(waiting);
  }

  private answer({ id, requestedVersion, answer }: Waiting): void {
    if (this.state === "failed" && !this.resultLine) {
      answer(errorResponse(id, -32603, "the MCP server did not initialize"));
      return;
    }
    let line = replaceMember(this.resultLine, ["id"], JSON.stringify(id));
    if (this.state === "ready")
      line = replaceMember(line, ["result", "protocolVersion"], JSON.stringify(this.versionFor(requestedVersion)));
    answer(line);
  }

  /**
   * Lifecycle §Version Negotiation: the version the client asked for when the child speaks it,
   * else the child's own. The child answered the newest revision the bridge offered with the
   * newest it speaks; the older 2025 revisions are taken as spoken too, as SDK servers keep them.
   */
  private versionFor(requested: unknown): string {
    if (typeof requested === "string" && isSupportedProtocolVersion(requested) && requested <= this.childVersion) return requested;
    return this.childVersion;
  }
}

function servableCapabilities(declared: unknown): Record<string, unknown> {
  const capabilities: Record<string, unknown> = {};
  if (typeof declared !== "object" || declared === null) return capabilities;
  for (const name of SERVABLE) {
    const value = (declared as Record<string, unknown>)[name];
    if (value !== undefined) capabilities[name] = value;
  }
  return capabilities;
}
