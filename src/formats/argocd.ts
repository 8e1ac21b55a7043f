/**
 * Argo CD: Application and ApplicationSet of argoproj.io. An Application declares one release per
 * Helm source (`spec.source` or `spec.sources[]`): chart defaults from a chart folder in the repo,
 * `valueFiles` (`$ref/` paths from the repository root), `values`/`valuesObject`, `parameters`.
 */
import { posix } from "node:path";
import { getIn, getString, isRecord, locate, subtree } from "../model/located.js";
import { apiGroup } from "../model/objects.js";
import type { RepoView } from "../model/repo-view.js";
import {
  chartDefaultsLayer,
  embeddedLayer,
  fileLayer,
  joinPath,
  parameterLayer,
  type Layer,
  type ReleaseDraft,
} from "../model/values-layers.js";
import type { ParsedDocument } from "../parse/types.js";
import type { FormatModule } from "./types.js";

export const argocd: FormatModule = {
  id: "argocd",
  kinds: ["argocd-application", "argocd-applicationset"],
  objectKinds: ["argocd-application", "argocd-applicationset"],
  detect(_path, value) {
    if (apiGroup(typeof value.apiVersion === "string" ? value.apiVersion : "") !== "argoproj.io") return null;
    if (value.kind === "Application") return "argocd-application";
    if (value.kind === "ApplicationSet") return "argocd-applicationset";
    return null;
  },
  releases(view, doc, object) {
    return doc.kind === "argocd-application" ? argoReleases(view, doc, object?.id ?? "") : [];
  },
  releaseValuePaths(doc) {
    return doc.kind === "argocd-application" ? argoValuePaths(doc) : [];
  },
};

/** Argo CD Application: one release per Helm source (`spec.source` or `spec.sources[]`). */
function argoReleases(view: RepoView, doc: ParsedDocument, objectId: string): ReleaseDraft[] {
  const value = doc.value;
  const appName = getString(value, ["metadata", "name"]) ?? "";
  const namespace = getString(value, ["spec", "destination", "namespace"]) ?? "";
  const sources: { source: unknown; path: (string | number)[] }[] = [];
  if (isRecord(getIn(value, ["spec", "source"]))) {
    sources.push({ source: getIn(value, ["spec", "source"]), path: ["spec", "source"] });
  }
  const many = getIn(value, ["spec", "sources"]);
  if (Array.isArray(many))
    many.forEach((source, i) => sources.push({ source, path: ["spec", "sources", i] }));

  const drafts: ReleaseDraft[] = [];
  for (const { source, path } of sources) {
    const chartName = getString(source, ["chart"]);
    const sourcePath = getString(source, ["path"]);
    const helm = getIn(source, ["helm"]);
    const isHelm = chartName !== null || isRecord(helm);
    if (!isHelm) continue;
    const layers: Layer[] = [];
    if (sourcePath) {
      const defaults = chartDefaultsLayer(view, sourcePath.replace(/\/$/, ""));
      if (defaults) layers.push(defaults);
    }
    const valueFiles = getIn(helm, ["valueFiles"]);
    if (Array.isArray(valueFiles)) {
      for (const file of valueFiles) {
        if (typeof file !== "string") continue;
        // `$ref/path` is relative to the root of the `ref:` source's repository (usually this one),
        // whatever that source's own `path` is.
        const refMatch = /^\$[^/]+\/(.*)$/.exec(file);
        const resolved = refMatch ? joinPath("", refMatch[1] ?? "") : joinPath(sourcePath ?? "", file);
        layers.push(fileLayer(view, resolved, `value file ${file}`));
      }
    }
    const helmPath = [...path, "helm"];
    // Argo CD uses valuesObject instead of the values string when both are set (ValuesYAML()).
    const hasValuesObject = isRecord(getIn(value, [...helmPath, "valuesObject"]));
    if (!hasValuesObject && typeof getIn(value, [...helmPath, "values"]) === "string") {
      layers.push(embeddedLayer(doc, [...helmPath, "values"], "inline"));
    }
    if (hasValuesObject) {
      layers.push({
        source: { kind: "inline", file: doc.file },
        values: subtree(doc, [...helmPath, "valuesObject"]),
      });
    }
    const parameters = getIn(value, [...helmPath, "parameters"]);
    if (Array.isArray(parameters)) layers.push(parameterLayer(doc, [...helmPath, "parameters"], parameters));

    const version = getString(source, ["targetRevision"]);
    drafts.push({
      namespace,
      releaseName: getString(helm, ["releaseName"]) ?? appName,
      origin: "argocd",
      chart: {
        name: chartName ?? (sourcePath ? posix.basename(sourcePath) : null),
        version,
        source: getString(source, ["repoURL"]),
        versionLocation: version ? locate(doc, [...path, "targetRevision"]) : null,
      },
      layers,
      location: locate(doc, path) ?? { file: doc.file, line: doc.line },
      declaredBy: objectId,
    });
  }
  return drafts;
}

function argoValuePaths(doc: ParsedDocument): (string | number)[][] {
  const paths: (string | number)[][] = [];
  // valueFiles stay in the object diff: they are references, the release shows their effect.
  const helmKeys = ["values", "valuesObject", "parameters"];
  if (isRecord(getIn(doc.value, ["spec", "source"]))) {
    for (const key of helmKeys) paths.push(["spec", "source", "helm", key]);
  }
  const many = getIn(doc.value, ["spec", "sources"]);
  if (Array.isArray(many)) {
    many.forEach((_, i) => helmKeys.forEach((key) => paths.push(["spec", "sources", i, "helm", key])));
  }
  return paths;
}
