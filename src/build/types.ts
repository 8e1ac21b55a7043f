/**
 * The build stage's contract with its caller: a release or a kustomization in, rendered objects or
 * a typed failure out. Nothing here throws for bad input; every way a build can go wrong is a
 * BuildFailure whose `reason` can be shown to the pull request's author as it is.
 */
import type { RepoSnapshot } from "./snapshot.js";

export type BuildFailureKind =
  /** No helm or kustomize binary could be found or run; the review falls back to the values model. */
  | "unavailable"
  /** The input itself is wrong: a release name Helm would reject, a path outside the snapshot. */
  | "invalid-input"
  /** Policy said no: a URL not on the allowlist, a private address, a remote base, file:// outside. */
  | "refused"
  /** The chart, version or folder does not exist where the input says. */
  | "not-found"
  /** A repository or registry did not answer, answered too much or too slowly, or sent a bad digest. */
  | "fetch-failed"
  | "timeout"
  | "output-limit"
  | "memory-limit"
  /** The tool ran and said no (a template error, a kustomize error); `reason` quotes it. */
  | "render-failed";

export interface BuildFailure {
  ok: false;
  kind: BuildFailureKind;
  /** One or two sentences for a human, e.g. "traefik 10.24.0: helm template failed: ...". */
  reason: string;
}

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** `metadata.namespace` as rendered; null when the template left it to the release namespace. */
  namespace: string | null;
  /** The parsed object; shared with the cache, so read-only (it is frozen). */
  object: Readonly<Record<string, unknown>>;
  /**
   * The template that produced it, from helm's `# Source:` line
   * (`traefik/templates/deployment.yaml`, `umbrella/charts/redis/templates/master.yaml`);
   * null for kustomize output.
   */
  source: string | null;
  /** Position of its document in the tool's output (0-based; List items share their List's). */
  index: number;
}

export interface ChartIdentity {
  name: string;
  version: string;
  /** sha256 of the package, or of the chart folder's files and dependencies. */
  digest: string;
  /** Where it came from, for the report: a repo path, a file, or a repository URL. */
  origin: string;
}

export interface BuildSuccess {
  ok: true;
  objects: RenderedObject[];
  /** The chart rendered (Helm builds only). */
  chart?: ChartIdentity;
  /** The render came from the cache (no process ran). */
  cached: boolean;
  /** Things worth saying that are not failures (a vendored dependency used as is). */
  notes: string[];
}

export type BuildResult = BuildSuccess | BuildFailure;

/** Where a chart comes from. */
export type ChartRef =
  /** A chart folder inside a snapshot of the repository (Argo CD path, helmfile local chart, umbrella). */
  | { type: "repo-path"; snapshot: RepoSnapshot; path: string }
  /** A chart folder or `.tgz` on this machine (a `--charts` folder, a mirror checkout). */
  | { type: "local-path"; path: string }
  /** A Helm repository on disk: a folder with index.yaml and its packages (`--charts DIR`, tests). */
  | { type: "local-repository"; dir: string; chart: string; version?: string }
  /** An HTTP(S) Helm repository (HelmRepository, helmfile repositories, Argo CD repoURL). */
  | { type: "helm-repository"; url: string; chart: string; version?: string }
  /** An OCI registry: `oci://ghcr.io/org/charts/name`, a tag or version range, or a digest. */
  | { type: "oci"; url: string; version?: string; digest?: string };

export interface HelmReleaseInput {
  chart: ChartRef;
  releaseName: string;
  namespace: string;
  /** The effective values (chart defaults are the chart's own: pass the user layers only). */
  values?: Record<string, unknown>;
  /** Default: DEFAULT_KUBE_VERSION. */
  kubeVersion?: string;
  /**
   * Extra capabilities as `group/version/Kind` (the CRD kinds found in the repository); they are
   * added to the built-in kinds of a recent Kubernetes, never replace them.
   */
  apiVersions?: readonly string[];
  /** Default true: CRDs in the chart's crds/ folder are part of what the cluster gets. */
  includeCrds?: boolean;
  /** For charts whose values.schema.json `$ref`s a remote URL (app-template 3.x): default false. */
  skipSchemaValidation?: boolean;
}

/** Flux Kustomization fields that kustomize-controller writes into the kustomization it builds. */
export interface FluxKustomizationOverlay {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { patch: string; target?: Record<string, string> }[];
  components?: string[];
}

export interface KustomizationInput {
  snapshot: RepoSnapshot;
  /** Repo-relative folder: a kustomization root, or a plain folder of manifests. */
  path: string;
  flux?: FluxKustomizationOverlay;
}
