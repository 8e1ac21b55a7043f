/** `npm run docs`: regenerates docs/rules.md and docs/config.schema.json. */
import { writeFile } from "node:fs/promises";
import { rules } from "../../rules/index.js";
import { renderRulesDoc, RULES_DOC_PATH } from "../docs/rules-doc.js";
import { readExplainText } from "./explain.js";

await writeFile(RULES_DOC_PATH, await renderRulesDoc(rules, readExplainText));
process.stdout.write(`wrote ${RULES_DOC_PATH}\n`);
