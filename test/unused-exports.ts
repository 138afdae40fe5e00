// Which exports of a source tree no other file of that tree imports: the scan behind the
// architecture test's "no dead code" rule. It reads the files with the TypeScript parser, so it
// sees every form of export (declarations, `export { a, b as c }`, re-exports, `export *`,
// `export default`) and of import (named, default, namespace, `import type`, `import()`), and a
// name that only a comment or a string mentions never counts as used.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import ts from "typescript";

interface ModuleFacts {
  /** Names this file exports from its own declarations or `export { local }`. */
  exports: Set<string>;
  /** `export *` targets: a name imported from this file may live there. */
  starTargets: string[];
  /** Names this file takes from other files of the tree; "*" for all of them. */
  uses: { target: string; name: string }[];
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function isDefault(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  }
  const named = statement as ts.Statement & { name?: ts.Node };
  return named.name && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}

/** The file a relative specifier names, if it is one of `known`. */
function resolveSpecifier(from: string, specifier: string, known: Set<string>): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, resolve(base, "index.ts")];
  return candidates.find((path) => known.has(path) && existsSync(path) && statSync(path).isFile());
}

/** The names a dynamic `import("./x")` takes: those destructured from it, else all. */
function dynamicImportNames(call: ts.CallExpression): string[] {
  let node: ts.Node = call;
  while (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isObjectBindingPattern(parent.name)) {
    return parent.name.elements.map((e) => ((e.propertyName ?? e.name) as ts.Identifier).text);
  }
  return ["*"];
}

function factsOf(file: string, known: Set<string>): ModuleFacts {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const facts: ModuleFacts = { exports: new Set(), starTargets: [], uses: [] };
  const use = (specifier: ts.Expression | undefined, name: string) => {
    if (!specifier || !ts.isStringLiteral(specifier)) return;
    const target = resolveSpecifier(file, specifier.text, known);
    if (target) facts.uses.push({ target, name });
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) use(statement.moduleSpecifier, "default");
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) use(statement.moduleSpecifier, "*");
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) use(statement.moduleSpecifier, (element.propertyName ?? element.name).text);
      }
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (!clause) {
        const target =
          statement.moduleSpecifier &&
          ts.isStringLiteral(statement.moduleSpecifier) &&
          resolveSpecifier(file, statement.moduleSpecifier.text, known);
        if (target) facts.starTargets.push(target);
      } else if (ts.isNamespaceExport(clause)) {
        facts.exports.add(clause.name.text);
        use(statement.moduleSpecifier, "*");
      } else {
        for (const element of clause.elements) {
          facts.exports.add(element.name.text);
          use(statement.moduleSpecifier, (element.propertyName ?? element.name).text);
        }
      }
    } else if (ts.isExportAssignment(statement)) {
      facts.exports.add("default");
    } else if (isExported(statement)) {
      for (const name of isDefault(statement) ? ["default"] : declaredNames(statement)) facts.exports.add(name);
    }
  }
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      for (const name of dynamicImportNames(node)) use(node.arguments[0], name);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return facts;
}

/** "file: name" for every export of `files` that no other of `files` imports, paths relative to `root`. */
export function unusedExports(root: string, files: string[]): string[] {
  const known = new Set(files.map((f) => resolve(f)));
  const facts = new Map([...known].map((file) => [file, factsOf(file, known)]));
  const used = new Map([...known].map((file) => [file, new Set<string>()]));
  const markUsed = (file: string, name: string, seen = new Set<string>()) => {
    const target = facts.get(file);
    if (!target || seen.has(file)) return;
    seen.add(file);
    if (name === "*") for (const exported of target.exports) used.get(file)?.add(exported);
    else if (target.exports.has(name)) used.get(file)?.add(name);
    for (const star of target.starTargets) markUsed(star, name, seen);
  };
  for (const [file, { uses }] of facts) {
    for (const { target, name } of uses) if (target !== file) markUsed(target, name);
  }
  return [...facts].flatMap(([file, { exports }]) =>
    [...exports].filter((name) => !used.get(file)?.has(name)).map((name) => `${relative(root, file)}: ${name}`),
  );
}
