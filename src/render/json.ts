/**
 * The CLI's `--format json`: a stable contract that scripts rely on (docs/json-output.md).
 * Fields are only ever added; secret-looking values are masked like in every other rendering.
 */
import type { Report } from "../engine/report.js";
import type { Subject } from "../model/types.js";
import { isKubernetesSecret, maskValue } from "../k8s/secrets.js";

export const JSON_FORMAT_VERSION = 1;

function describe(subject: Subject | null) {
  if (!subject) return null;
  if (subject.type === "object") {
    return {
      type: "object",
      apiVersion: subject.apiVersion,
      kind: subject.identity.kind,
      namespace: subject.identity.namespace,
      name: subject.identity.name,
      file: subject.document.file,
      line: subject.document.line,
    };
  }
  return {
    type: "release",
    origin: subject.origin,
    namespace: subject.namespace,
    releaseName: subject.releaseName,
    chart: {
      name: subject.chart.name,
      version: subject.chart.version,
      source: subject.chart.source,
    },
    valueSources: subject.valueSources,
    file: subject.location.file,
    line: subject.location.line,
  };
}

export function renderJson(report: Report): string {
  const { redact, verdict } = report;
  const subjects = report.subjects.map(({ pair, changes }) => {
    const inSecret = isKubernetesSecret(pair.base) || isKubernetesSecret(pair.head);
    return {
      id: pair.id,
      status: pair.status,
      ...(pair.replacementReason ? { replacementReason: pair.replacementReason } : {}),
      base: describe(pair.base),
      head: describe(pair.head),
      changes: changes.map((change) => ({
        path: change.path,
        op: change.op,
        ...(change.before !== undefined
          ? { before: maskValue(change.before, change.basePath ?? change.path, inSecret) }
          : {}),
        ...(change.after !== undefined
          ? { after: maskValue(change.after, change.headPath ?? change.path, inSecret) }
          : {}),
        base: change.basePath ? change.base : null,
        head: change.headPath ? change.head : null,
      })),
    };
  });
  const findings = report.findings.map((finding) => ({
    ruleId: finding.ruleId,
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    path: finding.location.path,
    line: finding.location.line,
    side: finding.location.side,
    subject: finding.subject,
    evidence: finding.evidence
      ? {
          ...finding.evidence,
          before: maskValue(finding.evidence.before, finding.evidence.path ?? []),
          after: maskValue(finding.evidence.after, finding.evidence.path ?? []),
        }
      : null,
    checklist: finding.checklist,
    remediation: finding.remediation,
    fingerprint: finding.fingerprint,
    ...(finding.engineSeverity
      ? { engineSeverity: finding.engineSeverity, adjustment: finding.adjustment }
      : {}),
  }));
  const document = {
    version: JSON_FORMAT_VERSION,
    verdict: { conclusion: verdict.conclusion, title: verdict.title, gateSeverity: report.gateSeverity },
    summary: {
      files: report.files.length,
      subjects: subjects.filter((s) => s.status !== "unchanged").length,
      findings: Object.fromEntries(
        (["critical", "high", "medium", "low", "info"] as const).map((s) => [
          s,
          report.findings.filter((f) => f.severity === s).length,
        ]),
      ),
    },
    files: report.files,
    subjects,
    findings,
    problems: report.problems,
    notes: report.notes,
  };
  // Redact string by string: a pass over the whole text could break the JSON syntax.
  return JSON.stringify(
    document,
    (_key, value: unknown) => {
      if (typeof value === "bigint") return value.toString();
      return typeof value === "string" ? redact(value) : value;
    },
    2,
  );
}
