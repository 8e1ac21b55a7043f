/**
 * Writes docs/config.schema.json from the zod schema in src/engine/config.ts.
 * `npm run schema` (also part of `npm run docs`); a test fails when the file is stale.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "../engine/config.js";
import { packageRoot } from "../package-root.js";

export const SCHEMA_PATH = "docs/config.schema.json";

/** The committed file's exact text: generated header, then the schema, two-space indented. */
export function renderConfigSchema(): string {
  const { $schema, ...rest } = configJsonSchema();
  const schema = {
    $schema,
    $comment: "Generated from src/engine/config.ts by `npm run schema`. Do not edit.",
    title: ".github/gitops-review.yml",
    ...rest,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

async function main(): Promise<void> {
  await writeFile(join(packageRoot(), SCHEMA_PATH), renderConfigSchema());
  console.log(`wrote ${SCHEMA_PATH}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
