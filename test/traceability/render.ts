// docs/requirements.md, rendered from the traceability table: written by scripts/requirements-doc.ts,
// compared by test/traceability/traceability.test.ts so the page never drifts from the table.
import type { Requirement } from "./requirement.ts";
import { NOT_IMPLEMENTED, REQUIREMENT_GROUPS, UNTESTED } from "./requirements.ts";

export const REQUIREMENTS_DOC = "docs/requirements.md";

/** Table cells may not hold a pipe or a line break. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function testCell(tests: readonly string[]): string {
  return tests.map((t) => `\`${cell(t).replace(/`/g, "'")}\``).join("<br>");
}

function requirementRows(requirements: readonly Requirement[]): string[] {
  return [
    "| id | source | level | requirement | verified by |",
    "|---|---|---|---|---|",
    ...requirements.map((r) => `| ${r.id} | ${cell(r.source)} | ${r.level} | ${cell(r.text)} | ${testCell(r.tests)} |`),
  ];
}

export function renderRequirementsDoc(): string {
  const total = REQUIREMENT_GROUPS.reduce((n, g) => n + g.requirements.length, 0);
  const lines = [
    "# Requirements and the tests that verify them",
    "",
    "Generated from `test/traceability/requirements.ts` by `bun scripts/requirements-doc.ts`; do not edit by hand.",
    "`test/traceability/traceability.test.ts` fails when a test named here no longer exists, or when a",
    "requirement names no test. A test is named `file > describe > … > test`; for titles built at run time",
    "(template strings, `.each` tables) the template itself is given, e.g. `%p is refused`.",
    "",
    `${total} requirements implemented and tested, ${NOT_IMPLEMENTED.length} deliberately not implemented, ${UNTESTED.length} implemented but not yet tested.`,
  ];
  for (const group of REQUIREMENT_GROUPS) lines.push("", `## ${group.title}`, "", ...requirementRows(group.requirements));
  lines.push(
    "",
    "## Deliberately not implemented",
    "",
    "| id | source | level | requirement | why not |",
    "|---|---|---|---|---|",
    ...NOT_IMPLEMENTED.map((n) => `| ${n.id} | ${cell(n.source)} | ${n.level} | ${cell(n.text)} | ${cell(n.reason)} |`),
    "",
    "## Implemented, not yet tested (known gaps)",
    "",
    "| id | source | level | requirement | implemented in |",
    "|---|---|---|---|---|",
    ...UNTESTED.map((u) => `| ${u.id} | ${cell(u.source)} | ${u.level} | ${cell(u.text)} | ${cell(u.implementedIn)} |`),
    "",
  );
  return lines.join("\n");
}
