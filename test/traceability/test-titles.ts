// The full titles ("describe > … > test") a bun test file declares, read from its syntax tree
// rather than by running it, so that the traceability check is fast and needs no server.
//
// A title written as a plain string is kept as it is. A title built at run time cannot be known
// without running the file, so it is kept as a pattern: a template literal's `${…}` parts and a
// `.each` table's printf placeholders (`%s`, `%d`, `%p`, …) match any text, and a title that is
// not a literal at all (a variable, a call) matches anything. A reference in requirements.ts to
// such a test therefore checks the static parts of its title only; write the reference with the
// concrete value the loop produces (e.g. "rejects a text/plain body") or with the template itself.
import { readFileSync } from "node:fs";
import ts from "typescript";

export type DeclaredTitle = {
  /** The title as written: literal text, with `${…}` standing for the interpolated parts. */
  readonly text: string;
  /** Whether some part of the title is only known at run time. */
  readonly dynamic: boolean;
  /** Matches the titles the declaration can produce at run time. */
  readonly pattern: RegExp;
};

const SUITE_CALLS = new Set(["describe"]);
const TEST_CALLS = new Set(["test", "it"]);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One segment of a full title: its text and its regular-expression source. */
type Segment = { text: string; source: string; dynamic: boolean };

function staticSegment(text: string, fromEach: boolean): Segment {
  if (!fromEach || !/%[sdifjoOp#%]/.test(text)) return { text, source: escapeRegExp(text), dynamic: false };
  // bun's .each formats titles with printf placeholders; each one stands for a table value.
  const source = text
    .split(/(%[sdifjoOp#%])/)
    .map((part, index) => (index % 2 === 1 ? (part === "%%" ? "%" : ".*") : escapeRegExp(part)))
    .join("");
  return { text, source, dynamic: true };
}

function segmentOf(node: ts.Expression | undefined, fromEach: boolean): Segment {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return staticSegment(node.text, fromEach);
  if (node && ts.isTemplateExpression(node)) {
    let text = node.head.text;
    let source = escapeRegExp(node.head.text);
    for (const span of node.templateSpans) {
      text += `\${${span.expression.getText()}}${span.literal.text}`;
      source += `.*${escapeRegExp(span.literal.text)}`;
    }
    return { text, source, dynamic: true };
  }
  const text = node ? `\${${node.getText()}}` : "";
  return { text, source: ".*", dynamic: true };
}

/** `describe(…)`, `test.only(…)`, `test.each(table)(…)`, `describe.if(cond)(…)`: which kind, and whether from `.each`. */
function callKind(call: ts.CallExpression): { kind: "suite" | "test"; fromEach: boolean } | undefined {
  let callee: ts.Expression = call.expression;
  let fromEach = false;
  if (ts.isCallExpression(callee)) {
    // test.each(table)("title", fn) and test.if(condition)("title", fn)
    const inner = callee.expression;
    if (!ts.isPropertyAccessExpression(inner)) return undefined;
    fromEach = inner.name.text === "each";
    callee = inner.expression;
  } else if (ts.isPropertyAccessExpression(callee)) {
    callee = callee.expression; // test.only, test.serial, describe.concurrent …
  }
  if (!ts.isIdentifier(callee)) return undefined;
  if (SUITE_CALLS.has(callee.text)) return { kind: "suite", fromEach };
  if (TEST_CALLS.has(callee.text)) return { kind: "test", fromEach };
  return undefined;
}

/** Every test the file declares, with the titles of the describes around it joined by " > ". */
export function declaredTests(file: string): DeclaredTitle[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: DeclaredTitle[] = [];
  const visit = (node: ts.Node, suites: Segment[]): void => {
    if (ts.isCallExpression(node)) {
      const kind = callKind(node);
      if (kind) {
        const own = segmentOf(node.arguments[0], kind.fromEach);
        const path = [...suites, own];
        if (kind.kind === "test") {
          found.push({
            text: path.map((s) => s.text).join(" > "),
            dynamic: path.some((s) => s.dynamic),
            pattern: new RegExp(`^${path.map((s) => s.source).join(" > ")}$`, "s"),
          });
          return;
        }
        for (const argument of node.arguments.slice(1)) visit(argument, path);
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, suites));
  };
  visit(source, []);
  return found;
}

/** Whether `title` ("describe > test") names a test declared in the file: exactly, or by a pattern. */
export function declares(tests: readonly DeclaredTitle[], title: string): boolean {
  return tests.some((t) => t.text === title) || tests.some((t) => t.dynamic && t.pattern.test(title));
}
