// Durations and sizes as people write them in the configuration file.
// Pure functions: they return undefined for anything they do not understand and leave the
// wording of the error (and the allowed range) to the schema.

const DURATION_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

// One or more "<integer><unit>" parts: "500ms", "90s", "1h30m". "m" is minutes; there is no
// month unit, so "30M" is rejected rather than silently read as minutes.
const DURATION_PART = /(\d+)(ms|s|m|h|d)/gy;

/** "1h30m" -> 5_400_000 (milliseconds); undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text === "") return undefined;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(DURATION_PART)) {
    const [part, digits, unit] = match as unknown as [string, string, string];
    total += Number(digits) * (DURATION_UNIT_MS[unit] as number);
    consumed += part.length;
  }
  if (consumed !== text.length || !Number.isSafeInteger(total)) return undefined;
  return total;
}

interface ParsedRate {
  count: number;
  windowMs: number;
}

// "<count>/<period>": the period is a duration, and a bare unit means one of it ("10/h").
const RATE = /^(\d+)\/(.+)$/;

/** "10/h" -> 10 per 3_600_000 ms; "5/15m", "100/1d"; undefined when not a rate. */
export function parseRate(text: string): ParsedRate | undefined {
  const match = RATE.exec(text);
  if (!match) return undefined;
  const [, count, period] = match as unknown as [string, string, string];
  const windowMs = parseDuration(Object.hasOwn(DURATION_UNIT_MS, period) ? `1${period}` : period);
  if (windowMs === undefined || !Number.isSafeInteger(Number(count))) return undefined;
  return { count: Number(count), windowMs };
}

const SIZE_UNIT_BYTES: Record<string, number> = {
  "": 1,
  b: 1,
  // A bare K, M or G means the binary unit: that is what people mean by "16M" of memory.
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
};

const SIZE_TEXT = /^(\d+) ?([a-z]*)$/i;

/** 16777216, "16MiB", "16M" -> 16777216; "16MB" -> 16000000 (bytes); undefined when not a size. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== "string") return undefined;
  const match = SIZE_TEXT.exec(value);
  if (!match) return undefined;
  const [, digits, unit] = match as unknown as [string, string, string];
  const multiplier = SIZE_UNIT_BYTES[unit.toLowerCase()];
  if (multiplier === undefined) return undefined;
  const bytes = Number(digits) * multiplier;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The shortest exact way to write a byte count, for error messages: 1024 -> "1KiB". */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes} bytes`;
}

/** The shortest exact way to write a duration, for error messages: 5_400_000 -> "90m". */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
