// Which era a POST belongs to (MCP 2026-07-28 versioning §Backward Compatibility): the body
// decides, the MCP-Protocol-Version header is only checked against it. A request whose `_meta`
// names its protocol version is a 2026-07-28 request, served without a session; `initialize`, and
// anything else without that claim, is 2025 traffic for the session transport.

import { isObject } from "../../common/json-object.ts";
import { ErrorCode, type PeekedMessage } from "../jsonrpc.ts";
import { MODERN_PROTOCOL_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS } from "../protocol-version.ts";
import { META } from "../request-meta.ts";
import { fieldValue } from "./header-value.ts";
import { bounded, headerMismatch, type Rejection, shown } from "./rejection.ts";
import { type ClientMessage, checkStandardHeaders } from "./request-headers.ts";

/** The per-request metadata of a 2026-07-28 request (basic/index §_meta). */
export interface ModernEnvelope {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo?: Record<string, unknown>;
  /** _meta "io.modelcontextprotocol/logLevel"; absent: no notifications/message for this request. */
  logLevel?: string;
}

type PostEra = { era: "legacy" } | { era: "modern"; envelope: ModernEnvelope } | { era: "rejected"; rejection: Rejection };

/** What classifyPost reads of a parsed body (request-body.ts parseBody). */
interface PostedBody {
  batch: boolean;
  messages: readonly { message: PeekedMessage }[];
}

const { protocolVersion: PROTOCOL_VERSION, clientCapabilities: CLIENT_CAPABILITIES, clientInfo: CLIENT_INFO, logLevel: LOG_LEVEL } = META;
/** server/utilities/logging §Log Levels (RFC 5424 severities). */
const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
const LEGACY: PostEra = { era: "legacy" };

/** Revisions are ISO dates, ordered as strings: a header naming 2026-07-28 or later is no handshake revision. */
function namesModernRevision(version: string): boolean {
  return version >= MODERN_PROTOCOL_VERSIONS[0];
}

function metaOf(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const meta = params !== undefined && Object.hasOwn(params, "_meta") ? params._meta : undefined;
  return isObject(meta) ? meta : undefined;
}

/** The claim of the per-request mechanism is the protocol-version key itself; the rest is then validated, never ignored. */
function claims(meta: Record<string, unknown> | undefined): meta is Record<string, unknown> {
  return meta !== undefined && Object.hasOwn(meta, PROTOCOL_VERSION);
}

function rejected(rejection: Rejection): PostEra {
  return { era: "rejected", rejection };
}

function invalidParams(reason: string): PostEra {
  return rejected({ status: 400, code: ErrorCode.InvalidParams, message: `Invalid params: ${reason}` });
}

/**
 * basic/index §_meta: protocolVersion (a string) and clientCapabilities (an object) are required of
 * a request, clientInfo and logLevel optional but well-formed when present. A notification carries
 * no capabilities of its own.
 */
function readEnvelope(meta: Record<string, unknown>, isRequest: boolean): { envelope: ModernEnvelope } | { problem: string } {
  const version = meta[PROTOCOL_VERSION];
  if (typeof version !== "string") return { problem: `_meta ${PROTOCOL_VERSION} must be a string` };
  const capabilities = Object.hasOwn(meta, CLIENT_CAPABILITIES) ? meta[CLIENT_CAPABILITIES] : undefined;
  if (capabilities === undefined && isRequest) return { problem: `_meta lacks ${CLIENT_CAPABILITIES}` };
  if (capabilities !== undefined && !isObject(capabilities)) return { problem: `_meta ${CLIENT_CAPABILITIES} must be an object` };
  const envelope: ModernEnvelope = { protocolVersion: version, clientCapabilities: capabilities ?? {} };
  if (Object.hasOwn(meta, CLIENT_INFO)) {
    const info = meta[CLIENT_INFO];
    if (!isObject(info) || typeof info.name !== "string" || typeof info.version !== "string") {
      return { problem: `_meta ${CLIENT_INFO} must be an object with a string name and version` };
    }
    envelope.clientInfo = info;
  }
  if (Object.hasOwn(meta, LOG_LEVEL)) {
    const level = meta[LOG_LEVEL];
    if (typeof level !== "string" || !LOG_LEVELS.includes(level))
      return { problem: `_meta ${LOG_LEVEL} must be one of ${LOG_LEVELS.join(", ")}` };
    envelope.logLevel = level;
  }
  return { envelope };
}

/** schema UnsupportedProtocolVersionError: 400 with what is served, and what was asked for. */
function unsupported(version: string): PostEra {
  return rejected({
    status: 400,
    code: ErrorCode.UnsupportedProtocolVersion,
    message: `Unsupported protocol version ${shown(version)}: a request with its own _meta may name ${MODERN_PROTOCOL_VERSIONS.join(", ")}; ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")} begin with initialize`,
    data: { supported: [...MODERN_PROTOCOL_VERSIONS], requested: bounded(version) },
  });
}

/** A modern message past its envelope: a version served here, then streamable-http §Server Validation. */
function serve(headers: Headers, message: ClientMessage, envelope: ModernEnvelope): PostEra {
  if (!(MODERN_PROTOCOL_VERSIONS as readonly string[]).includes(envelope.protocolVersion)) return unsupported(envelope.protocolVersion);
  const refused = checkStandardHeaders(headers, message, envelope.protocolVersion);
  return refused === undefined ? { era: "modern", envelope } : rejected(refused);
}

/** `initialize` stays the legacy handshake unless it carries a complete modern envelope (then it is an unknown modern method). */
function isModernInitialize(meta: Record<string, unknown> | undefined): boolean {
  if (!claims(meta)) return false;
  const read = readEnvelope(meta, true);
  return "envelope" in read && namesModernRevision(read.envelope.protocolVersion);
}

/** What is missing for a request whose header names a modern revision but whose body claims none. */
function missingEnvelope(params: Record<string, unknown> | undefined, header: string): PostEra {
  const meta = metaOf(params);
  const missing =
    meta === undefined ? "_meta" : [PROTOCOL_VERSION, CLIENT_CAPABILITIES].filter((key) => !Object.hasOwn(meta, key)).join(", ");
  const lacks = meta === undefined ? "the request has no _meta object" : `its _meta lacks ${missing}`;
  return invalidParams(`the MCP-Protocol-Version header names ${shown(header)} but ${lacks}`);
}

/**
 * Body-primary era classification of a POST, the MCP-Protocol-Version header a cross-check
 * (versioning §Backward Compatibility), then for a modern message the whole edge of
 * streamable-http §Server Validation. The order decides which of several faults is answered:
 * the envelope (-32602), the version header against it (-32020), a version served here (-32022),
 * then the standard headers (-32020).
 */
export function classifyPost(headers: Headers, body: PostedBody): PostEra {
  if (body.batch) {
    // Batches were removed in 2025-06-18; a 2026-07-28 message is always its own POST.
    const modern = body.messages.some(({ message }) => message.kind !== "response" && claims(metaOf(message.params)));
    return modern
      ? rejected({
          status: 400,
          code: ErrorCode.InvalidRequest,
          message: "Invalid request: a JSON-RPC batch may not hold 2026-07-28 messages",
        })
      : LEGACY;
  }
  const message = body.messages[0]?.message;
  if (message === undefined || message.kind === "response") return LEGACY;
  const header = fieldValue(headers, "mcp-protocol-version");
  const meta = metaOf(message.params);
  if (message.kind === "request" && message.method === "initialize" && !isModernInitialize(meta)) {
    if (header === undefined || !namesModernRevision(header)) return LEGACY;
    return rejected(
      headerMismatch(`the MCP-Protocol-Version header names ${shown(header)} but initialize is the handshake of earlier revisions`),
    );
  }
  if (claims(meta)) {
    const read = readEnvelope(meta, message.kind === "request");
    if ("problem" in read) return invalidParams(read.problem);
    const version = read.envelope.protocolVersion;
    if (header !== undefined && header !== version) {
      return rejected(
        headerMismatch(
          `the MCP-Protocol-Version header ${shown(header)} does not match the body's _meta ${PROTOCOL_VERSION} ${shown(version)}`,
        ),
      );
    }
    return serve(headers, message, read.envelope);
  }
  if (header === undefined || !namesModernRevision(header)) return LEGACY;
  // No notification of this revision carries an envelope: for one, the header alone names the era.
  if (message.kind === "notification") return serve(headers, message, { protocolVersion: header, clientCapabilities: {} });
  return missingEnvelope(message.params, header);
}
