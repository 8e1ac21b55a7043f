/** Hand-built review results for renderer tests: renderers are pure, so no engine is needed. */
import type { PolicyFinding, PolicyOutcome, Verdict } from "../../src/engine/policy.js";
import type { PairDiff, ReviewResult, Severity } from "../../src/engine/types.js";
import type { Report } from "../../src/engine/report.js";
import { collectSecretValues, createRedactor } from "../../src/k8s/secrets.js";
import type { KubeObject } from "../../src/model/types.js";

export function makeFinding(
  index: number,
  severity: Severity,
  overrides: Partial<PolicyFinding> = {},
): PolicyFinding {
  return {
    ruleId: `rule-${index}`,
    title: `Finding number ${index}`,
    severity,
    messageId: "m",
    message: `Something at \`spec.value.${index}\` changed.`,
    data: {},
    location: { path: `apps/app-${index}/values.yaml`, line: index + 1, side: "head" },
    subject: null,
    evidence: null,
    remediation: "Do the right thing.",
    checklist: [`Was item ${index} checked?`, "Is there a rollback plan?"],
    fingerprint: `fp${index}`,
    ...overrides,
  };
}

export function outcomeOf(findings: PolicyFinding[], gate: Severity = "high"): PolicyOutcome {
  const rank = ["info", "low", "medium", "high", "critical"];
  const sorted = [...findings].sort((a, b) => rank.indexOf(b.severity) - rank.indexOf(a.severity));
  return {
    findings: sorted,
    gating: sorted.filter((f) => rank.indexOf(f.severity) >= rank.indexOf(gate)),
    gateSeverity: gate,
    highest: sorted[0]?.severity ?? null,
    suppressed: { ruleOff: 0, ignoredPath: 0 },
    notes: [],
  };
}

export const VERDICT: Verdict = {
  conclusion: "action_required",
  title: "1 critical: second reviewer required",
  line: "**Verdict line given by the caller.**",
};

function configMap(name: string, kind = "ConfigMap"): KubeObject {
  return {
    type: "object",
    id: `core/${kind}/default/${name}`,
    identity: { group: "", kind, namespace: "default", name },
    apiVersion: "v1",
    document: {
      file: `apps/${name}.yaml`,
      index: 0,
      kind: "kubernetes-object",
      line: 1,
      value: {},
      locations: new Map(),
    },
  };
}

/** A modified object with `changes` value changes, each long enough to weigh on the limit. */
export function objectDiff(name: string, changes: number, kind = "ConfigMap", valueLength = 40): PairDiff {
  const object = configMap(name, kind);
  return {
    pair: { id: object.id, status: "modified", base: object, head: object },
    changes: Array.from({ length: changes }, (_, i) => ({
      path: `data.key${i}`,
      op: "changed" as const,
      basePath: ["data", `key${i}`],
      headPath: ["data", `key${i}`],
      before: "x".repeat(valueLength),
      after: "y".repeat(valueLength),
      base: { file: `apps/${name}.yaml`, line: i + 5 },
      head: { file: `apps/${name}.yaml`, line: i + 5 },
    })),
  };
}

export function reviewOf(
  diffs: PairDiff[] = [],
  notes: string[] = [],
): Pick<ReviewResult, "diffs" | "notes" | "parsed"> {
  return { diffs, notes, parsed: [] };
}

/** A Report as the pipeline would build it from these pieces (renderers read nothing else). */
export function reportOf(
  outcome: PolicyOutcome,
  review: Pick<ReviewResult, "diffs" | "notes" | "parsed"> & Partial<Pick<ReviewResult, "files">>,
  verdict: Verdict = VERDICT,
): Report {
  return {
    verdict,
    findings: outcome.findings,
    gating: outcome.gating,
    gateSeverity: outcome.gateSeverity,
    highest: outcome.highest,
    suppressed: outcome.suppressed,
    groups: outcome.findings.map((finding) => ({
      id: finding.fingerprint,
      cause: finding,
      members: [finding],
      severity: finding.severity,
    })),
    subjects: review.diffs,
    files: review.files ?? [],
    inScope: true,
    coverage: [],
    problems: [],
    notes: [...review.notes, ...outcome.notes],
    redact: createRedactor(collectSecretValues(review.parsed)),
    rules: [],
  };
}

/** Renderer input in the old three-part shape (verdict, policy outcome, review) as a Report. */
export function withReport<T extends object>(
  input: T & {
    verdict: Verdict;
    outcome: PolicyOutcome;
    review: Pick<ReviewResult, "diffs" | "notes" | "parsed">;
  },
): Omit<T, "outcome" | "review"> & { report: Report; verdict: Verdict } {
  const { outcome, review, ...rest } = input;
  return { ...rest, report: reportOf(outcome, review, input.verdict) };
}
