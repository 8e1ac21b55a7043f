import { posix } from "node:path";
import type { ParsedDocument } from "../parse/types.js";
import { getString, isRecord } from "./located.js";
import type { RepoView } from "./repo-view.js";
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

const OBJECT_KINDS = new Set<ParsedDocument["kind"]>([
  "kubernetes-object",
  "flux-helmrelease",
  "flux-kustomization",
  "argocd-application",
  "argocd-applicationset",
]);

/** API group of an `apiVersion` ("" for the core group's `v1`). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

export function objectId(identity: ObjectIdentity): string {
  return [identity.group || "core", identity.kind, identity.namespace ?? "", identity.name].join("/");
}

/** Readable `Kind/namespace/name` (or `Kind/name`) for messages. */
export function describeObject(object: KubeObject): string {
  const { kind, namespace, name } = object.identity;
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

/**
 * The namespace a kustomization.yaml beside the file (or one folder up) would set:
 * Kustomize's `namespace:` applies to every resource it lists.
 */
function kustomizeNamespace(view: RepoView, file: string): string | null {
  let dir = posix.dirname(file);
  for (let depth = 0; depth < 2; depth++) {
    for (const name of ["kustomization.yaml", "kustomization.yml"]) {
      const doc = view.firstDocument(dir === "." ? name : `${dir}/${name}`);
      const namespace = doc ? getString(doc.value, ["namespace"]) : null;
      if (namespace) return namespace;
      if (doc) return null;
    }
    if (dir === "." || dir === "") break;
    dir = posix.dirname(dir);
  }
  return null;
}

export function buildObjects(view: RepoView): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const file of view.changed) {
    for (const document of file.documents) {
      if (document.kind === "kustomization" && isRecord(document.value)) {
        objects.push(kustomizationObject(document));
        continue;
      }
      if (!OBJECT_KINDS.has(document.kind) || !isRecord(document.value)) continue;
      const apiVersion = getString(document.value, ["apiVersion"]) ?? "";
      const kind = getString(document.value, ["kind"]) ?? "";
      const name = getString(document.value, ["metadata", "name"]);
      if (!name) continue;
      const written = getString(document.value, ["metadata", "namespace"]);
      const namespace = CLUSTER_SCOPED.has(kind) ? null : (written ?? kustomizeNamespace(view, file.file));
      const identity: ObjectIdentity = { group: apiGroup(apiVersion), kind, namespace, name };
      objects.push({ type: "object", id: objectId(identity), identity, apiVersion, document });
    }
  }
  return objects;
}

/**
 * A kustomization.yaml is not applied to the cluster, but what it lists is: adding or dropping a
 * resource there creates or deletes objects. It is identified by its folder.
 */
function kustomizationObject(document: ParsedDocument): KubeObject {
  const identity: ObjectIdentity = {
    group: "kustomize.config.k8s.io",
    kind: "Kustomization",
    namespace: null,
    name: posix.dirname(document.file),
  };
  return {
    type: "object",
    id: objectId(identity),
    identity,
    apiVersion: getString(document.value, ["apiVersion"]) ?? "kustomize.config.k8s.io/v1beta1",
    document,
  };
}
