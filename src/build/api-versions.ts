/**
 * What `helm template` is told about the cluster. Offline, Helm only knows `group/version` entries,
 * never `group/version/Kind`, so charts that test `.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"`
 * silently pick an old API (Traefik 41 writes policy/v1beta1) or refuse to render (Traefik 10.x with
 * `ingressClass.enabled`). A real cluster reports both forms; we pass the kind-level entries of a
 * recent Kubernetes, plus the CRD kinds the caller found in the repository.
 */

/** The Kubernetes version rendered against unless the caller says otherwise. */
export const DEFAULT_KUBE_VERSION = "1.35.0";

/** Built-in kinds served by default by Kubernetes 1.35 (GA APIs), as `group/version/Kind`. */
const BUILT_IN: Record<string, string[]> = {
  v1: [
    "Binding",
    "ComponentStatus",
    "ConfigMap",
    "Endpoints",
    "Event",
    "LimitRange",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "ResourceQuota",
    "Secret",
    "Service",
    "ServiceAccount",
  ],
  "admissionregistration.k8s.io/v1": [
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
  ],
  "apiextensions.k8s.io/v1": ["CustomResourceDefinition"],
  "apiregistration.k8s.io/v1": ["APIService"],
  "apps/v1": ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
  "authentication.k8s.io/v1": ["SelfSubjectReview", "TokenReview"],
  "authorization.k8s.io/v1": [
    "LocalSubjectAccessReview",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "SubjectAccessReview",
  ],
  "autoscaling/v1": ["HorizontalPodAutoscaler"],
  "autoscaling/v2": ["HorizontalPodAutoscaler"],
  "batch/v1": ["CronJob", "Job"],
  "certificates.k8s.io/v1": ["CertificateSigningRequest"],
  "coordination.k8s.io/v1": ["Lease"],
  "discovery.k8s.io/v1": ["EndpointSlice"],
  "events.k8s.io/v1": ["Event"],
  "flowcontrol.apiserver.k8s.io/v1": ["FlowSchema", "PriorityLevelConfiguration"],
  "networking.k8s.io/v1": ["IPAddress", "Ingress", "IngressClass", "NetworkPolicy", "ServiceCIDR"],
  "node.k8s.io/v1": ["RuntimeClass"],
  "policy/v1": ["PodDisruptionBudget"],
  "rbac.authorization.k8s.io/v1": ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
  "resource.k8s.io/v1": ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
  "scheduling.k8s.io/v1": ["PriorityClass"],
  "storage.k8s.io/v1": [
    "CSIDriver",
    "CSINode",
    "CSIStorageCapacity",
    "StorageClass",
    "VolumeAttachment",
    "VolumeAttributesClass",
  ],
};

export const BUILT_IN_API_VERSIONS: readonly string[] = Object.entries(BUILT_IN).flatMap(([gv, kinds]) => [
  gv,
  ...kinds.map((kind) => `${gv}/${kind}`),
]);

/** `group/version`, `group/version/Kind` or core `v1/Kind`; no commas (Helm splits the flag on them). */
const API_VERSION =
  /^(?:[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?(?:\/[A-Za-z][A-Za-z0-9]{0,62})?$/;

export function isApiVersionEntry(entry: string): boolean {
  return API_VERSION.test(entry);
}

/** `1.35`, `v1.35.0`, `1.35.0` (what `--kube-version` takes). */
export function isKubeVersion(version: string): boolean {
  return /^v?\d{1,3}\.\d{1,3}(\.\d{1,3})?$/.test(version);
}
