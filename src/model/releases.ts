import { posix } from "node:path";
import { parseFile } from "../parse/parse-file.js";
import { pathKey, type LocatedValue, type ParsedDocument, type SourceLocation } from "../parse/types.js";
import { getIn, getString, isRecord, locate, mergeLayers, relocate, setDotted, subtree } from "./located.js";
import type { RepoView } from "./repo-view.js";
import type { ChartRef, HelmRelease, KubeObject, ReleaseOrigin, ValuesSource } from "./types.js";

interface Layer {
  source: ValuesSource;
  values: LocatedValue | null;
}

interface ReleaseDraft {
  namespace: string;
  releaseName: string;
  origin: ReleaseOrigin;
  chart: ChartRef;
  layers: Layer[];
  location: SourceLocation;
  declaredBy: string | null;
}

export function releaseId(namespace: string, releaseName: string): string {
  return `release/${namespace}/${releaseName}`;
}

function finish(draft: ReleaseDraft): HelmRelease {
  return {
    type: "release",
    id: releaseId(draft.namespace, draft.releaseName),
    namespace: draft.namespace,
    releaseName: draft.releaseName,
    origin: draft.origin,
    chart: draft.chart,
    values: mergeLayers(draft.layers.flatMap((layer) => (layer.values ? [layer.values] : []))),
    valueSources: draft.layers.map((layer) => layer.source),
    location: draft.location,
    declaredBy: draft.declaredBy,
  };
}

function joinPath(dir: string, relative: string): string {
  const joined = posix.normalize(posix.join(dir, relative));
  return joined.startsWith("./") ? joined.slice(2) : joined;
}

/** A whole values file as one layer; missing files stay visible as unresolved layers. */
function fileLayer(view: RepoView, path: string, description: string): Layer {
  const doc = view.firstDocument(path);
  if (!doc) {
    return { source: { kind: "unresolved", file: path, description }, values: null };
  }
  return { source: { kind: "file", file: path }, values: { value: doc.value, locations: doc.locations } };
}

/** Values written as a YAML string inside a manifest (Argo CD `helm.values`, ConfigMap data). */
function embeddedLayer(doc: ParsedDocument, path: (string | number)[], kind: ValuesSource["kind"]): Layer {
  const text = getIn(doc.value, path);
  const at = locate(doc, path);
  if (typeof text !== "string" || !at) return { source: { kind, file: doc.file }, values: null };
  const parsed = parseFile(doc.file, text, "head");
  const inner = parsed.documents[0];
  if (!inner) {
    return {
      source: { kind: "unresolved", file: doc.file, description: "embedded values are not valid YAML" },
      values: null,
    };
  }
  // A block scalar's content starts on the line after its key.
  return { source: { kind, file: doc.file }, values: relocate(inner, doc.file, at.line) };
}

function chartDefaultsLayer(view: RepoView, chartDir: string): Layer | null {
  const chartFile = view.firstDocument(`${chartDir}/Chart.yaml`);
  if (!chartFile) return null;
  const layer = fileLayer(view, `${chartDir}/values.yaml`, "chart default values");
  return { ...layer, source: { ...layer.source, kind: "chart-defaults" } };
}

// ---------------------------------------------------------------- Flux

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

// ---------------------------------------------------------------- Argo CD

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

/** Helm `--set` parameters: typed like Helm does unless forceString is set. */
function parameterLayer(doc: ParsedDocument, path: (string | number)[], parameters: unknown[]): Layer {
  const value: Record<string, unknown> = {};
  const locations = new Map<string, SourceLocation>();
  parameters.forEach((parameter, i) => {
    const name = getString(parameter, ["name"]);
    const raw = getIn(parameter, ["value"]);
    if (!name) return;
    const typed = getIn(parameter, ["forceString"]) === true ? String(raw) : typedSetValue(raw);
    const target = setDotted(value, name, typed);
    const at = locate(doc, [...path, i]);
    if (at) {
      for (let end = 1; end <= target.length; end++) {
        const key = pathKey(target.slice(0, end));
        if (!locations.has(key) || end === target.length) locations.set(key, at);
      }
    }
  });
  return { source: { kind: "parameters", file: doc.file }, values: { value, locations } };
}

function typedSetValue(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  if (raw === "true" || raw === "false") return raw === "true";
  if (raw === "null") return null;
  if (/^-?(0|[1-9]\d*)$/.test(raw)) return Number(raw);
  return raw;
}

// ---------------------------------------------------------------- helmfile

function helmfileReleases(view: RepoView, doc: ParsedDocument): ReleaseDraft[] {
  const releases = getIn(doc.value, ["releases"]);
  if (!Array.isArray(releases)) return [];
  const dir = posix.dirname(doc.file);
  const defaultNamespace = getString(doc.value, ["helmDefaults", "namespace"]) ?? "";
  return releases.flatMap((release, i): ReleaseDraft[] => {
    const name = getString(release, ["name"]);
    if (!name) return [];
    const chart = getString(release, ["chart"]);
    const layers: Layer[] = [];
    if (chart && (chart.startsWith("./") || chart.startsWith("../"))) {
      const defaults = chartDefaultsLayer(view, joinPath(dir, chart));
      if (defaults) layers.push(defaults);
    }
    const values = getIn(release, ["values"]);
    if (Array.isArray(values)) {
      values.forEach((entry, j) => {
        if (typeof entry === "string") {
          layers.push(
            entry.endsWith(".gotmpl")
              ? {
                  source: {
                    kind: "unresolved",
                    file: joinPath(dir, entry),
                    description: "Go template values file",
                  },
                  values: null,
                }
              : fileLayer(view, joinPath(dir, entry), `values file ${entry}`),
          );
        } else if (isRecord(entry)) {
          layers.push({
            source: { kind: "inline", file: doc.file },
            values: subtree(doc, ["releases", i, "values", j]),
          });
        }
      });
    }
    const sets = getIn(release, ["set"]);
    if (Array.isArray(sets)) layers.push(parameterLayer(doc, ["releases", i, "set"], sets));
    const version = getString(release, ["version"]);
    return [
      {
        namespace: getString(release, ["namespace"]) ?? defaultNamespace,
        releaseName: name,
        origin: "helmfile",
        chart: {
          name: chart ? posix.basename(chart) : null,
          version,
          source: chart,
          versionLocation: version ? locate(doc, ["releases", i, "version"]) : null,
        },
        layers,
        location: locate(doc, ["releases", i]) ?? { file: doc.file, line: doc.line },
        declaredBy: null,
      },
    ];
  });
}

// ---------------------------------------------------------------- charts in the repo

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

/** Every Helm release this side of the change declares or touches. */
export function buildReleases(
  view: RepoView,
  objectOf: (doc: ParsedDocument) => KubeObject | null,
): HelmRelease[] {
  const drafts: ReleaseDraft[] = [];
  const chartDocs: ParsedDocument[] = [];
  for (const file of view.changed) {
    for (const doc of file.documents) {
      if (doc.kind === "flux-helmrelease") drafts.push(fluxRelease(view, doc, objectOf(doc)));
      else if (doc.kind === "argocd-application")
        drafts.push(...argoReleases(view, doc, objectOf(doc)?.id ?? ""));
      else if (doc.kind === "helmfile") drafts.push(...helmfileReleases(view, doc));
      else if (doc.kind === "helm-values") chartDocs.push(doc);
    }
  }
  const referenced = new Set(drafts.flatMap((draft) => draft.layers.map((layer) => layer.source.file)));
  for (const doc of chartDocs) {
    if (!referenced.has(doc.file)) drafts.push(chartValuesRelease(view, doc));
  }
  // Changed values files read by a release declared in an unchanged file are found through
  // that release only when it is loaded; the pipeline asks the source for such files.
  return drafts.map(finish);
}

/** Kinds of object that carry a release; used to keep their values out of the object diff. */
export function releaseValuePaths(doc: ParsedDocument): (string | number)[][] {
  if (doc.kind === "flux-helmrelease") return [["spec", "values"]];
  if (doc.kind !== "argocd-application") return [];
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
