/**
 * Helm charts in the repository: Chart.yaml, and values files (`values*.yaml`) beside a chart or
 * for one. A changed values file that no release reads is reviewed as a release of its chart.
 */
import { posix } from "node:path";
import { getString, locate } from "../model/located.js";
import type { RepoView } from "../model/repo-view.js";
import { fileLayer, type Layer, type ReleaseDraft } from "../model/values-layers.js";
import type { ParsedDocument } from "../parse/types.js";
import type { FormatModule } from "./types.js";

const VALUES_FILE = /^values[^/]*\.ya?ml$/i;

/** `values.yaml`, `values-prod.yml`: recognised by name, whatever they hold. */
export function isValuesFilePath(path: string): boolean {
  return VALUES_FILE.test(posix.basename(path));
}

export const helmChart: FormatModule = {
  id: "helm-chart",
  kinds: ["helm-chart", "helm-values"],
  detect(path, value) {
    return /^Chart\.ya?ml$/.test(posix.basename(path)) && typeof value.name === "string"
      ? "helm-chart"
      : null;
  },
  detectByName(path) {
    return isValuesFilePath(path) ? "helm-values" : null;
  },
  unreadValuesRelease(view, doc) {
    return doc.kind === "helm-values" ? chartValuesRelease(view, doc) : null;
  },
};

/**
 * A changed values file that no release on this side reads: a chart's own defaults, or a
 * per-environment values file beside a chart. Reviewed as a release of that chart.
 */
function chartValuesRelease(view: RepoView, doc: ParsedDocument): ReleaseDraft {
  const dir = posix.dirname(doc.file);
  const chartDoc = view.firstDocument(dir === "." ? "Chart.yaml" : `${dir}/Chart.yaml`);
  const chartName = chartDoc ? getString(chartDoc.value, ["name"]) : null;
  const version = chartDoc ? getString(chartDoc.value, ["version"]) : null;
  const layers: Layer[] = [];
  const defaultsPath = dir === "." ? "values.yaml" : `${dir}/values.yaml`;
  if (chartDoc && defaultsPath !== doc.file) {
    const defaults = fileLayer(view, defaultsPath, "chart default values");
    layers.push({ ...defaults, source: { ...defaults.source, kind: "chart-defaults" } });
  }
  layers.push({
    source: { kind: "file", file: doc.file },
    values: { value: doc.value, locations: doc.locations },
  });
  return {
    namespace: "",
    releaseName: doc.file,
    origin: "chart",
    chart: {
      name: chartName ?? (dir === "." ? null : posix.basename(dir)),
      version,
      source: dir,
      versionLocation: chartDoc && version ? locate(chartDoc, ["version"]) : null,
    },
    layers,
    location: { file: doc.file, line: doc.line },
    declaredBy: null,
  };
}
