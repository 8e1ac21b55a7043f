import {
  changeLocation,
  describeSubject,
  getIn,
  leafChanges,
  locationOf,
  objectDiffs,
  releaseDiffs,
  show,
} from "../../src/engine/rule-kit.js";
import type { Rule, RuleReport } from "../../src/engine/types.js";

/** Values keys that set a replica count, whatever the chart calls them (`replicaCount`, `deployment.replicas`). */
const REPLICAS_KEY = /(^|\.)(replicas|replicaCount)$/;

function count(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value);
  return null;
}

export const rule: Rule = {
  meta: {
    id: "replicas-scaled-to-zero",
    title: "Replicas scaled to zero or removed",
    category: "availability",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "A workload's replicas (or a chart's replicas/replicaCount value) go to 0, or an explicit count above one is removed so a default applies.",
  },
  messages: {
    objectZero:
      "{{subject}}: spec.replicas {{before}} -> 0: every pod is stopped on merge and whatever it serves is down until someone scales it back.",
    objectRemoved:
      "{{subject}}: spec.replicas {{before}} removed: unless an autoscaler owns the count, the API server defaults it to 1 and the workload loses its redundancy.",
    valuesZero:
      "{{subject}}: {{path}} {{before}} -> 0: the chart scales this component to zero pods; whatever it serves is down.",
    valuesRemoved:
      "{{subject}}: {{path}} {{before}} removed: the chart's default applies (often 1), so this component likely loses its redundancy; check the chart's values.yaml.",
  },
  remediation:
    "Keep an explicit replica count (at least 2 for anything that serves traffic) or hand the count to an autoscaler; to stop a workload on purpose, say so in the PR and check what depends on it.",
  checklist: [
    "Is stopping this workload (or dropping to the chart default) intended, and who depends on it?",
    "Does an HPA/KEDA ScaledObject own the replica count, making the removal harmless?",
    "What is the chart's default for the removed value?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context)) {
      if (!base || !head || pair.status === "unchanged") continue;
      const before = count(getIn(base.document.value, ["spec", "replicas"]));
      const raw = getIn(head.document.value, ["spec", "replicas"]);
      const after = count(raw);
      if (before === null || before === 0) continue;
      if (after === 0) {
        reports.push({
          messageId: "objectZero",
          data: { subject: describeSubject(head), before },
          location: locationOf(head, ["spec", "replicas"], "head"),
          subject: pair.id,
          evidence: { path: "spec.replicas", before, after: 0 },
        });
      } else if (raw === undefined && before > 1) {
        reports.push({
          messageId: "objectRemoved",
          data: { subject: describeSubject(head), before },
          severity: "low",
          location: locationOf(head, ["spec"], "head"),
          subject: pair.id,
          evidence: { path: "spec.replicas", before },
        });
      }
    }

    for (const diff of releaseDiffs(context)) {
      const { pair, head } = diff;
      if (!head || !diff.base || pair.status === "unchanged") continue;
      for (const change of leafChanges(diff.changes)) {
        if (!REPLICAS_KEY.test(change.path)) continue;
        const before = count(change.before);
        const after = count(change.after);
        if (after === 0 && before !== 0) {
          reports.push({
            messageId: "valuesZero",
            data: { subject: describeSubject(head), path: change.path, before: show(change.before) },
            location: changeLocation(head, change),
            subject: pair.id,
            evidence: { path: change.path, before: change.before, after: change.after },
          });
        } else if (change.op === "removed" && before !== null && before > 1) {
          reports.push({
            messageId: "valuesRemoved",
            data: { subject: describeSubject(head), path: change.path, before },
            severity: "low",
            location: changeLocation(head, change),
            subject: pair.id,
            evidence: { path: change.path, before: change.before },
          });
        }
      }
    }
    return reports;
  },
};
