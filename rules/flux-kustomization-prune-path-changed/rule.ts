import { isDeepStrictEqual } from "node:util";
import { getIn, isTrue, locationOf, objectDiffs, pairLocation, show } from "../../src/engine/rule-kit.js";
import type { KubeObject, Rule, RuleReport } from "../../src/engine/types.js";

const GROUP = "kustomize.toolkit.fluxcd.io";
/** Fields that decide which objects a Kustomization owns: changing them moves or drops its inventory. */
const SCOPE_FIELDS = ["path", "sourceRef", "targetNamespace"] as const;

function spec(object: KubeObject, field: string): unknown {
  return getIn(object.document.value, ["spec", field]);
}

function prunes(object: KubeObject): boolean {
  return isTrue(spec(object, "prune"));
}

/**
 * Whether deleting the Kustomization garbage-collects what it applied: `deletionPolicy` MirrorPrune
 * (the default) follows `prune`; Delete and WaitForTermination always delete; Orphan never does.
 */
function deletesOnRemoval(object: KubeObject): boolean {
  const policy = spec(object, "deletionPolicy");
  if (policy === "Orphan") return false;
  if (policy === "Delete" || policy === "WaitForTermination") return true;
  return prunes(object);
}

function name(object: KubeObject): string {
  const { namespace, name: own } = object.identity;
  return namespace ? `${namespace}/${own}` : own;
}

function sourceText(value: unknown): string {
  const kind = getIn(value, ["kind"]);
  const ref = getIn(value, ["name"]);
  const namespace = getIn(value, ["namespace"]);
  if (typeof ref !== "string") return show(value);
  return `${typeof kind === "string" ? `${kind}/` : ""}${typeof namespace === "string" ? `${namespace}/` : ""}${ref}`;
}

/** A scope field as Flux reads it: a sourceRef without a namespace means the Kustomization's own. */
function scopeValue(object: KubeObject, field: (typeof SCOPE_FIELDS)[number]): unknown {
  const value = spec(object, field);
  if (field !== "sourceRef" || typeof value !== "object" || value === null) return value;
  const ref = value as Record<string, unknown>;
  return { ...ref, namespace: ref.namespace ?? object.identity.namespace ?? undefined };
}

function fieldText(field: string, value: unknown): string {
  return field === "sourceRef" ? sourceText(value) : show(value);
}

export const rule: Rule = {
  meta: {
    id: "flux-kustomization-prune-path-changed",
    title: "Flux Kustomization with prune moved or deleted",
    category: "gitops",
    defaultSeverity: "high",
    appliesTo: ["object"],
    description:
      "A Flux Kustomization with prune enabled changes path, sourceRef or targetNamespace, is deleted or renamed, or gets prune turned on.",
  },
  messages: {
    deleted:
      "Flux Kustomization {{name}} ({{policy}}, path {{path}}) is deleted: Flux garbage-collects everything it applied — HelmReleases are uninstalled, Namespaces, PVCs and Services deleted.",
    deletedWithManifests:
      "Flux Kustomization {{name}} ({{policy}}) is deleted together with the {{count}} file(s) under {{path}}: Flux garbage-collects everything it applied, PersistentVolumeClaims and their data included — check nothing in it must be kept.",
    replaced:
      "Flux Kustomization {{name}} ({{policy}}, path {{path}}) is replaced by {{newName}}{{changes}}: deleting the old one garbage-collects everything it applied unless the new one has already taken the objects over; expect delete-then-recreate, with downtime and empty volumes.",
    scopeChanged:
      "Flux Kustomization {{name}} (prune: true) changes {{changes}}: objects it applied that are not produced the same way by the new scope are deleted{{namespaceNote}}.",
    pruneOn:
      "Flux Kustomization {{name}}: prune {{before}} -> true: from now on, every object removed from {{path}} (or left out by a path or source change) is deleted from the cluster.",
  },
  remediation:
    "Move or rename in two steps: first set `prune: false` (or `deletionPolicy: Orphan`) and let it reconcile, then change path/source/namespace or delete the Kustomization, and re-enable prune once `flux diff kustomization` shows nothing unexpected.",
  checklist: [
    "Which objects does this Kustomization own today (`flux tree kustomization <name>`), and which of them hold data?",
    "Does the new path/source/namespace produce the same objects, under the same names and namespaces?",
    "For a targetNamespace change: how is the data of PVCs in the old namespace moved?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context, ["Kustomization"])) {
      if (!base || base.identity.group !== GROUP || base.identity.kind !== "Kustomization") continue;
      if (head && (head.identity.group !== GROUP || head.identity.kind !== "Kustomization")) continue;
      const path = show(spec(base, "path"));
      const policyValue = spec(base, "deletionPolicy");
      const policy =
        typeof policyValue === "string"
          ? `prune: ${show(spec(base, "prune"))}, deletionPolicy: ${policyValue}`
          : "prune: true";

      if (!head) {
        if (!deletesOnRemoval(base)) continue;
        // Deleting the manifests under the path in the same PR says the removal is intended: what is
        // left to check is the data that goes with it. A path that stays in git would be pruned by surprise.
        const dir = String(spec(base, "path") ?? "")
          .replace(/^\.\//, "")
          .replace(/\/$/, "");
        const under = context.changeSet.files.filter(
          (file) => dir && (file.previousPath ?? file.path).startsWith(`${dir}/`),
        );
        const intended = under.length > 0 && under.every((file) => file.status === "removed");
        reports.push({
          messageId: intended ? "deletedWithManifests" : "deleted",
          data: { name: name(base), policy, path, ...(intended ? { count: under.length } : {}) },
          severity: intended ? "medium" : "high",
          location: pairLocation(pair),
          subject: pair.id,
          evidence: { path: "spec.prune", before: spec(base, "prune") },
        });
        continue;
      }

      const changed = SCOPE_FIELDS.filter(
        (field) => !isDeepStrictEqual(scopeValue(base, field), scopeValue(head, field)),
      );
      const changes = changed
        .map(
          (field) =>
            `spec.${field} ${fieldText(field, spec(base, field))} -> ${fieldText(field, spec(head, field))}`,
        )
        .join("; ");
      const first = changed[0];
      const location = locationOf(head, first ? ["spec", first] : [], "head");

      if (pair.status === "replaced" && name(base) !== name(head)) {
        if (!deletesOnRemoval(base)) continue;
        reports.push({
          messageId: "replaced",
          data: {
            name: name(base),
            newName: name(head),
            policy,
            path,
            changes: changes ? ` (${changes})` : "",
          },
          location,
          subject: pair.id,
          evidence: { path: "metadata.name", before: name(base), after: name(head) },
        });
        continue;
      }

      if (prunes(base) && prunes(head) && first) {
        reports.push({
          messageId: "scopeChanged",
          data: {
            name: name(head),
            changes,
            namespaceNote: changed.includes("targetNamespace")
              ? "; every namespaced object is re-created in the new namespace and deleted from the old one, and PVC data does not follow"
              : "",
          },
          location,
          subject: pair.id,
          evidence: { path: `spec.${first}`, before: spec(base, first), after: spec(head, first) },
        });
      }
      if (!prunes(base) && prunes(head)) {
        reports.push({
          messageId: "pruneOn",
          data: { name: name(head), before: show(spec(base, "prune")), path: show(spec(head, "path")) },
          severity: "medium",
          location: locationOf(head, ["spec", "prune"], "head"),
          subject: pair.id,
          evidence: { path: "spec.prune", before: spec(base, "prune"), after: spec(head, "prune") },
        });
      }
    }
    return reports;
  },
};
