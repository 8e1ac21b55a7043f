/**
 * Validates SARIF documents against the vendored SARIF 2.1.0 JSON Schema with Ajv (draft 2020-12,
 * formats checked: a `uri` that is not a valid URI reference fails).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const SCHEMA_PATH = join(import.meta.dirname, "../fixtures/sarif/sarif-schema-2.1.0.json");
const SCHEMA_SHA256 = "1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c";

// ajv-formats is CommonJS: its default export arrives as the module object or the function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

function loadValidator() {
  const text = readFileSync(SCHEMA_PATH);
  const digest = createHash("sha256").update(text).digest("hex");
  if (digest !== SCHEMA_SHA256) throw new Error(`${SCHEMA_PATH} changed (sha256 ${digest})`);
  // The schema's `anyOf` branches name required properties defined elsewhere: not strict-clean.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(text.toString("utf8")) as object);
}

let validator: ReturnType<typeof loadValidator> | null = null;

/** Schema errors of a SARIF document, as `path: message` lines; empty when it is valid. */
export function sarifSchemaErrors(document: unknown): string[] {
  validator ??= loadValidator();
  if (validator(document)) return [];
  return (validator.errors ?? []).map(
    (error: ErrorObject) => `${error.instancePath || "/"}: ${error.message ?? error.keyword}`,
  );
}
