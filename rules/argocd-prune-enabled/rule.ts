import { getIn, isRecord, isTrue, locationOf, objectDiffs, show } from "../../src/engine/rule-kit.js";
import { annotationOf } from "../../src/k8s/deletion.js";
import type { KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

const SYNC_OPTIONS = "argocd.argoproj.io/sync-options";
/** ApplicationSet policies that never delete generated Applications. */
const NON_DELETING_APPSET_POLICIES = new Set(["create-only", "create-update"]);

interface AutoSync {
  prune: boolean;
  selfHeal: boolean;
}

/** Path of the Application spec: the object's, or an ApplicationSet's template. */
function specPath(object: KubeObject): PathSegment[] {
  return object.identity.kind === "ApplicationSet" ? ["spec", "template", "spec"] : ["spec"];
}

function autoSync(object: KubeObject | null): AutoSync {
  const automated = object
    ? getIn(object.document.value, [...specPath(object), "syncPolicy", "automated"])
    : null;
  // `automated: {}` turns auto-sync on; Argo CD 3 adds `enabled: false` to turn it off without removing it.
  if (!isRecord(automated) || automated.enabled === false || automated.enabled === "false") {
    return { prune: false, selfHeal: false };
  }
  return { prune: isTrue(automated.prune), selfHeal: isTrue(automated.selfHeal) };
}

/** `Prune=false` / `Delete=false` items of the sync-options annotation. */
function protections(object: KubeObject | null): string[] {
  const value = annotationOf(object, SYNC_OPTIONS);
  if (!value) return [];
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item === "Prune=false" || item === "Delete=false");
}

function describe(object: KubeObject): string {
  const { kind, namespace, name } = object.identity;
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

function sourceOf(object: KubeObject): string {
  const spec = getIn(object.document.value, specPath(object));
  const source = isRecord(spec)
    ? isRecord(spec.source)
      ? spec.source
      : Array.isArray(spec.sources)
        ? spec.sources[0]
        : null
    : null;
  if (!isRecord(source)) return "its source";
  const where = source.path ?? source.chart ?? "";
  return `${show(source.repoURL)}${where ? ` ${show(where)}` : ""}`;
}

export const rule: Rule = {
  meta: {
    id: "argocd-prune-enabled",
    title: "Argo CD automated prune or self-heal turned on",
    category: "gitops",
    defaultSeverity: "medium",
    appliesTo: ["object"],
    description:
      "Argo CD automated prune or selfHeal is turned on, an ApplicationSet stops preserving resources, or Prune=false/Delete=false sync options are removed.",
  },
  messages: {
    pruneOn:
      "{{subject}} now syncs automatically with prune: whatever disappears from {{source}} (a deleted file, a wrong path or revision) is deleted from the cluster without anyone pressing Sync.",
    selfHealOn:
      "{{subject}} now self-heals: any change made in the cluster (an emergency scale-up, a hotfix with kubectl) is reverted to git within seconds.",
    preserveOff:
      "ApplicationSet {{name}}: syncPolicy.preserveResourcesOnDeletion {{before}} -> {{after}}: deleting the ApplicationSet, or a generator dropping an element, now deletes the generated Applications together with their resources.",
    appsetPolicy:
      "ApplicationSet {{name}}: syncPolicy.applicationsSync {{before}} -> {{after}}: the ApplicationSet may now delete generated Applications when a generator stops producing them.",
    protectionRemoved:
      "{{subject}}: {{option}} removed from argocd.argoproj.io/sync-options: Argo CD may now {{what}} this object when it leaves git or its Application is deleted.",
  },
  remediation:
    "Turn on automated prune/selfHeal only once the Application syncs cleanly with nothing left to prune (check the diff in the UI), and keep `Prune=false`/`Delete=false` on objects that hold data or identity (PVCs, Namespaces, CRDs, LoadBalancer Services).",
  checklist: [
    "Does the Application currently show resources that would be pruned (OutOfSync with 'requires pruning')?",
    "Are there manual changes in the cluster that self-heal would revert?",
    "Which objects lose their Prune=false/Delete=false protection, and do they hold data?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context)) {
      if (!base || !head || pair.status === "unchanged") continue;
      const argo = head.identity.group === "argoproj.io";
      if (argo && (head.identity.kind === "Application" || head.identity.kind === "ApplicationSet")) {
        const before = autoSync(base);
        const after = autoSync(head);
        const automated = [...specPath(head), "syncPolicy", "automated"];
        for (const field of ["prune", "selfHeal"] as const) {
          if (before[field] || !after[field]) continue;
          reports.push({
            messageId: field === "prune" ? "pruneOn" : "selfHealOn",
            data: { subject: describe(head), source: sourceOf(head) },
            location: locationOf(head, [...automated, field], "head"),
            subject: pair.id,
            evidence: { path: `${automated.join(".")}.${field}`, before: before[field], after: after[field] },
          });
        }
      }
      if (argo && head.identity.kind === "ApplicationSet") {
        const preservePath = ["spec", "syncPolicy", "preserveResourcesOnDeletion"];
        const before = getIn(base.document.value, preservePath);
        const after = getIn(head.document.value, preservePath);
        if (isTrue(before) && !isTrue(after)) {
          reports.push({
            messageId: "preserveOff",
            data: { name: head.identity.name, before: show(before), after: show(after) },
            location: locationOf(head, preservePath, "head"),
            subject: pair.id,
            evidence: { path: preservePath.join("."), before, after },
          });
        }
        const policyPath = ["spec", "syncPolicy", "applicationsSync"];
        const oldPolicy = getIn(base.document.value, policyPath);
        const newPolicy = getIn(head.document.value, policyPath);
        if (
          typeof oldPolicy === "string" &&
          NON_DELETING_APPSET_POLICIES.has(oldPolicy) &&
          !(typeof newPolicy === "string" && NON_DELETING_APPSET_POLICIES.has(newPolicy))
        ) {
          reports.push({
            messageId: "appsetPolicy",
            data: { name: head.identity.name, before: oldPolicy, after: show(newPolicy) },
            location: locationOf(head, policyPath, "head"),
            subject: pair.id,
            evidence: { path: policyPath.join("."), before: oldPolicy, after: newPolicy },
          });
        }
      }
      const kept = new Set(protections(head));
      for (const option of protections(base)) {
        if (kept.has(option)) continue;
        const annotationPath = ["metadata", "annotations", SYNC_OPTIONS];
        reports.push({
          messageId: "protectionRemoved",
          data: {
            subject: describe(head),
            option,
            what: option === "Prune=false" ? "prune" : "delete",
          },
          location: locationOf(
            head,
            annotationOf(head, SYNC_OPTIONS) ? annotationPath : ["metadata"],
            "head",
          ),
          subject: pair.id,
          evidence: { path: `metadata.annotations["${SYNC_OPTIONS}"]`, before: option },
        });
      }
    }
    return reports;
  },
};
