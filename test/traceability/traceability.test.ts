// Keeps the requirement traceability table honest: every requirement names at least one test, and
// every test it names still exists under that title (read from the test files' syntax trees, see
// test-titles.ts for titles built at run time). Renaming a test without updating the table fails here.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REQUIREMENTS_DOC, renderRequirementsDoc } from "./render.ts";
import { NOT_IMPLEMENTED, REQUIREMENTS, UNTESTED } from "./requirements.ts";
import { type DeclaredTitle, declaredTests, declares } from "./test-titles.ts";

const ROOT = join(import.meta.dir, "..", "..");
const LEVELS = ["MUST", "MUST NOT", "SHOULD", "SHOULD NOT"];

const parsed = new Map<string, DeclaredTitle[]>();
function testsOf(file: string): DeclaredTitle[] | undefined {
  if (!parsed.has(file)) {
    const path = join(ROOT, file);
    if (!existsSync(path)) return undefined;
    parsed.set(file, declaredTests(path));
  }
  return parsed.get(file);
}

/** Why a reference does not name an existing test, or undefined when it does. */
function brokenReference(reference: string): string | undefined {
  const cut = reference.indexOf(" > ");
  if (cut === -1) return "not of the form <file> > <describe> > <test>";
  const file = reference.slice(0, cut);
  if (!file.endsWith(".test.ts")) return `${file} is not a test file`;
  const tests = testsOf(file);
  if (!tests) return `${file} does not exist`;
  return declares(tests, reference.slice(cut + 3)) ? undefined : `no such test in ${file}`;
}

describe("the requirement traceability table", () => {
  test("ids are unique across the table, the not-implemented list and the gaps", () => {
    const ids = [...REQUIREMENTS, ...NOT_IMPLEMENTED, ...UNTESTED].map((r) => r.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  test("every entry has a source, a known level and a text", () => {
    const bad = [...REQUIREMENTS, ...NOT_IMPLEMENTED, ...UNTESTED].filter(
      (r) => r.source.trim() === "" || !LEVELS.includes(r.level) || r.text.trim() === "",
    );
    expect(bad.map((r) => r.id)).toEqual([]);
  });

  test("every requirement names at least one test", () => {
    expect(REQUIREMENTS.filter((r) => r.tests.length === 0).map((r) => r.id)).toEqual([]);
  });

  test("every test named still exists under that title", () => {
    const broken = REQUIREMENTS.flatMap((r) =>
      r.tests.flatMap((reference) => {
        const problem = brokenReference(reference);
        return problem ? [`${r.id}: ${reference}\n    (${problem})`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });

  test("every deliberate omission gives its reason", () => {
    expect(NOT_IMPLEMENTED.filter((n) => n.reason.trim().length < 20).map((n) => n.id)).toEqual([]);
  });

  test("every known gap names source paths that exist", () => {
    const missing = UNTESTED.flatMap((u) => {
      const paths = u.implementedIn.match(/src\/[\w./-]*/g) ?? [];
      if (paths.length === 0) return [`${u.id}: names no src/ path`];
      return paths.filter((p) => !existsSync(join(ROOT, p))).map((p) => `${u.id}: ${p}`);
    });
    expect(missing).toEqual([]);
  });

  test(`${REQUIREMENTS_DOC} is up to date (bun scripts/requirements-doc.ts)`, () => {
    const path = join(ROOT, REQUIREMENTS_DOC);
    expect(existsSync(path) ? readFileSync(path, "utf8") : "").toBe(renderRequirementsDoc());
  });
});

// The checker itself, on a file of known titles: a check that could never fail would prove nothing.
describe("the title reader", () => {
  const tests = declaredTests(join(import.meta.dir, "traceability.test.ts"));

  test("finds plain titles with their describe", () => {
    expect(declares(tests, "the requirement traceability table > every requirement names at least one test")).toBe(true);
    expect(declares(tests, "the requirement traceability table > a test that does not exist")).toBe(false);
    expect(declares(tests, "every requirement names at least one test")).toBe(false);
  });

  test("matches a title built from a template by its static parts, or by the template itself", () => {
    const title = `the requirement traceability table > ${REQUIREMENTS_DOC} is up to date (bun scripts/requirements-doc.ts)`;
    expect(declares(tests, title)).toBe(true);
    expect(
      declares(tests, `the requirement traceability table > \${REQUIREMENTS_DOC} is up to date (bun scripts/requirements-doc.ts)`),
    ).toBe(true);
    expect(declares(tests, "the requirement traceability table > docs/requirements.md is stale")).toBe(false);
  });

  test("reports references to missing files and missing tests", () => {
    expect(brokenReference("test/nowhere.test.ts > a > b")).toContain("does not exist");
    expect(brokenReference("test/traceability/traceability.test.ts > the title reader > nothing like this")).toContain("no such test");
    expect(
      brokenReference("test/traceability/traceability.test.ts > the title reader > finds plain titles with their describe"),
    ).toBeUndefined();
  });
});
