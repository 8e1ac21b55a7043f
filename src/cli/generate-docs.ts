/** `npm run docs` (first step): regenerates docs/rules.md from the registry and each explain.md. */
import { writeFile } from "node:fs/promises";
import { rules } from "../../rules/index.js";
import { renderRulesDoc, RULES_DOC_PATH } from "../docs/rules-doc.js";
import { readExplainText } from "../docs/explain-text.js";

await writeFile(RULES_DOC_PATH, await renderRulesDoc(rules, readExplainText));
process.stdout.write(`wrote ${RULES_DOC_PATH}\n`);
