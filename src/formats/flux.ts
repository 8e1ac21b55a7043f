/**
 * Flux: HelmRelease (v2, v2beta1, v2beta2) and Kustomization of the toolkit.fluxcd.io groups. A
 * HelmRelease declares a release: chart from its sourceRef or chartRef, values from `valuesFrom`
 * (ConfigMaps and Secrets, Kustomize generators included) then `values`.
 */
import { posix } from "node:path";
import { getIn, getString, locate, subtree } from "../model/located.js";
import { apiGroup } from "../model/objects.js";
import type { RepoView } from "../model/repo-view.js";
import type { ChartRef, KubeObject } from "../model/types.js";
import { embeddedLayer, fileLayer, joinPath, type Layer, type ReleaseDraft } from "../model/values-layers.js";
import type { ParsedDocument } from "../parse/types.js";
import type { FormatModule } from "./types.js";

export const flux: FormatModule = {
  id: "flux",
  kinds: ["flux-helmrelease", "flux-kustomization"],
  objectKinds: ["flux-helmrelease", "flux-kustomization"],
  detect(_path, value) {
    const group = apiGroup(typeof value.apiVersion === "string" ? value.apiVersion : "");
    if (value.kind === "HelmRelease" && group === "helm.toolkit.fluxcd.io") return "flux-helmrelease";
    if (value.kind === "Kustomization" && group === "kustomize.toolkit.fluxcd.io")
      return "flux-kustomization";
    return null;
  },
  releases(view, doc, object) {
    return doc.kind === "flux-helmrelease" ? [fluxRelease(view, doc, object)] : [];
  },
  releaseValuePaths(doc) {
    return doc.kind === "flux-helmrelease" ? [["spec", "values"]] : [];
  },
};

/**
 * Flux HelmRelease (v2, v2beta1, v2beta2). Its namespace is the object's, which a kustomization.yaml
 * may set: moving it moves the release (Helm uninstalls it from the old namespace).
 */
function fluxRelease(view: RepoView, doc: ParsedDocument, object: KubeObject | null): ReleaseDraft {
  const value = doc.value;
  const name = getString(value, ["metadata", "name"]) ?? "";
  const namespace = object?.identity.namespace ?? getString(value, ["metadata", "namespace"]) ?? "";
  const target = getString(value, ["spec", "targetNamespace"]);
  const releaseName = getString(value, ["spec", "releaseName"]) ?? (target ? `${target}-${name}` : name);
  const dir = posix.dirname(doc.file);

  const chart = fluxChart(view, doc);
  const layers: Layer[] = [];
  const valuesFrom = getIn(value, ["spec", "valuesFrom"]);
  if (Array.isArray(valuesFrom)) {
    for (const ref of valuesFrom) layers.push(valuesFromLayer(view, dir, ref));
  }
  if (getIn(value, ["spec", "values"]) !== undefined) {
    layers.push({ source: { kind: "inline", file: doc.file }, values: subtree(doc, ["spec", "values"]) });
  }
  return {
    namespace: target ?? namespace,
    releaseName,
    origin: "flux",
    chart,
    layers,
    location: { file: doc.file, line: doc.line },
    declaredBy: object?.id ?? "",
  };
}

function fluxChart(view: RepoView, doc: ParsedDocument): ChartRef {
  const spec = ["spec", "chart", "spec"];
  const chartName = getString(doc.value, [...spec, "chart"]);
  if (chartName) {
    const sourceKind = getString(doc.value, [...spec, "sourceRef", "kind"]);
    const sourceName = getString(doc.value, [...spec, "sourceRef", "name"]);
    const version = getString(doc.value, [...spec, "version"]);
    return {
      name: posix.basename(chartName),
      version,
      source: sourceKind && sourceName ? `${sourceKind}/${sourceName}` : null,
      versionLocation: version ? locate(doc, [...spec, "version"]) : null,
    };
  }
  // spec.chartRef -> an OCIRepository (or HelmChart); its tag is the chart version.
  const refKind = getString(doc.value, ["spec", "chartRef", "kind"]);
  const refName = getString(doc.value, ["spec", "chartRef", "name"]);
  if (refKind && refName) {
    for (const other of view.allDocuments()) {
      if (getString(other.value, ["kind"]) !== refKind) continue;
      if (getString(other.value, ["metadata", "name"]) !== refName) continue;
      const url = getString(other.value, ["spec", "url"]);
      const tag =
        getString(other.value, ["spec", "ref", "tag"]) ?? getString(other.value, ["spec", "ref", "semver"]);
      return {
        name: url ? posix.basename(url) : refName,
        version: tag,
        source: url ?? `${refKind}/${refName}`,
        versionLocation: tag ? locate(other, ["spec", "ref"]) : null,
      };
    }
    return { name: refName, version: null, source: `${refKind}/${refName}`, versionLocation: null };
  }
  return { name: null, version: null, source: null, versionLocation: null };
}

/**
 * `spec.valuesFrom` points at a ConfigMap or Secret in the cluster. It resolves when that
 * ConfigMap is in the repo: a manifest, or a Kustomize configMapGenerator over a values file.
 */
function valuesFromLayer(view: RepoView, dir: string, ref: unknown): Layer {
  const kind = getString(ref, ["kind"]) ?? "ConfigMap";
  const name = getString(ref, ["name"]) ?? "";
  const key = getString(ref, ["valuesKey"]) ?? "values.yaml";
  const description = `${kind} ${name} (key ${key}) is read from the cluster`;
  if (kind !== "ConfigMap" && kind !== "Secret") {
    return { source: { kind: "unresolved", file: null, description }, values: null };
  }
  for (const doc of view.allDocuments()) {
    if (getString(doc.value, ["kind"]) !== kind || getString(doc.value, ["metadata", "name"]) !== name)
      continue;
    const layer = embeddedLayer(doc, ["data", key], "file");
    if (layer.values) return layer;
  }
  for (const kustomization of ["kustomization.yaml", "kustomization.yml"]) {
    const doc = view.firstDocument(joinPath(dir, kustomization));
    if (!doc) continue;
    const generators = getIn(doc.value, [kind === "Secret" ? "secretGenerator" : "configMapGenerator"]);
    if (!Array.isArray(generators)) continue;
    for (const generator of generators) {
      if (getString(generator, ["name"]) !== name) continue;
      const files = getIn(generator, ["files"]);
      if (!Array.isArray(files)) continue;
      for (const entry of files) {
        if (typeof entry !== "string") continue;
        const [fileKey, filePath] = entry.includes("=")
          ? entry.split("=", 2)
          : [posix.basename(entry), entry];
        if (fileKey === key && filePath) return fileLayer(view, joinPath(dir, filePath), description);
      }
    }
  }
  return { source: { kind: "unresolved", file: null, description }, values: null };
}
