import { describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { rules as catalogue } from "../../rules/index.js";
import { withCustomRules } from "../../src/custom-rules/custom-rule.js";
import { parseConfig, type ReviewConfig } from "../../src/engine/config.js";
import { reviewChangeSet } from "../../src/engine/review.js";
import { changeSetFromFolders } from "../../src/source/folders.js";
import { codeBlocks, readDoc } from "../docs/code-blocks.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/custom-rules");

/** The ```yaml block of each `###` section under "Worked examples", read from the page itself. */
function workedExamples(): { heading: string; config: ReviewConfig }[] {
  const markdown = readDoc("custom-rules.md");
  const section = markdown.slice(markdown.indexOf("## Worked examples"));
  return codeBlocks(section)
    .filter((block) => block.info === "yaml")
    .map((block) => {
      const parsed = parseConfig(parseYaml(block.code));
      if (!parsed.ok) throw new Error(`${block.heading}: ${parsed.errors.join("; ")}`);
      return { heading: block.heading, config: parsed.config };
    });
}

const examples = workedExamples().flatMap(({ heading, config }) =>
  config.customRules.map((rule) => ({ heading, id: rule.id, config })),
);

async function customFindings(config: ReviewConfig, id: string, variant: "fires" | "passes") {
  const folder = join(FIXTURES, id, variant);
  const { changeSet, contextReader } = await changeSetFromFolders(join(folder, "base"), join(folder, "head"));
  // With the whole catalogue, as the App and the CLI run them.
  const review = await reviewChangeSet(changeSet, {
    contextReader,
    rules: withCustomRules(catalogue, config),
  });
  return review.findings.filter((finding) => finding.ruleId === `custom/${id}`);
}

describe("the worked examples of docs/custom-rules.md", () => {
  it("are three, each with fixtures that fire and that pass", () => {
    expect(examples.map((example) => example.id)).toEqual([
      "lb-needs-pinned-ip",
      "release-replicas-below-two",
      "protected-objects",
    ]);
    for (const { id } of examples) {
      expect(existsSync(join(FIXTURES, id, "fires"))).toBe(true);
      expect(existsSync(join(FIXTURES, id, "passes"))).toBe(true);
    }
  });

  it.each(examples.map((example) => [example.heading, example] as const))("%s: fires", async (_, example) => {
    const findings = await customFindings(example.config, example.id, "fires");
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((finding) => finding.messageId === "matched")).toBe(true);
    const rule = example.config.customRules[0]!;
    expect(findings[0]).toMatchObject({
      title: rule.title,
      severity: rule.severity,
      checklist: rule.checklist,
    });
  });

  it.each(examples.map((example) => [example.heading, example] as const))(
    "%s: passes its counterpart",
    async (_, example) => {
      expect(await customFindings(example.config, example.id, "passes")).toEqual([]);
    },
  );
});
