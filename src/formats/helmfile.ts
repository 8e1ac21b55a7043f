/**
 * helmfile: `releases:` (and `helmfiles:`) in a helmfile.yaml, a helmfile-*.yaml or a file under
 * helmfile.d/. Each release: local chart defaults, values files and inline values in order, `set`.
 */
import { posix } from "node:path";
import { getIn, getString, isRecord, locate, subtree } from "../model/located.js";
import type { RepoView } from "../model/repo-view.js";
import {
  chartDefaultsLayer,
  fileLayer,
  joinPath,
  parameterLayer,
  type Layer,
  type ReleaseDraft,
} from "../model/values-layers.js";
import type { ParsedDocument } from "../parse/types.js";
import type { FormatModule } from "./types.js";

const HELMFILE = /^helmfile[^/]*\.ya?ml$/i;

function isHelmfilePath(path: string): boolean {
  return HELMFILE.test(posix.basename(path)) || path.split("/").includes("helmfile.d");
}

export const helmfile: FormatModule = {
  id: "helmfile",
  kinds: ["helmfile"],
  detect(path, value) {
    return isHelmfilePath(path) && (Array.isArray(value.releases) || Array.isArray(value.helmfiles))
      ? "helmfile"
      : null;
  },
  releases(view, doc) {
    return doc.kind === "helmfile" ? helmfileReleases(view, doc) : [];
  },
};

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
