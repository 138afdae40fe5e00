// MCP 2026-07-28 streamable-http §Custom Headers from Tool Parameters: a tool's inputSchema may
// mark parameters with `x-mcp-header`; a tools/call then mirrors each of their values in an
// `Mcp-Param-{Name}` header, which the server must find present and equal to the argument.

import { isObject } from "../../common/json-object.ts";
import { decodeHeaderValue, fieldValue } from "./header-value.ts";
import { headerMismatch, type Rejection, shown } from "./rejection.ts";

/** RFC 9110 §5.1 token: what §Schema Extension requires of an x-mcp-header value. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** §Server Validation: integers compare numerically (42.0 is 42), when the header is a plain decimal. */
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

interface Declaration {
  /** The property names from the schema root to the annotated parameter. */
  path: string[];
  header: string;
}

interface SchemaNode {
  schema: unknown;
  key?: string;
  parent?: SchemaNode;
}

function pathOf(node: SchemaNode): string[] {
  const path: string[] = [];
  for (let at: SchemaNode | undefined = node; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * §Schema Extension: annotations count only on properties reached through `properties` alone
 * (never items, composition, conditionals or $ref), and only with a token for a name; a client
 * drops a tool that breaks these rules, so it never calls it with such a header. Walked without
 * recursion, and with parent links rather than copied paths: a schema's depth costs nothing.
 */
function declarations(inputSchema: unknown): Declaration[] {
  const found: Declaration[] = [];
  const pending: SchemaNode[] = [{ schema: inputSchema }];
  for (let next = 0; next < pending.length; next++) {
    const node = pending[next]!;
    if (!isObject(node.schema)) continue;
    const name = node.key !== undefined && Object.hasOwn(node.schema, "x-mcp-header") ? node.schema["x-mcp-header"] : undefined;
    if (typeof name === "string" && TOKEN.test(name)) found.push({ path: pathOf(node), header: `Mcp-Param-${name}` });
    const properties = node.schema.properties;
    if (isObject(properties)) for (const [key, schema] of Object.entries(properties)) pending.push({ schema, key, parent: node });
  }
  return found;
}

/** The argument at a declaration's path: own properties only, so `constructor` or `__proto__` never resolve to a prototype. */
function argumentAt(args: unknown, path: string[]): unknown {
  let value = args;
  for (const key of path) {
    if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** What a header can mirror: a string, a boolean, an integer in the safe range (or, against the rules, another number). */
type Mirrored = string | boolean | number;

/** Absent, null, an object or an integer beyond the safe range: nothing a header mirrors, so none is expected. */
function isMirrored(value: unknown): value is Mirrored {
  if (typeof value === "string" || typeof value === "boolean") return true;
  return typeof value === "number" && (!Number.isInteger(value) || Number.isSafeInteger(value));
}

/** §Value Encoding's type conversion, compared: a string as is, a boolean as true/false, a number numerically. */
function agrees(header: string, value: Mirrored): boolean {
  if (typeof value === "number" && DECIMAL.test(header)) return Number(header) === value;
  return header === String(value);
}

function described(value: Mirrored): string {
  return typeof value === "string" ? shown(value) : String(value);
}

/**
 * §Custom Headers from Tool Parameters, server side: for each `x-mcp-header` parameter of the
 * called tool's inputSchema, a value in `args` needs its header, equal after decoding; a recognized
 * header that is malformed is refused even without a value (§Server Behavior for Custom Headers).
 */
export function checkParamHeaders(headers: Headers, inputSchema: unknown, args: unknown): Rejection | undefined {
  for (const { path, header } of declarations(inputSchema)) {
    const sent = fieldValue(headers, header);
    let decoded: string | undefined;
    if (sent !== undefined) {
      const read = decodeHeaderValue(sent);
      if (!read.ok) return headerMismatch(`the ${header} header ${shown(sent)} ${read.error}`);
      decoded = read.value;
    }
    const value = argumentAt(args, path);
    if (!isMirrored(value)) continue;
    const argument = shown(path.join("."));
    if (decoded === undefined) return headerMismatch(`the ${header} header is missing (the argument ${argument} is ${described(value)})`);
    if (!agrees(decoded, value)) {
      return headerMismatch(`the ${header} header decodes to ${shown(decoded)} but the argument ${argument} is ${described(value)}`);
    }
  }
  return undefined;
}
