/**
 * Applies a repository's configuration to the engine's findings: rule overrides, environments,
 * ignored paths and the gate. Pure: the same inputs always give the same outcome.
 */
import picomatch from "picomatch";
import { distance } from "fastest-levenshtein";
import { CONFIG_PATH, type ReviewConfig } from "./config.js";
import { SEVERITIES, atLeast, severityRank, type Finding, type Severity } from "./types.js";

/** A finding after policy, with the reason when its severity differs from the rule's. */
export interface PolicyFinding extends Finding {
  /** Severity the engine reported, when the config changed it. */
  engineSeverity?: Severity;
  /** Why the severity changed: `rule override`, `environment production (+1)`. */
  adjustment?: string;
}

export interface PolicyOutcome {
  /** Findings that survive the config, highest severity first, then by file and line. */
  findings: PolicyFinding[];
  /** Findings at or above the gate severity. */
  gating: PolicyFinding[];
  gateSeverity: Severity;
  highest: Severity | null;
  /** How many findings the config removed, and why. */
  suppressed: { ruleOff: number; ignoredPath: number };
  /** Advice about the config itself (an unknown rule id, with the closest known one). */
  notes: string[];
}

export type CheckConclusion = "success" | "action_required" | "neutral" | "failure";

/**
 * The decision shown first everywhere: the check run's conclusion and title, and the comment's
 * verdict line. The gate (approvals) builds its own verdict and hands it to the renderers.
 */
export interface Verdict {
  conclusion: CheckConclusion;
  /** Check run title, plain text: "2 critical, 1 high: second reviewer required". */
  title: string;
  /** First line of the comment, Markdown. Must not contain unescaped data from the PR. */
  line: string;
}

export interface PolicyOptions {
  /** Ids of registered rules, to point out typos in `rules:`. */
  knownRuleIds?: readonly string[];
}

export function createPathMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  return picomatch([...globs], { dot: true });
}

/**
 * `ignore:` as a matcher. The review's own configuration is never ignored: a change to it is how
 * the policy is weakened, and it must be reviewed (see the review-config-weakened rule).
 */
export function createIgnoreMatcher(globs: readonly string[]): (path: string) => boolean {
  const matches = createPathMatcher(globs);
  return (path) => path !== CONFIG_PATH && matches(path);
}

export function applyPolicy(
  findings: readonly Finding[],
  config: ReviewConfig,
  options: PolicyOptions = {},
): PolicyOutcome {
  const ignored = createIgnoreMatcher(config.ignore);
  const environments = Object.entries(config.environments).map(([name, env]) => ({
    name,
    matches: createPathMatcher(env.paths),
    shift: (env.raise ?? 0) - (env.lower ?? 0),
  }));

  const kept: PolicyFinding[] = [];
  const suppressed = { ruleOff: 0, ignoredPath: 0 };
  for (const finding of findings) {
    if (ignored(finding.location.path)) {
      suppressed.ignoredPath += 1;
      continue;
    }
    const setting = config.rules[finding.ruleId];
    if (setting === "off") {
      suppressed.ruleOff += 1;
      continue;
    }
    let severity = setting ?? finding.severity;
    const reasons: string[] = setting && setting !== finding.severity ? ["rule override"] : [];
    const environment = environments.find((env) => env.matches(finding.location.path));
    if (environment && environment.shift !== 0) {
      severity = shiftSeverity(severity, environment.shift);
      const sign = environment.shift > 0 ? "+" : "";
      reasons.push(`environment ${environment.name} (${sign}${environment.shift})`);
    }
    kept.push(
      severity === finding.severity
        ? { ...finding }
        : { ...finding, severity, engineSeverity: finding.severity, adjustment: reasons.join(", ") },
    );
  }
  kept.sort(compareFindings);

  const gateSeverity = config.gate.severity;
  return {
    findings: kept,
    gating: kept.filter((finding) => atLeast(finding.severity, gateSeverity)),
    gateSeverity,
    highest: kept.length > 0 ? kept[0].severity : null,
    suppressed,
    notes: unknownRuleNotes(Object.keys(config.rules), options.knownRuleIds),
  };
}

export function shiftSeverity(severity: Severity, by: number): Severity {
  const rank = Math.min(SEVERITIES.length - 1, Math.max(0, severityRank(severity) + by));
  return SEVERITIES[rank];
}

/** Highest severity first, then file, line and rule: a stable order for every rendering. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.location.path, b.location.path) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

/** "2 critical, 1 high" (severities with findings, highest first), from findings or check state. */
export function countBySeverity(findings: readonly { severity: Severity }[]): string {
  const counts = new Map<Severity, number>();
  for (const finding of findings) counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  return [...SEVERITIES]
    .reverse()
    .filter((severity) => counts.has(severity))
    .map((severity) => `${counts.get(severity)} ${severity}`)
    .join(", ");
}

/** The verdict before any approval is counted: reaching the gate severity is enough to hold. */
export function decideVerdict(outcome: PolicyOutcome, inScope: boolean): Verdict {
  if (!inScope) {
    return {
      conclusion: "neutral",
      title: "No GitOps files changed",
      line: "No Kubernetes, Helm or GitOps file in this pull request is in the review's scope.",
    };
  }
  const counts = countBySeverity(outcome.findings);
  if (outcome.gating.length > 0) {
    const n = outcome.gating.length;
    return {
      conclusion: "action_required",
      title: `${counts}: second reviewer required`,
      line:
        `**${n} ${n === 1 ? "finding reaches" : "findings reach"} the gate (${outcome.gateSeverity} or above):** ` +
        "a second reviewer should answer the checklist before this is merged.",
    };
  }
  if (outcome.findings.length > 0) {
    return {
      conclusion: "success",
      title: `${counts}: below the gate`,
      line: `**No finding reaches the gate (${outcome.gateSeverity} or above).** Worth a look: ${counts}.`,
    };
  }
  return {
    conclusion: "success",
    title: "No risks found",
    line: "**No risks found** in the GitOps changes of this pull request.",
  };
}

export function configErrorVerdict(errors: readonly string[]): Verdict {
  const n = errors.length;
  return {
    conclusion: "failure",
    title: `Invalid .github/gitops-review.yml (${n} ${n === 1 ? "error" : "errors"})`,
    line: "**The review configuration is invalid**, so this commit was not reviewed.",
  };
}

function unknownRuleNotes(configured: readonly string[], known: readonly string[] | undefined): string[] {
  if (!known || known.length === 0) return [];
  const knownSet = new Set(known);
  return configured
    .filter((id) => !knownSet.has(id))
    .map((id) => {
      const closest = closestId(id, known);
      return closest
        ? `The config sets unknown rule "${id}" (did you mean "${closest}"?).`
        : `The config sets unknown rule "${id}".`;
    });
}

function closestId(id: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(3, Math.floor(id.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(id, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
