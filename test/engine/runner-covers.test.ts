import { describe, expect, it } from "@jest/globals";
import { runRules } from "../../src/engine/runner.js";
import type { ReviewContext, Rule, RuleReport } from "../../src/engine/types.js";

const context = {
  changeSet: { files: [], context: new Map(), notes: [] },
  files: [],
  pairs: [],
  diffs: [],
  problems: [],
} as ReviewContext;

/** A rule returning fixed reports, counting how often it was evaluated. */
function fakeRule(id: string, reports: RuleReport[], covers: Rule["meta"]["covers"] = undefined) {
  const calls = { count: 0 };
  const rule: Rule = {
    meta: {
      id,
      title: id,
      category: "availability",
      defaultSeverity: "high",
      appliesTo: ["release"],
      description: `${id}.`,
      ...(covers ? { covers } : {}),
    },
    messages: { gone: "{{what}} is gone", listed: "{{what}} is gone; see {{coveredBy}}", bump: "bumped" },
    remediation: "Fix it.",
    checklist: ["Is this checked by someone?"],
    evaluate: () => {
      calls.count += 1;
      return reports;
    },
  };
  return { rule, calls };
}

const at = (path: string, line: number) => ({ path, line, side: "head" as const });

describe("meta.covers", () => {
  it("rewrites a covered finding as the covered rule says, matching the declaring subject too", () => {
    const removed = fakeRule("release-gone", [
      {
        messageId: "gone",
        data: { what: "release web" },
        location: at("apps/web.yaml", 3),
        subject: "release/apps/web",
        alsoAbout: { subjects: ["argoproj.io/Application/argocd/web"] },
        whenCovered: { messageId: "listed", severity: "low", data: { what: "release web" } },
      },
    ]);
    const finalizer = fakeRule(
      "app-finalizer",
      [
        {
          messageId: "gone",
          data: { what: "app" },
          location: at("apps/web.yaml", 1),
          subject: "argoproj.io/Application/argocd/web",
        },
      ],
      [{ rule: "release-gone", messageIds: ["gone"], match: "subject" }],
    );

    const findings = runRules([finalizer.rule, removed.rule], context);

    const listed = findings.find((finding) => finding.ruleId === "release-gone")!;
    expect(listed).toMatchObject({
      messageId: "listed",
      severity: "low",
      message: "release web is gone; see app-finalizer",
    });
    expect(findings).toHaveLength(2);
    expect([removed.calls.count, finalizer.calls.count]).toEqual([1, 1]);
  });

  it("drops a covered finding without whenCovered, by line, and only for the messages named", () => {
    const source = fakeRule("source-moved", [
      { messageId: "bump", location: at("infra/hr.yaml", 9), alsoAbout: { lines: [at("infra/hr.yaml", 8)] } },
      { messageId: "gone", data: { what: "repo" }, location: at("infra/hr.yaml", 9) },
    ]);
    const upgrade = fakeRule(
      "chart-upgrade",
      [{ messageId: "bump", location: at("infra/hr.yaml", 8) }],
      [{ rule: "source-moved", messageIds: ["bump"], match: "line" }],
    );

    const findings = runRules([upgrade.rule, source.rule], context);

    expect(findings.map((finding) => `${finding.ruleId}:${finding.messageId}`).sort()).toEqual([
      "chart-upgrade:bump",
      "source-moved:gone",
    ]);
  });

  it("keeps a finding whose coverer found nothing there, or threw", () => {
    const removed = fakeRule("release-gone", [
      { messageId: "gone", data: { what: "db" }, location: at("db.yaml", 2), subject: "release/db" },
    ]);
    const elsewhere = fakeRule(
      "other",
      [{ messageId: "gone", data: { what: "x" }, location: at("x.yaml", 1), subject: "release/x" }],
      [{ rule: "release-gone", match: "subject" }],
    );
    const broken: Rule = {
      ...elsewhere.rule,
      meta: { ...elsewhere.rule.meta, id: "broken" },
      evaluate: () => {
        throw new Error("boom");
      },
    };

    const findings = runRules([broken, elsewhere.rule, removed.rule], context);

    expect(findings.find((finding) => finding.ruleId === "release-gone")?.messageId).toBe("gone");
    expect(findings.some((finding) => finding.ruleId === "internal-error")).toBe(true);
  });
});
