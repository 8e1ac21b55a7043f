/**
 * Plain Kubernetes manifests: any document with apiVersion, kind and metadata. Every object-like
 * format (Flux, Argo CD) is identified the same way: group/kind/namespace/name, the namespace
 * from the manifest or from a kustomization.yaml beside it.
 */
import { getString, isRecord } from "../model/located.js";
import { apiGroup, isClusterScoped, objectId } from "../model/objects.js";
import type { RepoView } from "../model/repo-view.js";
import type { KubeObject, ObjectIdentity } from "../model/types.js";
import type { ParsedDocument } from "../parse/types.js";
import { kustomizeNamespace } from "./kustomize.js";
import type { FormatModule } from "./types.js";

export const manifests: FormatModule = {
  id: "manifests",
  kinds: ["kubernetes-object"],
  objectKinds: ["kubernetes-object"],
  detect(_path, value) {
    const apiVersion = typeof value.apiVersion === "string" ? value.apiVersion : "";
    const kind = typeof value.kind === "string" ? value.kind : "";
    return apiVersion && kind && isRecord(value.metadata) ? "kubernetes-object" : null;
  },
};

/** The Kubernetes object a document is (for object kinds), identified as the API server would. */
export function manifestObject(view: RepoView, document: ParsedDocument): KubeObject | null {
  if (!isRecord(document.value)) return null;
  const apiVersion = getString(document.value, ["apiVersion"]) ?? "";
  const kind = getString(document.value, ["kind"]) ?? "";
  const name = getString(document.value, ["metadata", "name"]);
  if (!name) return null;
  const written = getString(document.value, ["metadata", "namespace"]);
  const namespace = isClusterScoped(kind) ? null : (written ?? kustomizeNamespace(view, document.file));
  const identity: ObjectIdentity = { group: apiGroup(apiVersion), kind, namespace, name };
  return { type: "object", id: objectId(identity), identity, apiVersion, document };
}
