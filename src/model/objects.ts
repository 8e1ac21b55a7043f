import type { KubeObject, ObjectIdentity } from "./types.js";

/** Kinds that live outside namespaces: a namespace written on them is ignored by the API server. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "IngressClass",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "APIService",
  "RuntimeClass",
  "CSIDriver",
  "VolumeSnapshotClass",
  "GatewayClass",
  "ClusterIssuer",
  "ClusterSecretStore",
  "ClusterPolicy",
  "CiliumClusterwideNetworkPolicy",
  "CiliumLoadBalancerIPPool",
  "CiliumL2AnnouncementPolicy",
  "IPAddressPool",
  "L2Advertisement",
]);

/** API group of an `apiVersion` ("" for the core group's `v1`). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/** Whether the API server ignores a namespace written on this kind. */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export function objectId(identity: ObjectIdentity): string {
  return [identity.group || "core", identity.kind, identity.namespace ?? "", identity.name].join("/");
}

/** Readable `Kind/namespace/name` (or `Kind/name`) for messages. */
export function describeObject(object: KubeObject): string {
  const { kind, namespace, name } = object.identity;
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}
