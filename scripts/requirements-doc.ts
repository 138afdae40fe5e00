// Writes docs/requirements.md from the traceability table (test/traceability/requirements.ts).
// Run after changing the table: `bun scripts/requirements-doc.ts`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REQUIREMENTS_DOC, renderRequirementsDoc } from "../test/traceability/render.ts";

const target = join(import.meta.dir, "..", REQUIREMENTS_DOC);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderRequirementsDoc());
console.log(`wrote ${REQUIREMENTS_DOC}`);
