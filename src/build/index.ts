/**
 * The build stage (see DESIGN.md, "Discover and build"): the desired state of an app as the
 * controller would produce it, from the real helm and kustomize, offline and bounded.
 */
export {
  createBuilder,
  type Builder,
  type BuilderOptions,
  type BuilderStats,
  type ToolStatus,
} from "./builder.js";
export { BUILT_IN_API_VERSIONS, DEFAULT_KUBE_VERSION } from "./api-versions.js";
export { applyPostBuild, type PostBuild, type SubstituteSource, type Substituted } from "./post-build.js";
export { envsubst, SubstitutionError } from "./envsubst.js";
export { chooseVersion, parseConstraint, parseFluxVersion, satisfies } from "./flux-semver.js";
export { folderSnapshot, type RepoSnapshot } from "./snapshot.js";
export type { FetchPolicy } from "./fetch.js";
export type { SubprocessLimits } from "./subprocess.js";
export type { ToolOptions } from "./tools.js";
export type * from "./types.js";
