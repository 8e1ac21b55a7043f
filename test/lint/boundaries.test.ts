/**
 * The import boundaries of eslint.config.js, run on snippets placed where a wrong-way import would
 * sit: every one must be an error, and the allowed direction must stay clean.
 */
import { describe, expect, it } from "@jest/globals";
import { ESLint } from "eslint";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: ROOT });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("import boundaries", () => {
  it.each([
    ["src/engine/catalogue.ts", 'export { rules } from "../../rules/index.js";\n', "rule catalogue"],
    ["src/engine/x.ts", 'export { renderComment } from "../render/comment.js";\n', "src/engine/"],
    ["src/k8s/x.ts", 'export type { Finding } from "../engine/types.js";\n', "src/k8s/"],
    ["src/k8s/x.ts", 'export { diffValues } from "../diff/semantic-diff.js";\n', "src/k8s/"],
    ["src/formats/x.ts", 'export { renderText } from "../render/text.js";\n', "src/formats/"],
    ["src/parse/x.ts", 'export { getIn } from "../model/located.js";\n', "src/parse/"],
    ["src/render/x.ts", 'export { describeSubject } from "../engine/rule-kit.js";\n', "src/render/"],
    ["src/engine/kit/x.ts", 'export { renderText } from "../../render/text.js";\n', "src/engine/"],
    ["rules/pdb-removed/x.ts", 'export { renderText } from "../../src/render/text.js";\n', "renderers"],
    ["src/model/x.ts", 'import type { Context } from "probot";\nexport type C = Context;\n', "Probot"],
    ["src/chatops/x.ts", 'export { run } from "../cli/main.js";\n', "front ends"],
    ["src/github/x.ts", 'export { run } from "../cli/main.js";\n', "separate front ends"],
    [
      "rules/release-removed/helper.ts",
      'export { rule } from "../crd-deleted/rule.js";\n',
      "another rule's folder",
    ],
  ])("%s: %s is refused", async (file, code, reason) => {
    const errors = await importErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(reason);
  });

  it.each([
    [
      "src/k8s/x.ts",
      'export { getIn } from "../model/located.js";\nexport type { ValuePath } from "../parse/types.js";\n',
    ],
    ["src/formats/x.ts", 'export { mergeLayers } from "../model/located.js";\n'],
    ["src/render/x.ts", 'export type { Report } from "../engine/report.js";\n'],
    ["rules/release-removed/helper.ts", 'export { releaseAssets } from "../../src/k8s/release-assets.js";\n'],
    ["src/github/x.ts", 'export { rules } from "../../rules/index.js";\n'],
  ])("%s: the allowed direction is clean", async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });
});
