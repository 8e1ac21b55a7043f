import type { ValueChange } from "../diff/types.js";
import type { HelmRelease, KubeObject, SubjectPair } from "../model/types.js";
import type { ParsedFile, Problem } from "../parse/types.js";
import type { ChangeSet, Side } from "../source/change-set.js";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type RuleCategory =
  | "availability"
  | "data-loss"
  | "networking"
  | "security"
  | "certificates"
  | "gitops"
  | "maintenance"
  | "engine"
  /** A rule from the repository's own configuration (`customRules:`). */
  | "custom";

/** What a rule looks at: Helm releases (effective values), Kubernetes objects, or files. */
export type RuleTarget = "release" | "object" | "file";

export interface RuleMeta {
  /** kebab-case, unique, stable: configs and /explain refer to it. */
  id: string;
  title: string;
  category: RuleCategory;
  defaultSeverity: Severity;
  appliesTo: readonly RuleTarget[];
  /** One sentence: what the rule checks. */
  description: string;
  /**
   * Findings of other rules that this rule's findings make redundant: the runner drops them, or
   * rewrites them as their rule says (`RuleReport.whenCovered`). No rule runs another rule.
   */
  covers?: readonly Cover[];
}

/** "My finding about the same subject (or on the same line) covers that rule's finding." */
export interface Cover {
  rule: string;
  /** Only these messages of the covered rule; every message when absent. */
  messageIds?: readonly string[];
  /** `subject`: same subject id; `line`: same file and line. */
  match: "subject" | "line";
}

export interface FindingLocation {
  /** Repo-relative file; head side, or base side for deletions. */
  path: string;
  line: number | null;
  side: Side;
}

/** The values that make a finding true, shown to the reviewer. */
export interface Evidence {
  /** Value path or object field the evidence is about. */
  path?: string;
  before?: unknown;
  after?: unknown;
}

/** What a rule returns: message id plus data, never free text (renders and snapshots stay stable). */
export interface RuleReport {
  messageId: string;
  data?: Record<string, string | number>;
  /** Overrides the rule's default severity for this instance (e.g. major vs patch bump). */
  severity?: Severity;
  location: FindingLocation;
  /** Subject id the finding is about. */
  subject?: string;
  evidence?: Evidence;
  /** More subjects and lines a covering finding may be about (the object declaring a release). */
  alsoAbout?: { subjects?: readonly string[]; lines?: readonly Pick<FindingLocation, "path" | "line">[] };
  /**
   * How the finding reads when another rule covers it: it stays, with this message (its data gets
   * `coveredBy`, the covering rule's id). Without it a covered finding is dropped.
   */
  whenCovered?: Pick<RuleReport, "messageId" | "severity" | "data" | "evidence">;
}

/** Changes of one subject pair, for rules. */
export interface PairDiff {
  pair: SubjectPair;
  changes: ValueChange[];
}

export interface ReviewContext {
  changeSet: ChangeSet;
  files: ParsedFile[];
  pairs: SubjectPair[];
  diffs: PairDiff[];
  problems: Problem[];
  /** The rules this review runs, for a rule about the review's own configuration. */
  catalogue?: readonly RuleMeta[];
}

export interface Rule {
  meta: RuleMeta;
  /** Message templates with `{{name}}` placeholders filled from RuleReport.data. */
  messages: Record<string, string>;
  /** How to fix it, one or two sentences ending with '.'. */
  remediation: string;
  /** Questions a second reviewer must answer before approving. */
  checklist: readonly string[];
  evaluate(context: ReviewContext): RuleReport[];
}

export interface Finding {
  ruleId: string;
  title: string;
  severity: Severity;
  messageId: string;
  message: string;
  data: Record<string, string | number>;
  location: FindingLocation;
  subject: string | null;
  evidence: Evidence | null;
  remediation: string;
  checklist: readonly string[];
  /** Stable across pushes while the same finding stays: rule, subject, path and message id. */
  fingerprint: string;
}

export interface ReviewResult {
  files: { path: string; previousPath?: string; status: string }[];
  parsed: ParsedFile[];
  pairs: SubjectPair[];
  diffs: PairDiff[];
  findings: Finding[];
  problems: Problem[];
  /** Notes from the source (truncated file list, skipped files). */
  notes: string[];
  /** True when at least one changed file is something the engine understands. */
  inScope: boolean;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

/** Re-exported so rules import their whole vocabulary from one module. */
export type { HelmRelease, KubeObject, SubjectPair, ValueChange };
