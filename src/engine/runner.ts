import { createHash } from "node:crypto";
import type { Cover, Finding, FindingLocation, ReviewContext, Rule, RuleReport } from "./types.js";
import { severityRank } from "./types.js";

/** Not a catalogue rule: what a rule that threw is reported as, so the failure stays visible. */
export const INTERNAL_ERROR_RULE_ID = "internal-error";

export function formatMessage(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(data, name) ? String(data[name]) : whole,
  );
}

export function fingerprintOf(
  ruleId: string,
  report: Pick<RuleReport, "subject" | "location" | "messageId" | "evidence">,
): string {
  // Lines move on every push; the subject, file, message and evidence path identify a finding.
  const parts = [
    ruleId,
    report.subject ?? "",
    report.location.path,
    report.messageId,
    report.evidence?.path ?? "",
  ];
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 16);
}

export function toFinding(rule: Rule, report: RuleReport): Finding {
  const data = report.data ?? {};
  const template = rule.messages[report.messageId] ?? report.messageId;
  return {
    ruleId: rule.meta.id,
    title: rule.meta.title,
    severity: report.severity ?? rule.meta.defaultSeverity,
    messageId: report.messageId,
    message: formatMessage(template, data),
    data,
    location: report.location,
    subject: report.subject ?? null,
    evidence: report.evidence ?? null,
    remediation: rule.remediation,
    checklist: rule.checklist,
    fingerprint: fingerprintOf(rule.meta.id, report),
  };
}

/**
 * Runs every rule on its own: a rule that throws becomes an internal-error finding and
 * the other rules' findings are kept. A review is never lost to one broken rule.
 */
export function runRules(rules: readonly Rule[], context: ReviewContext): Finding[] {
  const findings: Finding[] = [];
  const reports = new Map<string, RuleReport[]>();
  for (const rule of rules) {
    try {
      reports.set(rule.meta.id, rule.evaluate(context));
    } catch (err) {
      findings.push(internalError(rule.meta.id, err));
    }
  }
  const covered = applyCovers(rules, reports);
  for (const rule of rules) {
    for (const report of covered.get(rule.meta.id) ?? []) findings.push(toFinding(rule, report));
  }
  return dedupe(findings).sort(compareFindings);
}

/**
 * Applies every rule's `meta.covers`: a covered report is dropped, or rewritten as its
 * `whenCovered` says. A report's own subject (or line) is matched before its `alsoAbout` ones;
 * among covering rules, the first in catalogue order names itself.
 */
export function applyCovers(
  rules: readonly Rule[],
  reports: ReadonlyMap<string, readonly RuleReport[]>,
): Map<string, RuleReport[]> {
  const result = new Map<string, RuleReport[]>();
  for (const [ruleId, list] of reports) result.set(ruleId, [...list]);
  const covers = rules.flatMap((rule) =>
    (rule.meta.covers ?? [])
      .filter(() => reports.has(rule.meta.id))
      .map((cover) => ({ by: rule.meta.id, cover })),
  );
  for (const [ruleId, list] of result) {
    const mine = covers.filter(({ cover }) => cover.rule === ruleId);
    if (mine.length === 0) continue;
    const kept: RuleReport[] = [];
    for (const report of list) {
      const by = coveringRule(report, mine, reports);
      if (by === null) kept.push(report);
      else if (report.whenCovered) {
        const { whenCovered, ...rest } = report;
        kept.push({ ...rest, ...whenCovered, data: { ...whenCovered.data, coveredBy: by } });
      }
    }
    result.set(ruleId, kept);
  }
  return result;
}

function coveringRule(
  report: RuleReport,
  covers: readonly { by: string; cover: Cover }[],
  reports: ReadonlyMap<string, readonly RuleReport[]>,
): string | null {
  const applicable = covers.filter(
    ({ cover }) => !cover.messageIds || cover.messageIds.includes(report.messageId),
  );
  if (applicable.length === 0) return null;
  const subjects = [report.subject, ...(report.alsoAbout?.subjects ?? [])].filter(
    (subject): subject is string => subject !== undefined,
  );
  const lines = [report.location, ...(report.alsoAbout?.lines ?? [])].map(lineKey);
  for (const [match, keys] of [
    ["subject", subjects],
    ["line", lines],
  ] as const) {
    for (const key of keys) {
      for (const { by, cover } of applicable) {
        if (cover.match !== match) continue;
        const theirs = reports.get(by) ?? [];
        const hit = theirs.some((other) =>
          match === "subject" ? other.subject === key : lineKey(other.location) === key,
        );
        if (hit) return by;
      }
    }
  }
  return null;
}

function lineKey(location: Pick<FindingLocation, "path" | "line">): string {
  return `${location.path}\u0000${location.line}`;
}

function internalError(ruleId: string, err: unknown): Finding {
  const reason = err instanceof Error ? err.message : String(err);
  const data = { rule: ruleId, reason };
  return {
    ruleId: INTERNAL_ERROR_RULE_ID,
    title: "A rule failed to run",
    severity: "medium",
    messageId: "ruleFailed",
    message: `Rule ${ruleId} failed on this change and its checks did not run: ${reason}`,
    data,
    location: { path: "", line: null, side: "head" },
    subject: null,
    evidence: null,
    remediation:
      "Review this change by hand for what the rule covers, and report the failure to the bot's maintainers.",
    checklist: [`Has someone checked by hand what ${ruleId} would have checked?`],
    fingerprint: fingerprintOf(INTERNAL_ERROR_RULE_ID, {
      subject: ruleId,
      location: { path: "", line: null, side: "head" },
      messageId: "ruleFailed",
    }),
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.fingerprint}\u0000${finding.location.line ?? ""}\u0000${finding.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.location.path.localeCompare(b.location.path) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    a.ruleId.localeCompare(b.ruleId)
  );
}
