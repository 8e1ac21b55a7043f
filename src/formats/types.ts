/**
 * What one format module knows (renovate's `lib/modules/manager/<name>/`): how it recognises a
 * document by content, which Kubernetes objects and Helm releases a document declares, and which
 * repository files those read. The registry asks every module in turn.
 */
import type { RepoView } from "../model/repo-view.js";
import type { KubeObject } from "../model/types.js";
import type { ReleaseDraft } from "../model/values-layers.js";
import type { DocumentKind, ParsedDocument, ValuePath } from "../parse/types.js";

export type FormatId = "flux" | "argocd" | "kustomize" | "helm-chart" | "manifests" | "helmfile";

export interface FormatModule {
  id: FormatId;
  /** The document kinds this module recognises. */
  kinds: readonly DocumentKind[];
  /** Kinds whose documents are Kubernetes objects with an identity (group/kind/namespace/name). */
  objectKinds?: readonly DocumentKind[];
  /** What a YAML map is by its content (and, for file-defined formats, its path); null: not mine. */
  detect(path: string, value: Record<string, unknown>): DocumentKind | null;
  /** Recognition by file name alone, tried after every module's `detect` has said no. */
  detectByName?(path: string): DocumentKind | null;
  /** The object a document stands for when it is not an ordinary manifest (a kustomization.yaml). */
  object?(document: ParsedDocument): KubeObject | null;
  /** The Helm releases a document declares; `object` is the document's own Kubernetes object. */
  releases?(view: RepoView, document: ParsedDocument, object: KubeObject | null): ReleaseDraft[];
  /** A release for a values file no declared release reads (a chart's values, reviewed on their own). */
  unreadValuesRelease?(view: RepoView, document: ParsedDocument): ReleaseDraft | null;
  /** Paths inside the document that are a release's values, not the object's own fields. */
  releaseValuePaths?(document: ParsedDocument): ValuePath[];
}
