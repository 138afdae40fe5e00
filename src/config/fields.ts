// valibot schemas for single values of the file. Each message says what was expected; the key
// path is added by the issue formatter.

import { isIPv4, isIPv6 } from "node:net";
import * as v from "valibot";
import { expected, expectedFormat, quote } from "./describe.ts";
import { isHostName, isIpOrCidr, parseListen } from "./net.ts";
import { routePathProblem } from "./routes.ts";
import { ENV_NAME, type Env, resolveSecret } from "./secrets.ts";
import { formatDuration, formatSize, parseDuration, parseRate, parseSize } from "./units.ts";
import { parseOrigin, parsePublicUrl } from "./urls.ts";

export function nonEmptyString(what: string) {
  return v.pipe(v.string(expected(what)), v.minLength(1, `expected ${what}, got an empty string`));
}

export function stringArray<const TItem extends v.GenericSchema<unknown, string>>(item: TItem, what = "an array of strings") {
  return v.array(item, expected(what));
}

export const anyString = v.string(expected("a string"));

/** A string with rules of its own: `problemOf` says what is wrong (the first thing only), or undefined. */
export function checkedString(what: string, problemOf: (text: string) => string | undefined) {
  return v.pipe(
    v.string(expected(what)),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = problemOf(dataset.value);
      if (problem !== undefined) addIssue({ message: problem });
    }),
  );
}

export const boolean = v.boolean(expected("true or false"));

export function oneOf<const TOptions extends readonly string[]>(options: TOptions) {
  const list = options.map(quote);
  const words = list.length === 2 ? `${list[0]} or ${list[1]}` : `one of ${list.join(", ")}`;
  return v.picklist(options, expectedFormat(words));
}

export function integerAtLeast(min: number) {
  const what = `an integer of at least ${min}`;
  return v.pipe(
    v.number(expected(what)),
    v.check(
      (n) => Number.isSafeInteger(n) && n >= min,
      (issue) => `expected ${what}, got ${String(issue.input)}`,
    ),
  );
}

export const absolutePath = v.pipe(
  v.string(expected("an absolute path")),
  v.check((path) => path.startsWith("/") && !path.includes("\0"), expectedFormat(`an absolute path such as "/srv/vault"`)),
);

/** An environment variable name, as a table key or as an item of a list. */
export const envName = v.pipe(
  v.string(expected("an environment variable name")),
  v.regex(ENV_NAME, expectedFormat(`an environment variable name (letters, digits and "_", not starting with a digit)`)),
);

const DURATION = `a duration such as "30m"`;

/** A duration string -> milliseconds, within [min, max]. */
export function duration(min: number, max: number) {
  return v.pipe(
    v.string(expected(DURATION)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const ms = parseDuration(dataset.value);
      if (ms === undefined) {
        addIssue({ message: `expected ${DURATION} (a number followed by ms, s, m, h or d), got ${quote(dataset.value)}` });
        return NEVER;
      }
      if (ms < min || ms > max) {
        addIssue({ message: `expected a duration between ${formatDuration(min)} and ${formatDuration(max)}, got ${quote(dataset.value)}` });
        return NEVER;
      }
      return ms;
    }),
  );
}

const RATE = `a rate such as "10/h" (a count per period: "10/h", "5/15m", "100/d")`;

/** "10/h" -> { count: 10, windowMs: 3_600_000 }, with count in [1, maxCount] and the period in [minMs, maxMs]. */
export function rate(maxCount: number, minMs: number, maxMs: number) {
  return v.pipe(
    v.string(expected(RATE)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const parsed = parseRate(dataset.value);
      if (parsed === undefined) {
        addIssue({ message: `expected ${RATE}, got ${quote(dataset.value)}` });
        return NEVER;
      }
      if (parsed.count < 1 || parsed.count > maxCount) {
        addIssue({ message: `expected a count between 1 and ${maxCount} before the "/", got ${quote(dataset.value)}` });
        return NEVER;
      }
      if (parsed.windowMs < minMs || parsed.windowMs > maxMs) {
        addIssue({
          message: `expected a period between ${formatDuration(minMs)} and ${formatDuration(maxMs)} after the "/", got ${quote(dataset.value)}`,
        });
        return NEVER;
      }
      return parsed;
    }),
  );
}

const SIZE = `a size such as "16MiB" or a number of bytes`;

/** A size (integer bytes or a string with a unit) -> bytes, within [min, max]. */
export function size(min: number, max: number) {
  return v.pipe(
    v.custom<string | number>((value) => typeof value === "string" || typeof value === "number", expected(SIZE)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const bytes = parseSize(dataset.value);
      if (bytes === undefined) {
        addIssue({ message: `expected ${SIZE}, got ${typeof dataset.value === "string" ? quote(dataset.value) : dataset.value}` });
        return NEVER;
      }
      if (bytes < min || bytes > max) {
        addIssue({ message: `expected a size between ${formatSize(min)} and ${formatSize(max)}, got ${formatSize(bytes)}` });
        return NEVER;
      }
      return bytes;
    }),
  );
}

/** "host:port" -> { host, port } */
export const listenAddress = v.pipe(
  v.string(expected(`"host:port", e.g. "127.0.0.1:3001"`)),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseListen(dataset.value);
    if (parsed.ok) return parsed.value;
    addIssue({ message: parsed.error });
    return NEVER;
  }),
);

function originSchema(parse: (text: string) => ReturnType<typeof parseOrigin>, example: string) {
  const what = `an origin such as ${quote(example)}`;
  return v.pipe(
    v.string(expected(what)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const parsed = parse(dataset.value);
      if (parsed.ok) return parsed.value;
      addIssue({ message: `expected ${what}, got ${quote(dataset.value)} (${parsed.error})` });
      return NEVER;
    }),
  );
}

export const publicUrl = originSchema(parsePublicUrl, "https://mcp.example.com");

export const allowedOrigin = originSchema(parseOrigin, "https://app.example.com");

/** A name a client may put in the Host header: a host name or IP address, without port. Lowercased. */
export const hostName = v.pipe(
  v.string(expected("a host name")),
  v.check(
    (host) => isHostName(host) || isIPv4(host) || (host.startsWith("[") && host.endsWith("]") && isIPv6(host.slice(1, -1))),
    expectedFormat(`a host name or IP address such as "mcp.internal" (no scheme or port; IPv6 in brackets)`),
  ),
  v.toLowerCase(),
);

export const ipOrCidr = v.pipe(
  v.string(expected("an IP address or CIDR")),
  v.check(isIpOrCidr, expectedFormat(`an IP address or CIDR such as "10.0.0.0/8" or "::1"`)),
);

/** The path of a server endpoint ("/vault/mcp"). */
export const routePath = v.pipe(
  v.string(expected(`a path such as "/vault/mcp"`)),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = routePathProblem(dataset.value);
    if (problem !== undefined) addIssue({ message: problem });
  }),
);

/** A string that may be a secret reference ("env:NAME", "file:/path"), resolved to the secret. */
export function secretString(env: Env) {
  return v.pipe(
    v.string(expected("a string")),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const secret = resolveSecret(dataset.value, env);
      if (secret.ok) return secret.value;
      addIssue({ message: secret.error });
      return NEVER;
    }),
  );
}
