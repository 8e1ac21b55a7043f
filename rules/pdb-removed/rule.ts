import {
  changeLocation,
  describeSubject,
  getIn,
  leafChanges,
  objectDiffs,
  pairLocation,
  releaseDiffs,
  show,
} from "../../src/engine/rule-kit.js";
import type { Rule, RuleReport } from "../../src/engine/types.js";

/** Values switches for a chart's PodDisruptionBudget, whatever the chart calls them. */
const PDB_SWITCH =
  /(^|\.)(podDisruptionBudget|pdb|PodDisruptionBudget|podDisruptionBudgets)\.(enabled|create)$/;

function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export const rule: Rule = {
  meta: {
    id: "pdb-removed",
    title: "PodDisruptionBudget removed",
    category: "availability",
    defaultSeverity: "medium",
    appliesTo: ["object", "release"],
    description:
      "A PodDisruptionBudget is deleted, or a chart's podDisruptionBudget/pdb switch goes from true to false or is removed.",
  },
  messages: {
    objectRemoved:
      "PodDisruptionBudget {{name}} ({{budget}}) is deleted: node drains, cluster upgrades and autoscaler scale-downs may now evict all of its pods at once.",
    valuesDisabled:
      "{{subject}}: {{path}} {{before}} -> {{after}}: the chart stops creating its PodDisruptionBudget; node drains and upgrades may evict every pod of it at once.",
    valuesRemoved:
      "{{subject}}: {{path}} {{before}} removed: the chart's default applies (often no PodDisruptionBudget); check the chart's values.yaml.",
  },
  remediation:
    "Keep a PodDisruptionBudget (minAvailable: 1 or maxUnavailable: 1) for every workload with more than one replica that serves traffic, or replace it in the same PR.",
  checklist: [
    "Are node drains or cluster upgrades planned soon, and could they take down every pod of this workload at once?",
    "Is there another PodDisruptionBudget selecting the same pods?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context, ["PodDisruptionBudget"])) {
      if (!base || head || base.identity.kind !== "PodDisruptionBudget") continue;
      const min = getIn(base.document.value, ["spec", "minAvailable"]);
      const max = getIn(base.document.value, ["spec", "maxUnavailable"]);
      const budget =
        min !== undefined
          ? `minAvailable ${show(min)}`
          : max !== undefined
            ? `maxUnavailable ${show(max)}`
            : "no budget";
      const { namespace, name } = base.identity;
      reports.push({
        messageId: "objectRemoved",
        data: { name: namespace ? `${namespace}/${name}` : name, budget },
        location: pairLocation(pair),
        subject: pair.id,
        evidence: { path: "spec", before: budget },
      });
    }

    for (const diff of releaseDiffs(context)) {
      const { pair, head } = diff;
      if (!head || !diff.base || pair.status === "unchanged") continue;
      for (const change of leafChanges(diff.changes)) {
        if (!PDB_SWITCH.test(change.path) || !isTrue(change.before) || isTrue(change.after)) continue;
        const removed = change.op === "removed";
        reports.push({
          messageId: removed ? "valuesRemoved" : "valuesDisabled",
          data: {
            subject: describeSubject(head),
            path: change.path,
            before: show(change.before),
            after: show(change.after),
          },
          severity: removed ? "low" : "medium",
          location: changeLocation(head, change),
          subject: pair.id,
          evidence: { path: change.path, before: change.before, after: change.after },
        });
      }
    }
    return reports;
  },
};
