import type { LocatedValue, ParsedDocument, SourceLocation } from "../parse/types.js";

/** group/kind/namespace/name: how Kubernetes itself tells two objects apart. */
export interface ObjectIdentity {
  /** API group ("" for the core group). */
  group: string;
  kind: string;
  /** null for cluster-scoped objects and for namespaced ones that rely on the default namespace. */
  namespace: string | null;
  name: string;
}

export interface KubeObject {
  type: "object";
  /** `group/kind/namespace/name`, stable across files. */
  id: string;
  identity: ObjectIdentity;
  apiVersion: string;
  document: ParsedDocument;
}

export type ReleaseOrigin = "flux" | "argocd" | "helmfile" | "chart";

export interface ChartRef {
  name: string | null;
  version: string | null;
  /** Repository URL, Flux sourceRef (`HelmRepository/ns/name`) or a path in this repo. */
  source: string | null;
  /** Where the version is written (HelmRelease, OCIRepository tag, helmfile, Chart.yaml). */
  versionLocation: SourceLocation | null;
}

/** One layer of a release's values, in merge order (lowest precedence first). */
export interface ValuesSource {
  kind: "chart-defaults" | "file" | "inline" | "parameters" | "unresolved";
  /** File the layer comes from (values file, or the manifest for inline values). */
  file: string | null;
  /** What could not be resolved, when kind is "unresolved" (a ConfigMap in the cluster, a remote file). */
  description?: string;
}

export interface HelmRelease {
  type: "release";
  /** `release/namespace/releaseName`. */
  id: string;
  namespace: string;
  releaseName: string;
  origin: ReleaseOrigin;
  chart: ChartRef;
  /** Effective values: every layer merged the way Helm merges, each node located in its file. */
  values: LocatedValue;
  valueSources: ValuesSource[];
  /** Where the release is declared (HelmRelease, Application, helmfile entry, Chart.yaml). */
  location: SourceLocation;
  /** The manifest that declares it, when it is a Kubernetes object (Flux HelmRelease, Argo CD Application). */
  declaredBy: string | null;
}

export type Subject = KubeObject | HelmRelease;

export type PairStatus = "added" | "removed" | "modified" | "unchanged" | "replaced";

/**
 * A subject on both sides. `replaced` pairs a removed subject with the added one that takes its
 * place under another identity: Kubernetes deletes the old one and creates the new one.
 */
export interface SubjectPair {
  id: string;
  status: PairStatus;
  base: Subject | null;
  head: Subject | null;
  /** Why two identities were paired as a replacement. */
  replacementReason?: string;
}

export interface ReviewModel {
  base: Subject[];
  head: Subject[];
  pairs: SubjectPair[];
}
