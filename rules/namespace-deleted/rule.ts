import { getIn, objectDiffs, pairLocation, replacementLocation } from "../../src/engine/rule-kit.js";
import { deletionProtection } from "../../src/k8s/deletion.js";
import type { KubeObject, ReviewContext, Rule, RuleReport } from "../../src/engine/types.js";
import type { Side } from "../../src/source/change-set.js";

/**
 * The name a Namespace object really gets: Kustomize's `namespace:` in a kustomization.yaml beside
 * the file renames Namespace objects too (repos write `name: _` and let Kustomize fill it in).
 */
function effectiveName(context: ReviewContext, object: KubeObject, side: Side): string {
  const file = object.document.file;
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  for (const name of ["kustomization.yaml", "kustomization.yml"]) {
    const path = dir ? `${dir}/${name}` : name;
    const parsed = context.files.find((f) => f.file === path && f.side === side);
    const namespace = getIn(parsed?.documents[0]?.value, ["namespace"]);
    if (typeof namespace === "string" && namespace) return namespace;
  }
  return object.identity.name;
}

export const rule: Rule = {
  meta: {
    id: "namespace-deleted",
    title: "Namespace deleted or renamed",
    category: "data-loss",
    defaultSeverity: "critical",
    appliesTo: ["object"],
    description:
      "A Namespace object is removed from git or replaced by another name: Kubernetes deletes everything inside it.",
  },
  messages: {
    removed:
      "Namespace {{name}} is removed from git: once the GitOps tool prunes it, Kubernetes deletes everything inside it — workloads, Services and their LoadBalancer IPs, PersistentVolumeClaims with their data, Secrets and custom resources, including objects that were never in git.",
    replaced:
      "Namespace {{name}} is removed and {{newName}} is added in its place: the old namespace is deleted with everything inside it (PersistentVolumeClaims and their data, Secrets, LoadBalancer IPs, objects never in git); workloads moved to {{newName}} start with empty volumes.",
    removedProtected:
      "Namespace {{name}} is removed from git, but {{protection}} keeps it in the cluster: it stays behind, unmanaged, with whatever still runs or is stored in it.",
    replacedProtected:
      "Namespace {{name}} is renamed to {{newName}}; {{protection}} keeps the old namespace in the cluster, left behind with whatever is still in it (PersistentVolumeClaims, Secrets) — nothing moves by itself.",
  },
  remediation:
    "Move workloads and data out first (or keep the Namespace manifest and add `kustomize.toolkit.fluxcd.io/prune: disabled` / `argocd.argoproj.io/sync-options: Delete=false`), then delete the namespace in a separate, deliberate change.",
  checklist: [
    "What lives in this namespace that is not in git (PVCs with data, Secrets created by operators, certificates, LoadBalancer Services)?",
    "Is the data backed up and restorable into the new namespace before the old one goes?",
    "Will the GitOps tool prune the Namespace object (Flux `prune: true`, Argo CD automated prune)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of objectDiffs(context, ["Namespace"])) {
      const { pair, base, head } = diff;
      if (!base || base.identity.kind !== "Namespace") continue;
      const name = effectiveName(context, base, "base");
      const protection = deletionProtection(base);
      if (!head) {
        reports.push({
          messageId: protection ? "removedProtected" : "removed",
          data: { name, ...(protection ? { protection } : {}) },
          severity: protection ? "medium" : "critical",
          location: pairLocation(pair),
          subject: pair.id,
          evidence: { path: "metadata.name", before: name },
        });
        continue;
      }
      if (head.identity.kind !== "Namespace") continue;
      const newName = effectiveName(context, head, "head");
      if (newName === name) continue;
      reports.push({
        messageId: protection ? "replacedProtected" : "replaced",
        data: { name, newName, ...(protection ? { protection } : {}) },
        severity: protection ? "low" : "critical",
        location: replacementLocation(context, pair),
        subject: pair.id,
        evidence: { path: "metadata.name", before: name, after: newName },
      });
    }
    return reports;
  },
};
