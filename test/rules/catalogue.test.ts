/** Keeps the catalogue honest: every rule registered, documented, with fixtures both ways. */
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { rules } from "../../rules/index.js";
import { readExplainText } from "../../src/docs/explain-text.js";
import { readRulesDoc, renderRulesDoc } from "../../src/docs/rules-doc.js";

const RULES_DIR = join(import.meta.dirname, "../../rules");
const EXPLAIN_HEADINGS = ["## What it checks", "## Why it matters", "## How to fix", "## Examples"];

const folders = readdirSync(RULES_DIR).filter((name) => statSync(join(RULES_DIR, name)).isDirectory());

describe("rule catalogue", () => {
  it("registers every rule folder, sorted by id, each id unique", () => {
    const ids = rules.map((rule) => rule.meta.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...folders].sort()).toEqual([...ids].sort());
  });

  it.each(rules.map((rule) => [rule.meta.id, rule] as const))("%s is complete", (id, rule) => {
    expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(rule.meta.title.length).toBeGreaterThan(0);
    expect(rule.meta.description).toMatch(/\.$/);
    expect(rule.meta.appliesTo.length).toBeGreaterThan(0);
    expect(rule.remediation.trim()).toMatch(/\.$/);
    expect(rule.checklist.length).toBeGreaterThan(0);
    for (const item of rule.checklist) expect(item.trim().length).toBeGreaterThan(10);
    expect(Object.keys(rule.messages).length).toBeGreaterThan(0);

    const explain = readFileSync(join(RULES_DIR, id, "explain.md"), "utf8");
    expect(explain).not.toMatch(/^# /m);
    const positions = EXPLAIN_HEADINGS.map((heading) => explain.indexOf(`${heading}\n`));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const fixtures = existsSync(join(RULES_DIR, id, "__fixtures__"))
      ? readdirSync(join(RULES_DIR, id, "__fixtures__"))
      : [];
    const fires = fixtures.filter((name) => name.startsWith("fires-"));
    expect(fires.length).toBeGreaterThan(0);
    expect(fixtures.some((name) => name.startsWith("passes-"))).toBe(true);
    for (const name of fires)
      expect(existsSync(join(RULES_DIR, id, "__fixtures__", name, "expected.json"))).toBe(true);
  });

  it("covers name registered rules and messages those rules have", () => {
    const byId = new Map(rules.map((rule) => [rule.meta.id, rule]));
    const covers = rules.flatMap((rule) =>
      (rule.meta.covers ?? []).map((cover) => [rule.meta.id, cover] as const),
    );
    expect(covers.length).toBeGreaterThan(0);
    for (const [by, cover] of covers) {
      const covered = byId.get(cover.rule);
      expect(covered).toBeDefined();
      expect(cover.rule).not.toBe(by);
      for (const messageId of cover.messageIds ?? [])
        expect(Object.keys(covered!.messages)).toContain(messageId);
    }
  });

  it("docs/rules.md is up to date (run `npm run docs`)", async () => {
    expect(await readRulesDoc()).toBe(await renderRulesDoc(rules, readExplainText));
  });
});
