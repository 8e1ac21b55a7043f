import {
  describeSubject,
  getIn,
  identityChangeLocation,
  isRecord,
  releaseDiffs,
} from "../../src/engine/rule-kit.js";
import { valuesServicesOf } from "../../src/k8s/networking.js";
import type { HelmRelease, Rule, RuleReport } from "../../src/engine/types.js";

/** What in the old release's values makes a reinstall costly: named facts for the message. */
function statefulParts(release: HelmRelease): string[] {
  const parts: string[] = [];
  const values = release.values.value;
  const persistence = getIn(values, ["persistence"]);
  if (isRecord(persistence) && persistence.enabled === true) {
    const where = typeof persistence.path === "string" ? ` at ${persistence.path}` : "";
    parts.push(`persistence.enabled (a PVC${where})`);
  } else if (isRecord(persistence)) {
    // app-template style: persistence.<name>.{type,existingClaim,...}
    const claims = Object.entries(persistence)
      .filter(
        ([, item]) => isRecord(item) && (item.type === "persistentVolumeClaim" || "storageClass" in item),
      )
      .map(([name]) => name);
    if (claims.length > 0) parts.push(`PVC-backed persistence.${claims.join(", persistence.")}`);
  }
  for (const service of valuesServicesOf(release)) {
    if (service.enabled && service.type === "LoadBalancer")
      parts.push(`${service.name} (type LoadBalancer${service.defaulted ? ", chart default" : ""})`);
  }
  for (const key of ["installCRDs", "crds"]) {
    const crds = getIn(values, [key]);
    if (crds === true || (isRecord(crds) && (crds.enabled === true || crds.install === true)))
      parts.push(`${key} (CRDs installed by the release)`);
  }
  return parts;
}

export const rule: Rule = {
  meta: {
    id: "release-replaced",
    title: "Helm release reinstalled under a new identity",
    category: "availability",
    defaultSeverity: "high",
    appliesTo: ["release"],
    description:
      "A Helm release whose release name, namespace, targetNamespace or chart name changes: it is uninstalled and installed again, not upgraded.",
  },
  messages: {
    replaced:
      "{{old}} becomes {{new}} ({{reason}}). Helm cannot upgrade across release names, namespaces or charts: the old release is uninstalled and a new one installed. Everything the chart created is deleted and created again: Services (a LoadBalancer gets a new external IP), PVCs without `helm.sh/resource-policy: keep` (data deleted; kept ones are orphaned and the new release starts empty), ConfigMaps, Secrets, and CRDs shipped in templates/ with all their custom resources.",
    replacedStateful:
      "{{old}} becomes {{new}} ({{reason}}). Helm cannot upgrade across release names, namespaces or charts: the old release is uninstalled and a new one installed, so everything it created is deleted and created again. In these values that means: {{stateful}}. Expect a new external IP, empty volumes (or orphaned PVCs kept by `helm.sh/resource-policy: keep`) and, for CRDs, every custom resource of them deleted.",
    replacedArgo:
      "{{old}} becomes {{new}} ({{reason}}). Argo CD renders the chart under the new identity: objects named after the release are created anew and the old ones pruned (or left orphaned without prune). Services get new external IPs, PVCs named after the release start empty.",
  },
  remediation:
    "Keep the release identity: restore the old name and namespace (Flux `spec.releaseName`/`spec.targetNamespace`, Argo CD `helm.releaseName`, helmfile `name`/`namespace`) and make other changes in place; if the move is intended, plan it as a migration (pin the LoadBalancer IP, back up or pre-bind the PVCs, lower DNS TTLs) in its own PR.",
  checklist: [
    "Is a reinstall (delete + create) really intended, or only a rename that could keep the old release name?",
    "Which Services, PVCs and CRDs does the chart create, and what happens to their data, IPs and custom resources on uninstall?",
    "Are DNS records, firewall allow-lists and clients ready for a new LoadBalancer IP?",
    "Can the old and new releases run side by side during the cut-over (ports, IngressClass, leader election, ReadWriteOnce volumes)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of releaseDiffs(context)) {
      const { base, head, pair } = diff;
      if (pair.status !== "replaced" || !base || !head) continue;
      const stateful = statefulParts(base);
      const data = {
        old: describeSubject(base),
        new: describeSubject(head),
        reason: pair.replacementReason ?? "new identity",
      };
      const messageId =
        base.origin === "argocd" && head.origin === "argocd"
          ? "replacedArgo"
          : stateful.length > 0
            ? "replacedStateful"
            : "replaced";
      reports.push({
        messageId,
        data: messageId === "replacedStateful" ? { ...data, stateful: stateful.join("; ") } : data,
        location: identityChangeLocation(context, pair),
        subject: pair.id,
        evidence: {
          path: "release",
          before: `${base.namespace}/${base.releaseName} (chart ${base.chart.name ?? "?"})`,
          after: `${head.namespace}/${head.releaseName} (chart ${head.chart.name ?? "?"})`,
        },
      });
    }
    return reports;
  },
};
