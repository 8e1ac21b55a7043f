import { locationOf, objectDiffs } from "../../src/engine/rule-kit.js";
import type { Rule, RuleReport, Severity } from "../../src/engine/types.js";

interface Removal {
  apiVersion: string;
  /** Kinds served by the removed version that this entry covers; empty = every kind of it. */
  kinds: readonly string[];
  removedIn: string;
  replacement: string;
  severity: Severity;
}

function k8s(apiVersion: string, kinds: string[], version: string, replacement: string): Removal {
  return { apiVersion, kinds, removedIn: `Kubernetes ${version}`, replacement, severity: "high" };
}

function flux(apiVersion: string, version: string, replacement: string): Removal {
  // Flux API removals only bite when Flux itself is upgraded past that version (the bot cannot see which
  // Flux runs), and `flux migrate` fixes them all at once: a maintenance note, not an outage.
  return { apiVersion, kinds: [], removedIn: `Flux ${version}`, replacement, severity: "low" };
}

/**
 * Removed API versions, from the Kubernetes "Deprecated API Migration Guide" and the Flux release
 * notes (v2.7 removed the v1beta1/v2beta1 APIs; v2.8 the source/kustomize v1beta2 and helm v2beta2 ones).
 */
const REMOVALS: readonly Removal[] = [
  k8s("extensions/v1beta1", ["Deployment", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1"),
  k8s("extensions/v1beta1", ["NetworkPolicy"], "1.16", "networking.k8s.io/v1"),
  k8s(
    "extensions/v1beta1",
    ["PodSecurityPolicy"],
    "1.16",
    "nothing (PodSecurityPolicy is gone since 1.25; use Pod Security admission)",
  ),
  k8s("extensions/v1beta1", ["Ingress"], "1.22", "networking.k8s.io/v1"),
  k8s("apps/v1beta1", ["Deployment", "StatefulSet", "ReplicaSet"], "1.16", "apps/v1"),
  k8s("apps/v1beta2", ["Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"], "1.16", "apps/v1"),
  k8s("networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], "1.22", "networking.k8s.io/v1"),
  k8s("apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"], "1.22", "apiextensions.k8s.io/v1"),
  k8s("apiregistration.k8s.io/v1beta1", ["APIService"], "1.22", "apiregistration.k8s.io/v1"),
  k8s(
    "admissionregistration.k8s.io/v1beta1",
    ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    "1.22",
    "admissionregistration.k8s.io/v1",
  ),
  k8s(
    "rbac.authorization.k8s.io/v1beta1",
    ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    "1.22",
    "rbac.authorization.k8s.io/v1",
  ),
  k8s("scheduling.k8s.io/v1beta1", ["PriorityClass"], "1.22", "scheduling.k8s.io/v1"),
  k8s(
    "storage.k8s.io/v1beta1",
    ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    "1.22",
    "storage.k8s.io/v1",
  ),
  k8s("certificates.k8s.io/v1beta1", ["CertificateSigningRequest"], "1.22", "certificates.k8s.io/v1"),
  k8s("coordination.k8s.io/v1beta1", ["Lease"], "1.22", "coordination.k8s.io/v1"),
  k8s("batch/v1beta1", ["CronJob"], "1.25", "batch/v1"),
  k8s("discovery.k8s.io/v1beta1", ["EndpointSlice"], "1.25", "discovery.k8s.io/v1"),
  k8s("events.k8s.io/v1beta1", ["Event"], "1.25", "events.k8s.io/v1"),
  k8s("autoscaling/v2beta1", ["HorizontalPodAutoscaler"], "1.25", "autoscaling/v2"),
  k8s("policy/v1beta1", ["PodDisruptionBudget"], "1.25", "policy/v1"),
  k8s(
    "policy/v1beta1",
    ["PodSecurityPolicy"],
    "1.25",
    "nothing: use Pod Security admission (namespace labels)",
  ),
  k8s("node.k8s.io/v1beta1", ["RuntimeClass"], "1.25", "node.k8s.io/v1"),
  k8s("autoscaling/v2beta2", ["HorizontalPodAutoscaler"], "1.26", "autoscaling/v2"),
  k8s(
    "flowcontrol.apiserver.k8s.io/v1beta1",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.26",
    "flowcontrol.apiserver.k8s.io/v1",
  ),
  k8s("storage.k8s.io/v1beta1", ["CSIStorageCapacity"], "1.27", "storage.k8s.io/v1"),
  k8s(
    "flowcontrol.apiserver.k8s.io/v1beta2",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.29",
    "flowcontrol.apiserver.k8s.io/v1",
  ),
  k8s(
    "flowcontrol.apiserver.k8s.io/v1beta3",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.32",
    "flowcontrol.apiserver.k8s.io/v1",
  ),
  flux("helm.toolkit.fluxcd.io/v2beta1", "2.7", "helm.toolkit.fluxcd.io/v2"),
  flux("source.toolkit.fluxcd.io/v1beta1", "2.7", "source.toolkit.fluxcd.io/v1"),
  flux("kustomize.toolkit.fluxcd.io/v1beta1", "2.7", "kustomize.toolkit.fluxcd.io/v1"),
  flux(
    "notification.toolkit.fluxcd.io/v1beta1",
    "2.7",
    "notification.toolkit.fluxcd.io/v1 (Receiver) or v1beta3 (Alert, Provider)",
  ),
  flux("image.toolkit.fluxcd.io/v1beta1", "2.7", "image.toolkit.fluxcd.io/v1"),
  flux("helm.toolkit.fluxcd.io/v2beta2", "2.8", "helm.toolkit.fluxcd.io/v2"),
  flux("source.toolkit.fluxcd.io/v1beta2", "2.8", "source.toolkit.fluxcd.io/v1"),
  flux("kustomize.toolkit.fluxcd.io/v1beta2", "2.8", "kustomize.toolkit.fluxcd.io/v1"),
];

function removalOf(apiVersion: string, kind: string): Removal | null {
  return (
    REMOVALS.find((r) => r.apiVersion === apiVersion && (r.kinds.length === 0 || r.kinds.includes(kind))) ??
    null
  );
}

export const rule: Rule = {
  meta: {
    id: "deprecated-api-version",
    title: "Removed API version",
    category: "maintenance",
    defaultSeverity: "high",
    appliesTo: ["object"],
    description:
      "A manifest the change adds or edits uses an API version that Kubernetes or Flux no longer serves.",
  },
  messages: {
    removed:
      "{{object}} uses {{apiVersion}}, which {{removedIn}} no longer serves: on a cluster at or past that version the apply fails ('no matches for kind {{kind}} in version {{apiVersion}}') and the whole sync stops. Use {{replacement}}.",
  },
  remediation:
    "Change apiVersion to the replacement and adjust the fields that changed (see the Kubernetes Deprecated API Migration Guide, or `flux migrate` for Flux APIs), then check with `kubectl apply --dry-run=server`.",
  checklist: [
    "Which Kubernetes and Flux versions run in every cluster this manifest reaches?",
    "Does the replacement API need field changes (Ingress backend, HPA metrics, PDB selector semantics)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, head } of objectDiffs(context)) {
      // Added, edited or replaced on head; an untouched manifest is not this change's doing.
      if (!head || pair.status === "unchanged") continue;
      const removal = removalOf(head.apiVersion, head.identity.kind);
      if (!removal) continue;
      const { kind, namespace, name } = head.identity;
      reports.push({
        messageId: "removed",
        data: {
          object: namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`,
          apiVersion: head.apiVersion,
          kind,
          removedIn: removal.removedIn,
          replacement: removal.replacement,
        },
        severity: removal.severity,
        location: locationOf(head, ["apiVersion"], "head"),
        subject: pair.id,
        evidence: { path: "apiVersion", after: head.apiVersion },
      });
    }
    return reports;
  },
};
