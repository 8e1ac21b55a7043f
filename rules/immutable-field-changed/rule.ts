import { isDeepStrictEqual } from "node:util";
import {
  changeLocation,
  changesUnder,
  describeSubject,
  formatValuePath,
  getIn,
  leafChanges,
  locationOf,
  objectDiffs,
  ownValue,
  releaseDiffs,
  show,
} from "../../src/engine/rule-kit.js";
import { annotationOf } from "../../src/k8s/deletion.js";
import type { KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

/** Fields the API server refuses to change after creation, by kind. */
const IMMUTABLE: Record<string, readonly PathSegment[][]> = {
  StatefulSet: [
    ["spec", "volumeClaimTemplates"],
    ["spec", "selector"],
    ["spec", "serviceName"],
    ["spec", "podManagementPolicy"],
  ],
  Deployment: [["spec", "selector"]],
  DaemonSet: [["spec", "selector"]],
  ReplicaSet: [["spec", "selector"]],
  Job: [
    ["spec", "selector"],
    ["spec", "template"],
  ],
  Service: [
    ["spec", "clusterIP"],
    ["spec", "clusterIPs", 0],
    ["spec", "ipFamilies", 0],
  ],
};

/** A GitOps tool told to delete and re-create objects it cannot patch (Flux force, Argo CD Replace/Force). */
function forcedReplace(object: KubeObject): string | null {
  if (annotationOf(object, "kustomize.toolkit.fluxcd.io/force") === "enabled")
    return "kustomize.toolkit.fluxcd.io/force: enabled";
  const argo = annotationOf(object, "argocd.argoproj.io/sync-options");
  if (argo && /(^|,)\s*(Replace|Force)=true/.test(argo)) return `argocd.argoproj.io/sync-options: ${argo}`;
  return null;
}

/** Jobs that Helm or Argo CD run as hooks are re-created on every run, so their template may change. */
function isHook(object: KubeObject): boolean {
  return (
    annotationOf(object, "helm.sh/hook") !== null || annotationOf(object, "argocd.argoproj.io/hook") !== null
  );
}

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export const rule: Rule = {
  meta: {
    id: "immutable-field-changed",
    title: "Immutable field changed",
    category: "availability",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "A field Kubernetes cannot change in place is edited (StatefulSet volumeClaimTemplates/selector/serviceName/podManagementPolicy, workload selectors, Job template, Service clusterIP/ipFamilies).",
  },
  messages: {
    rejected:
      "{{subject}}: {{field}} changes ({{before}} -> {{after}}), and Kubernetes cannot change it in place: the apply fails with 'field is immutable', the GitOps sync stays failed and every later change in it is blocked until the object is deleted and re-created.",
    recreated:
      "{{subject}}: {{field}} changes ({{before}} -> {{after}}); it is immutable, and {{force}} makes the GitOps tool delete and re-create the object: its pods restart{{serviceNote}}.",
    valuesVolumeClaimTemplates:
      "{{subject}}: {{path}} changes on an existing StatefulSet: Kubernetes rejects any change to volumeClaimTemplates, so the Helm upgrade fails until the StatefulSet is deleted (with --cascade=orphan to keep pods and PVCs) and re-created.",
    valuesClusterIP:
      "{{subject}}: {{path}} {{before}} -> {{after}}: a Service's clusterIP cannot change, so the Helm upgrade fails with 'field is immutable'.",
    valuesNameOverride:
      "{{subject}}: {{path}} {{before}} -> {{after}}: most charts put the name in their selector labels, which Deployments, StatefulSets and DaemonSets cannot change: the upgrade fails with 'field is immutable' (and object names may change too).",
  },
  remediation:
    "Recreate on purpose: delete the object (StatefulSet with `kubectl delete sts <name> --cascade=orphan` to keep pods and PVCs) in a planned window, or give the new version a new name, instead of editing the immutable field in place.",
  checklist: [
    "Is the edit needed, or can the old value stay (e.g. keep the selector and change only template labels)?",
    "Who deletes and re-creates the object, when, and what is down meanwhile?",
    "For a Service: is its IP referenced anywhere (DNS records, firewall rules, other clusters)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of objectDiffs(context, Object.keys(IMMUTABLE))) {
      const { pair, base, head } = diff;
      if (!base || !head || pair.status !== "modified") continue;
      const kind = head.identity.kind;
      if (base.identity.kind !== kind || (kind === "Job" && isHook(head))) continue;
      for (const path of IMMUTABLE[kind] ?? []) {
        const before = getIn(base.document.value, path);
        const after = getIn(head.document.value, path);
        if (isDeepStrictEqual(before, after)) continue;
        // Dropping clusterIP from the manifest keeps the allocated one; only a new value conflicts.
        if (kind === "Service" && (after === undefined || after === "")) continue;
        const force = forcedReplace(head);
        // Name the innermost change (`...requests.storage 10Gi -> 50Gi`) rather than the whole field.
        const inner =
          changesUnder(diff, formatValuePath(path)).find((change) => change.op === "changed") ?? null;
        const text = (value: unknown) => truncate(show(value), 120);
        reports.push({
          messageId: force ? "recreated" : "rejected",
          data: {
            subject: describeSubject(head),
            field: inner?.path ?? formatValuePath(path),
            before: text(inner ? inner.before : before),
            after: text(inner ? inner.after : after),
            ...(force
              ? {
                  force,
                  serviceNote:
                    kind === "Service"
                      ? " and the Service gets a new IP (a LoadBalancer also loses its external IP)"
                      : "",
                }
              : {}),
          },
          severity: force && kind === "Job" ? "medium" : "high",
          location: locationOf(head, inner?.headPath ?? path, "head"),
          subject: pair.id,
          evidence: { path: formatValuePath(path), before, after },
        });
        break; // one finding per object: the first immutable field is enough to fail the apply
      }
    }

    for (const diff of releaseDiffs(context)) {
      const { pair, base, head } = diff;
      if (!base || !head || pair.status !== "modified") continue;
      const baseValues = ownValue(base);
      const headValues = ownValue(head);
      const reported = new Set<string>();
      for (const change of leafChanges(diff.changes)) {
        const real = change.headPath ?? change.basePath ?? [];
        const vct = real.indexOf("volumeClaimTemplates");
        if (vct >= 0) {
          // Only an existing StatefulSet's templates: adding them (deployment -> statefulset) makes a new object.
          const prefix = real.slice(0, vct + 1);
          const key = prefix.join(".");
          if (
            reported.has(key) ||
            getIn(baseValues, prefix) === undefined ||
            getIn(headValues, prefix) === undefined
          )
            continue;
          reported.add(key);
          reports.push({
            messageId: "valuesVolumeClaimTemplates",
            data: { subject: describeSubject(head), path: key },
            location: locationOf(head, change.headPath ?? prefix, "head"),
            subject: pair.id,
            evidence: { path: key, before: getIn(baseValues, prefix), after: getIn(headValues, prefix) },
          });
          continue;
        }
        const last = change.path.split(".").pop();
        const hasBoth = change.op === "changed" && change.before !== "" && change.after !== "";
        if (
          last === "clusterIP" &&
          hasBoth &&
          typeof change.before === "string" &&
          typeof change.after === "string"
        ) {
          reports.push({
            messageId: "valuesClusterIP",
            data: {
              subject: describeSubject(head),
              path: change.path,
              before: change.before,
              after: change.after,
            },
            location: changeLocation(head, change),
            subject: pair.id,
            evidence: { path: change.path, before: change.before, after: change.after },
          });
        }
        if (change.path === "nameOverride" && (hasBoth || change.op !== "changed")) {
          reports.push({
            messageId: "valuesNameOverride",
            data: {
              subject: describeSubject(head),
              path: change.path,
              before: show(change.before),
              after: show(change.after),
            },
            severity: "medium",
            location: changeLocation(head, change),
            subject: pair.id,
            evidence: { path: change.path, before: change.before, after: change.after },
          });
        }
      }
    }
    return reports;
  },
};
