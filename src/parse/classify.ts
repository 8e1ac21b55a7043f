import { posix } from "node:path";
import { apiGroup } from "../model/objects.js";
import { isRecord, type DocumentKind } from "./types.js";

const YAML_EXTENSION = /\.ya?ml$/i;
const VALUES_FILE = /^values[^/]*\.ya?ml$/i;
const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$/i;
const HELMFILE = /^helmfile[^/]*\.ya?ml$/i;

/** Files the engine can say something about. Everything else in a PR is out of scope. */
export function isReviewablePath(path: string): boolean {
  return YAML_EXTENSION.test(path);
}

export function isValuesFilePath(path: string): boolean {
  return VALUES_FILE.test(posix.basename(path));
}

function isHelmfilePath(path: string): boolean {
  return HELMFILE.test(posix.basename(path)) || path.split("/").includes("helmfile.d");
}

/** Paths under a chart's templates/ folder are Go templates, whatever they contain. */
export function isChartTemplatePath(path: string): boolean {
  return /(^|\/)templates\/[^/]+\.(ya?ml|tpl)$/i.test(path);
}

/** What one YAML document is, from its apiVersion/kind first and its path second. */
export function classifyDocument(path: string, value: unknown): DocumentKind {
  if (value === null || value === undefined) return "empty";
  const base = posix.basename(path);
  if (isRecord(value)) {
    const apiVersion = typeof value.apiVersion === "string" ? value.apiVersion : "";
    const kind = typeof value.kind === "string" ? value.kind : "";
    const group = apiGroup(apiVersion);
    if (kind === "HelmRelease" && group === "helm.toolkit.fluxcd.io") return "flux-helmrelease";
    if (kind === "Kustomization" && group === "kustomize.toolkit.fluxcd.io") return "flux-kustomization";
    if (kind === "Application" && group === "argoproj.io") return "argocd-application";
    if (kind === "ApplicationSet" && group === "argoproj.io") return "argocd-applicationset";
    if (kind === "Kustomization" && group === "kustomize.config.k8s.io") return "kustomization";
    if (KUSTOMIZATION_FILE.test(base) && !apiVersion.includes("toolkit.fluxcd.io")) return "kustomization";
    if (/^Chart\.ya?ml$/.test(base) && typeof value.name === "string") return "helm-chart";
    if (apiVersion && kind && isRecord(value.metadata)) return "kubernetes-object";
    if (isHelmfilePath(path) && (Array.isArray(value.releases) || Array.isArray(value.helmfiles)))
      return "helmfile";
  }
  if (isValuesFilePath(path)) return "helm-values";
  return "unknown";
}
