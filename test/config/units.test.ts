import { describe, expect, test } from "bun:test";
import { formatDuration, formatSize, parseDuration, parseRate, parseSize } from "../../src/config/units.ts";

describe("parseDuration", () => {
  test.each([
    ["500ms", 500],
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["1h", 3_600_000],
    ["30d", 2_592_000_000],
    ["1h30m", 5_400_000],
    ["1d2h3m4s5ms", 93_784_005],
    ["0s", 0],
    ["007s", 7_000],
  ])("%p is %p ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(["", "30", "m", "30 m", " 30m", "30m ", "30M", "1.5h", "-1s", "1w", "30min", "1h 30m", "99999999999999999999d"])(
    "%p is not a duration",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe("parseSize", () => {
  test.each([
    [0, 0],
    [16_777_216, 16_777_216],
    ["512", 512],
    ["512B", 512],
    ["64KiB", 65_536],
    ["16MiB", 16_777_216],
    ["1GiB", 1_073_741_824],
    ["16MB", 16_000_000],
    ["1kB", 1_000],
    ["16M", 16_777_216],
    ["64K", 65_536],
    ["1G", 1_073_741_824],
    ["16 MiB", 16_777_216],
    ["16mib", 16_777_216],
  ])("%p is %p bytes", (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  test.each([
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    "",
    "MiB",
    "1.5MiB",
    "16 parsecs",
    "16TiB",
    "16  MiB",
    " 16",
    true,
    null,
    undefined,
    { size: 16 },
  ])("%p is not a size", (value) => {
    expect(parseSize(value)).toBeUndefined();
  });
});

describe("formatting for messages", () => {
  test("sizes use the largest exact binary unit", () => {
    expect(formatSize(1024)).toBe("1KiB");
    expect(formatSize(1536)).toBe("1536 bytes");
    expect(formatSize(16 * 1024 ** 2)).toBe("16MiB");
    expect(formatSize(2 * 1024 ** 3)).toBe("2GiB");
  });

  test("durations use the largest exact unit", () => {
    expect(formatDuration(1)).toBe("1ms");
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(5_400_000)).toBe("90m");
    expect(formatDuration(24 * 86_400_000)).toBe("24d");
  });
});

describe("parseRate", () => {
  test.each([
    ["10/h", 10, 3_600_000],
    ["10/1h", 10, 3_600_000],
    ["5/15m", 5, 900_000],
    ["100/d", 100, 86_400_000],
    ["1/30s", 1, 30_000],
    ["3/1h30m", 3, 5_400_000],
    ["0/h", 0, 3_600_000],
  ])("%p is %p per %p ms", (text, count, windowMs) => {
    expect(parseRate(text)).toEqual({ count, windowMs });
  });

  test.each(["", "10", "10/", "/h", "10/hour", "10 / h", "10/H", "10/h30m", "1.5/h", "-1/h", "ten/h", "10/h/h", "99999999999999999999/h"])(
    "%p is not a rate",
    (text) => {
      expect(parseRate(text)).toBeUndefined();
    },
  );
});
