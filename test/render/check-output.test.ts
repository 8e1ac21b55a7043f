import { describe, expect, it } from "@jest/globals";
import {
  annotationBatches,
  CHECK_TEXT_LIMIT,
  parseCheckState,
  renderCheckOutput,
  renderConfigErrorOutput,
} from "../../src/render/check-output.js";
import { makeFinding, objectDiff, outcomeOf, reviewOf, VERDICT, withReport } from "./fixtures.js";

const base = { verdict: VERDICT, headSha: "c".repeat(40), baseSha: "a".repeat(40) };

describe("renderCheckOutput", () => {
  it("annotates head-side findings on their lines with a level per severity", () => {
    const output = renderCheckOutput(
      withReport({
        ...base,
        outcome: outcomeOf([
          makeFinding(1, "critical"),
          makeFinding(2, "medium"),
          makeFinding(3, "low"),
          makeFinding(4, "high", { location: { path: "gone.yaml", line: 4, side: "base" } }),
        ]),
        review: reviewOf(),
      }),
    );
    expect(output.title).toBe(VERDICT.title);
    expect(output.annotations).toEqual([
      expect.objectContaining({
        path: "apps/app-1/values.yaml",
        start_line: 2,
        end_line: 2,
        annotation_level: "failure",
      }),
      expect.objectContaining({ path: "apps/app-2/values.yaml", start_line: 3, annotation_level: "warning" }),
      expect.objectContaining({ path: "apps/app-3/values.yaml", start_line: 4, annotation_level: "notice" }),
    ]);
    expect(output.annotations[0].title).toBe("critical: Finding number 1 (rule-1)");
    expect(output.annotations[0].message).toContain("- Was item 1 checked?");
  });

  it("carries the state a later decision needs, readable back", () => {
    const output = renderCheckOutput(
      withReport({
        ...base,
        outcome: outcomeOf([makeFinding(1, "critical")]),
        review: reviewOf(),
      }),
    );
    expect(parseCheckState(output.text)).toEqual({
      version: 1,
      headSha: "c".repeat(40),
      baseSha: "a".repeat(40),
      gateSeverity: "high",
      findings: [{ fingerprint: "fp1", ruleId: "rule-1", severity: "critical", checklist: 2 }],
      complete: true,
    });
    expect(parseCheckState("no state here")).toBeNull();
  });

  it("stays within GitHub's output limits", () => {
    const findings = Array.from({ length: 600 }, (_, i) =>
      makeFinding(i, "high", { message: "m".repeat(200) }),
    );
    const diffs = Array.from({ length: 40 }, (_, i) => objectDiff(`a${i}`, 50));
    const output = renderCheckOutput(
      withReport({ ...base, outcome: outcomeOf(findings), review: reviewOf(diffs) }),
    );
    expect(output.summary.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);
    expect(output.text!.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);
    expect(output.annotations).toHaveLength(500);
    // The state keeps the highest findings first and says when it had to stop.
    const state = parseCheckState(output.text);
    expect(state?.complete).toBe(false);
    expect(state?.findings.length).toBeGreaterThan(100);
  });
});

describe("annotationBatches", () => {
  it("sends at most 50 per request", () => {
    const annotations = renderCheckOutput(
      withReport({
        ...base,
        outcome: outcomeOf(Array.from({ length: 120 }, (_, i) => makeFinding(i, "low"))),
        review: reviewOf(),
      }),
    ).annotations;
    expect(annotationBatches(annotations).map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(annotationBatches([])).toEqual([[]]);
  });
});

describe("renderConfigErrorOutput", () => {
  it("lists every error verbatim", () => {
    const output = renderConfigErrorOutput(
      { conclusion: "failure", title: "Invalid", line: "Invalid." },
      ["gate.severity: expected one of info, low, medium, high, critical"],
      ".github/gitops-review.yml",
    );
    expect(output.summary).toContain("- `gate.severity: expected one of info, low, medium, high, critical`");
  });
});
