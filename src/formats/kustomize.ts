/**
 * Kustomize: kustomization.yaml (by its kustomize.config.k8s.io Kustomization, or by file name when
 * it has no apiVersion). It is not applied, but what it lists is; its `namespace:` applies to every
 * resource it lists.
 */
import { posix } from "node:path";
import { getString, isRecord } from "../model/located.js";
import { apiGroup, objectId } from "../model/objects.js";
import type { RepoView } from "../model/repo-view.js";
import type { KubeObject, ObjectIdentity } from "../model/types.js";
import type { ParsedDocument } from "../parse/types.js";
import type { FormatModule } from "./types.js";

const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$/i;

export const kustomize: FormatModule = {
  id: "kustomize",
  kinds: ["kustomization"],
  detect(path, value) {
    const apiVersion = typeof value.apiVersion === "string" ? value.apiVersion : "";
    if (value.kind === "Kustomization" && apiGroup(apiVersion) === "kustomize.config.k8s.io")
      return "kustomization";
    if (KUSTOMIZATION_FILE.test(posix.basename(path)) && !apiVersion.includes("toolkit.fluxcd.io"))
      return "kustomization";
    return null;
  },
  object(document) {
    return document.kind === "kustomization" && isRecord(document.value)
      ? kustomizationObject(document)
      : null;
  },
};

/**
 * The namespace a kustomization.yaml beside the file (or one folder up) would set:
 * Kustomize's `namespace:` applies to every resource it lists.
 */
export function kustomizeNamespace(view: RepoView, file: string): string | null {
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
