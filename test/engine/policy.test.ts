import { describe, expect, it } from "@jest/globals";
import { parseConfig, type ReviewConfigInput } from "../../src/engine/config.js";
import {
  applyPolicy,
  configErrorVerdict,
  createIgnoreMatcher,
  countBySeverity,
  decideVerdict,
  shiftSeverity,
} from "../../src/engine/policy.js";
import type { Finding, Severity } from "../../src/engine/types.js";

function finding(ruleId: string, severity: Severity, path: string, line = 1): Finding {
  return {
    ruleId,
    title: ruleId,
    severity,
    messageId: "m",
    message: "message",
    data: {},
    location: { path, line, side: "head" },
    subject: null,
    evidence: null,
    remediation: "Fix it.",
    checklist: [],
    fingerprint: `${ruleId}:${path}`,
  };
}

function config(input: ReviewConfigInput) {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.config;
}

describe("ignore", () => {
  it("never ignores the review's own configuration, whatever the globs", () => {
    const ignored = createIgnoreMatcher(["**", ".github/**"]);
    expect(ignored("apps/web.yaml")).toBe(true);
    expect(ignored(".github/workflows/ci.yml")).toBe(true);
    expect(ignored(".github/gitops-review.yml")).toBe(false);
    const outcome = applyPolicy(
      [
        finding("review-config-weakened", "high", ".github/gitops-review.yml"),
        finding("x", "high", "apps/a.yaml"),
      ],
      config({ ignore: ["**"] }),
    );
    expect(outcome.findings.map((f) => f.ruleId)).toEqual(["review-config-weakened"]);
    expect(outcome.suppressed.ignoredPath).toBe(1);
  });
});

describe("applyPolicy", () => {
  it("overrides, turns off and ignores per the config, and sorts by severity", () => {
    const outcome = applyPolicy(
      [
        finding("a-rule", "low", "apps/a.yaml"),
        finding("b-rule", "high", "apps/b.yaml"),
        finding("c-rule", "medium", "docs/c.yaml"),
        finding("d-rule", "medium", "apps/d.yaml"),
      ],
      config({ rules: { "a-rule": "critical", "b-rule": "off" }, ignore: ["docs/**"] }),
    );
    expect(outcome.findings.map((f) => [f.ruleId, f.severity, f.engineSeverity, f.adjustment])).toEqual([
      ["a-rule", "critical", "low", "rule override"],
      ["d-rule", "medium", undefined, undefined],
    ]);
    expect(outcome.suppressed).toEqual({ ruleOff: 1, ignoredPath: 1 });
    expect(outcome.highest).toBe("critical");
    expect(outcome.gating.map((f) => f.ruleId)).toEqual(["a-rule"]);
  });

  it("raises and lowers by environment, clamped, first matching environment wins", () => {
    const outcome = applyPolicy(
      [
        finding("a-rule", "high", "clusters/prod/a.yaml"),
        finding("b-rule", "critical", "clusters/prod/b.yaml"),
        finding("c-rule", "medium", "clusters/dev/c.yaml"),
        finding("d-rule", "low", "clusters/dev/d.yaml"),
      ],
      config({
        environments: {
          production: { paths: ["clusters/prod/**"], raise: 1 },
          dev: { paths: ["clusters/dev/**"], lower: 2 },
          everything: { paths: ["**"], raise: 4 },
        },
      }),
    );
    expect(outcome.findings.map((f) => [f.ruleId, f.severity, f.adjustment])).toEqual([
      ["a-rule", "critical", "environment production (+1)"],
      ["b-rule", "critical", undefined],
      ["c-rule", "info", "environment dev (-2)"],
      ["d-rule", "info", "environment dev (-2)"],
    ]);
  });

  it("points out unknown rule ids with the closest known one", () => {
    const outcome = applyPolicy([], config({ rules: { "ingress-controler-deleted": "off", zzz: "low" } }), {
      knownRuleIds: ["ingress-controller-deleted", "parse-problem"],
    });
    expect(outcome.notes).toEqual([
      'The config sets unknown rule "ingress-controler-deleted" (did you mean "ingress-controller-deleted"?).',
      'The config sets unknown rule "zzz".',
    ]);
  });
});

describe("verdicts", () => {
  const defaults = config({});

  it.each([
    [[], true, "success", "No risks found"],
    [[finding("a", "medium", "x.yaml")], true, "success", "1 medium: below the gate"],
    [
      [finding("a", "critical", "x.yaml"), finding("b", "high", "y.yaml"), finding("c", "high", "z.yaml")],
      true,
      "action_required",
      "1 critical, 2 high: second reviewer required",
    ],
    [[], false, "neutral", "No GitOps files changed"],
  ] as const)("%j in scope %s -> %s", (findings, inScope, conclusion, title) => {
    const verdict = decideVerdict(applyPolicy(findings, defaults), inScope);
    expect(verdict).toMatchObject({ conclusion, title });
  });

  it("reports a broken config as failure", () => {
    expect(configErrorVerdict(["a", "b"])).toMatchObject({
      conclusion: "failure",
      title: "Invalid .github/gitops-review.yml (2 errors)",
    });
  });

  it("counts and shifts severities", () => {
    expect(
      countBySeverity([finding("a", "low", "x"), finding("b", "critical", "y"), finding("c", "low", "z")]),
    ).toBe("1 critical, 2 low");
    expect(shiftSeverity("info", -3)).toBe("info");
    expect(shiftSeverity("high", 3)).toBe("critical");
  });
});
