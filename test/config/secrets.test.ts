import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSecret } from "../../src/config/secrets.ts";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-secrets-"));
  writeFileSync(join(dir, "token"), "s3cr3t-value\n");
  writeFileSync(join(dir, "no-newline"), "s3cr3t-value");
  writeFileSync(join(dir, "big"), "s3cr3t-value".repeat(10_000));
  writeFileSync(join(dir, "locked"), "s3cr3t-value\n");
  chmodSync(join(dir, "locked"), 0o000);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("resolveSecret", () => {
  test("a plain value is the secret itself", () => {
    expect(resolveSecret("hunter2", {})).toEqual({ ok: true, value: "hunter2" });
  });

  test("env:NAME reads the given environment, even an empty value", () => {
    expect(resolveSecret("env:TOKEN", { TOKEN: "abc" })).toEqual({ ok: true, value: "abc" });
    expect(resolveSecret("env:TOKEN", { TOKEN: "" })).toEqual({ ok: true, value: "" });
    expect(resolveSecret("env:TOKEN", {})).toEqual({ ok: false, error: "environment variable TOKEN is not set" });
  });

  test("file:/path strips one trailing newline", () => {
    expect(resolveSecret(`file:${join(dir, "token")}`, {})).toEqual({ ok: true, value: "s3cr3t-value" });
    expect(resolveSecret(`file:${join(dir, "no-newline")}`, {})).toEqual({ ok: true, value: "s3cr3t-value" });
  });

  test("a relative file: is a systemd credential name", () => {
    expect(resolveSecret("file:token", { CREDENTIALS_DIRECTORY: dir })).toEqual({ ok: true, value: "s3cr3t-value" });
    const missing = resolveSecret("file:token", {});
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error).toContain("CREDENTIALS_DIRECTORY");
  });

  test("problems name the path but never the content", () => {
    const results = [
      resolveSecret(`file:${join(dir, "big")}`, {}),
      resolveSecret(`file:${dir}`, {}),
      resolveSecret(`file:${join(dir, "absent")}`, {}),
      // root reads any file, so the permission case only proves something for other users
      resolveSecret(`file:${join(dir, "locked")}`, {}),
    ];
    for (const result of results.slice(0, 3)) {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toContain(dir);
    }
    for (const result of results) {
      expect(JSON.stringify(result).includes("s3cr3t") && !result.ok).toBe(false);
    }
  });
});
