/**
 * The one result of a review, handed to every renderer (comment, check run, terminal, JSON,
 * /explain, and later SARIF) and to both front ends: findings after policy, the verdict, what
 * changed per subject, what the review covered, and the redactor built once.
 */
import type { Redactor } from "../k8s/secrets.js";
import type { Problem } from "../parse/types.js";
import type { PolicyFinding, PolicyOutcome, Verdict } from "./policy.js";
import type { PairDiff, ReviewResult, RuleMeta, Severity } from "./types.js";

/**
 * How far the review understood one changed file in scope: part of a built app, modelled (values
 * and manifests read), recognised but not reviewable, or not understood. `reason` says why when
 * it is not fully reviewed.
 */
export interface CoverageEntry {
  path: string;
  status: "built" | "modelled" | "recognised" | "not-understood";
  reason: string | null;
}

/** Findings that share one root cause (today every finding is its own group). */
export interface FindingGroup {
  /** Stable across pushes: the fingerprint of the finding that names the cause. */
  id: string;
  /** The finding that explains the cause; the others are its consequences. */
  cause: PolicyFinding;
  members: readonly PolicyFinding[];
  /** Highest severity among the members. */
  severity: Severity;
}

export interface Report {
  /** The decision shown first everywhere. The gate may replace it after counting approvals. */
  verdict: Verdict;
  /** Findings after the repository's config, highest severity first, then by file and line. */
  findings: readonly PolicyFinding[];
  /** Findings at or above the gate severity. */
  gating: readonly PolicyFinding[];
  gateSeverity: Severity;
  highest: Severity | null;
  /** How many findings the config removed, and why. */
  suppressed: PolicyOutcome["suppressed"];
  groups: readonly FindingGroup[];
  /** Every subject pair (release or object) with its value-level changes, in pairing order. */
  subjects: readonly PairDiff[];
  /** Every changed file the source listed (in scope or not). */
  files: ReviewResult["files"];
  /** True when at least one changed file is something the engine understands. */
  inScope: boolean;
  coverage: readonly CoverageEntry[];
  /** Files or documents the engine could not read fully. */
  problems: readonly Problem[];
  /** Notes about the source (truncated listings, skipped files), then about the config. */
  notes: readonly string[];
  /** Removes every secret-looking value of this review from a text: apply it to whatever is published. */
  redact: Redactor;
  /** The catalogue the review ran (what SARIF lists as its rules). */
  rules: readonly RuleMeta[];
}

/** The report with another verdict (the gate's, once approvals are counted). */
export function withVerdict(report: Report, verdict: Verdict): Report {
  return verdict === report.verdict ? report : { ...report, verdict };
}
