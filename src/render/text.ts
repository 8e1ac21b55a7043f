/**
 * The CLI's terminal rendering: verdict, findings with their checklists, then what changed per
 * release and object as a diff. Plain text, so it reads the same in a CI log and a terminal.
 */
import type { Report } from "../engine/report.js";
import type { Severity } from "../engine/types.js";
import { stringify } from "yaml";
import { formatCompactValue } from "../diff/compact-value.js";
import { renderChangesAsDiff } from "../diff/text-diff.js";
import { describeSubject } from "../model/describe.js";
import { isKubernetesSecret, isSecretPath, maskValue } from "../k8s/secrets.js";

const LABEL: Record<Severity, string> = {
  critical: "CRITICAL",
  high: "HIGH",
  medium: "MEDIUM",
  low: "LOW",
  info: "INFO",
};

function where(path: string, line: number | null): string {
  return line ? `${path}:${line}` : path || "(whole change)";
}

export function renderText(report: Report): string {
  const { redact, verdict } = report;
  const out: string[] = [];
  out.push(`GitOps review: ${verdict.title}`);
  out.push("");
  for (const note of report.notes) out.push(`note: ${note}`);

  if (report.findings.length > 0) {
    out.push(`Findings (${report.findings.length}):`);
    for (const finding of report.findings) {
      out.push("");
      out.push(`[${LABEL[finding.severity]}] ${finding.title}  (${finding.ruleId})`);
      out.push(
        `  at ${where(finding.location.path, finding.location.line)}${finding.location.side === "base" ? " (before the change)" : ""}`,
      );
      out.push(`  ${finding.message}`);
      if (finding.adjustment)
        out.push(`  severity ${finding.engineSeverity} -> ${finding.severity}: ${finding.adjustment}`);
      out.push(`  Fix: ${finding.remediation}`);
      if (finding.severity !== "info" && finding.checklist.length > 0) {
        out.push("  Second reviewer checklist:");
        for (const item of finding.checklist) out.push(`    [ ] ${item}`);
      }
    }
    out.push("");
  }

  const changed = report.subjects.filter(
    (diff) => diff.pair.status !== "unchanged" && diff.changes.length > 0,
  );
  if (changed.length > 0) {
    out.push(`Changes (${changed.length} ${changed.length === 1 ? "subject" : "subjects"}):`);
    for (const { pair, changes } of changed) {
      const subject = pair.head ?? pair.base;
      if (!subject) continue;
      const inSecret = isKubernetesSecret(subject);
      out.push("");
      const name =
        pair.status === "replaced" && pair.base && pair.head
          ? `${describeSubject(pair.base)} -> ${describeSubject(pair.head)}`
          : describeSubject(subject);
      out.push(`${pair.status.toUpperCase()} ${name}`);
      if (pair.replacementReason) out.push(`  replacement: ${pair.replacementReason}`);
      const rendered = renderChangesAsDiff(changes, {
        width: 100,
        formatValue: (value, { change, side }) =>
          formatCompactValue(
            maskValue(value, (side === "base" ? change.basePath : change.headPath) ?? change.path, inSecret),
            100,
          ),
        formatWhole: (value) => stringify(maskValue(value, [], inSecret)),
        expandText: (change) => !isSecretPath(change.path, inSecret),
        wholeLines: 20,
      });
      out.push(...rendered.split("\n").map((line) => `  ${line}`));
    }
  }
  if (report.findings.length === 0 && changed.length === 0)
    out.push("Nothing to review: no change in scope.");
  return redact(out.join("\n")) + "\n";
}
