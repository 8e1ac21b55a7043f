/**
 * Walks every rule's __fixtures__: each `fires-*` case must produce the findings in its
 * expected.json (rule, severity, file, line), each `passes-*` case none from that rule.
 */
import { rules as catalogue } from "../../rules/index.js";
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { rules } from "../../rules/index.js";
import { reviewChangeSet } from "../../src/engine/review.js";
import { changeSetFromFolders } from "../../src/source/folders.js";

const RULES_DIR = join(import.meta.dirname, "../../rules");

interface Expected {
  severity: string;
  path: string;
  line: number | null;
  messageIncludes?: string;
}

function fixtureCases(ruleId: string): string[] {
  const dir = join(RULES_DIR, ruleId, "__fixtures__");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

async function findingsFor(ruleId: string, fixture: string) {
  const dir = join(RULES_DIR, ruleId, "__fixtures__", fixture);
  const { changeSet, contextReader } = await changeSetFromFolders(join(dir, "base"), join(dir, "head"));
  const result = await reviewChangeSet(changeSet, { contextReader, rules: catalogue });
  return result.findings.filter((finding) => finding.ruleId === ruleId);
}

describe.each(rules.map((rule) => rule.meta.id))("rule %s", (ruleId) => {
  const cases = fixtureCases(ruleId);
  const fires = cases.filter((name) => name.startsWith("fires-"));
  const passes = cases.filter((name) => name.startsWith("passes-"));

  it.each(fires.length > 0 ? fires : ["(none)"])("%s reports the expected findings", async (fixture) => {
    const expectedFile = join(RULES_DIR, ruleId, "__fixtures__", fixture, "expected.json");
    const expected = JSON.parse(readFileSync(expectedFile, "utf8")) as Expected[];
    const findings = await findingsFor(ruleId, fixture);
    const actual = findings.map((f) => ({
      severity: f.severity,
      path: f.location.path,
      line: f.location.line,
    }));
    expect(actual).toEqual(expected.map(({ severity, path, line }) => ({ severity, path, line })));
    expected.forEach((item, i) => {
      if (item.messageIncludes) expect(findings[i]?.message).toContain(item.messageIncludes);
    });
  });

  it.each(passes.length > 0 ? passes : ["(none)"])("%s reports nothing", async (fixture) => {
    expect(await findingsFor(ruleId, fixture)).toEqual([]);
  });
});
