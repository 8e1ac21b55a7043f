/** What keeps an object alive when it is removed from git: GitOps tools' and Helm's annotations. */
import { getIn } from "../model/located.js";
import type { KubeObject } from "../model/types.js";

/** A metadata annotation of an object, or null. */
export function annotationOf(object: KubeObject | null, name: string): string | null {
  const value = object ? getIn(object.document.value, ["metadata", "annotations", name]) : undefined;
  return typeof value === "string" ? value : null;
}

/**
 * The annotation that keeps a GitOps tool or Helm from deleting an object removed from git
 * (`kustomize.toolkit.fluxcd.io/prune: disabled`, Argo CD `Prune=false`/`Delete=false`,
 * `helm.sh/resource-policy: keep`), written as `key: value`, or null when nothing protects it.
 */
export function deletionProtection(object: KubeObject | null): string | null {
  const flux = annotationOf(object, "kustomize.toolkit.fluxcd.io/prune");
  if (flux === "disabled") return `kustomize.toolkit.fluxcd.io/prune: ${flux}`;
  const argo = annotationOf(object, "argocd.argoproj.io/sync-options");
  if (argo && /(^|,)\s*(Prune|Delete)=false\s*(,|$)/.test(argo))
    return `argocd.argoproj.io/sync-options: ${argo}`;
  const helm = annotationOf(object, "helm.sh/resource-policy");
  if (helm === "keep") return `helm.sh/resource-policy: ${helm}`;
  return null;
}
