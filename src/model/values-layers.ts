/**
 * The values layers of a Helm release, shared by every format that declares releases: a values
 * file, values embedded as a string, chart defaults, `--set` parameters, merged in order.
 */
import { posix } from "node:path";
import { parseFile } from "../parse/parse-file.js";
import { pathKey, type LocatedValue, type ParsedDocument, type SourceLocation } from "../parse/types.js";
import { getIn, getString, locate, mergeLayers, relocate, setDotted } from "./located.js";
import type { RepoView } from "./repo-view.js";
import type { ChartRef, HelmRelease, ReleaseOrigin, ValuesSource } from "./types.js";

export interface Layer {
  source: ValuesSource;
  values: LocatedValue | null;
}

export interface ReleaseDraft {
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

/** The release a draft describes: its layers merged the way Helm merges them. */
export function finishRelease(draft: ReleaseDraft): HelmRelease {
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

export function joinPath(dir: string, relative: string): string {
  const joined = posix.normalize(posix.join(dir, relative));
  return joined.startsWith("./") ? joined.slice(2) : joined;
}

/** A whole values file as one layer; missing files stay visible as unresolved layers. */
export function fileLayer(view: RepoView, path: string, description: string): Layer {
  const doc = view.firstDocument(path);
  if (!doc) {
    return { source: { kind: "unresolved", file: path, description }, values: null };
  }
  return { source: { kind: "file", file: path }, values: { value: doc.value, locations: doc.locations } };
}

/** Values written as a YAML string inside a manifest (Argo CD `helm.values`, ConfigMap data). */
export function embeddedLayer(
  doc: ParsedDocument,
  path: (string | number)[],
  kind: ValuesSource["kind"],
): Layer {
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

export function chartDefaultsLayer(view: RepoView, chartDir: string): Layer | null {
  const chartFile = view.firstDocument(`${chartDir}/Chart.yaml`);
  if (!chartFile) return null;
  const layer = fileLayer(view, `${chartDir}/values.yaml`, "chart default values");
  return { ...layer, source: { ...layer.source, kind: "chart-defaults" } };
}

/** Helm `--set` parameters: typed like Helm does unless forceString is set. */
export function parameterLayer(doc: ParsedDocument, path: (string | number)[], parameters: unknown[]): Layer {
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
