/**
 * Flux Kustomization `spec.postBuild`: variables from `substituteFrom` ConfigMaps and Secrets (in
 * order, later ones winning) and then `substitute` (winning over both), newlines dropped from the
 * values, names checked, and each resource of the built YAML expanded on its own unless it is
 * labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`. A pure function: the
 * caller finds the ConfigMaps and Secrets (in the repository) and passes their data in.
 */
import { parse } from "yaml";
import { envsubst, SubstitutionError } from "./envsubst.js";

export interface SubstituteSource {
  kind: "ConfigMap" | "Secret";
  name: string;
  /** `optional: true` tolerates a missing object, as if it were empty. */
  optional?: boolean;
  /** Its data as text (a Secret's `data` base64-decoded, merged with `stringData`); null when it does not exist. */
  data: Readonly<Record<string, string>> | null;
}

export interface PostBuild {
  substitute?: Readonly<Record<string, string>>;
  substituteFrom?: readonly SubstituteSource[];
  /** kustomize-controller's StrictPostBuildSubstitutions: a `${var}` without default and value fails. */
  strict?: boolean;
}

export type Substituted = { ok: true; text: string } | { ok: false; reason: string };

const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const DISABLED_KEY = "kustomize.toolkit.fluxcd.io/substitute";

/** Expands the variables of a kustomize build output (a `---`-separated YAML stream). */
export function applyPostBuild(stream: string, postBuild: PostBuild): Substituted {
  const sources = postBuild.substituteFrom ?? [];
  const inline = postBuild.substitute ?? {};
  // "Substitution of variables only happens if at least a single variable or resource to
  // substitute from is defined" (Flux docs).
  if (sources.length === 0 && Object.keys(inline).length === 0) return { ok: true, text: stream };

  const vars = new Map<string, string>();
  for (const source of sources) {
    if (source.data === null) {
      if (source.optional) continue;
      return {
        ok: false,
        reason: `substitute from '${source.kind}/${source.name}': not found in the repository`,
      };
    }
    for (const [key, value] of Object.entries(source.data)) vars.set(key, String(value).replace(/\n/g, ""));
  }
  for (const [key, value] of Object.entries(inline)) vars.set(key, String(value).replace(/\n/g, ""));
  for (const name of vars.keys()) {
    if (!VAR_NAME.test(name))
      return {
        ok: false,
        reason: `'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`,
      };
  }

  const documents = stream.split(/^---[ \t]*\r?\n/m);
  const out: string[] = [];
  for (const doc of documents) {
    if (!doc.includes("$") || isDisabled(doc)) {
      out.push(doc);
      continue;
    }
    try {
      out.push(envsubst(doc, (name) => vars.get(name), postBuild.strict ?? false));
    } catch (err) {
      const message = err instanceof SubstitutionError ? err.message : String(err);
      return { ok: false, reason: `variable substitution failed in ${identify(doc)}: ${message}` };
    }
  }
  return { ok: true, text: out.join("---\n") };
}

function isDisabled(doc: string): boolean {
  if (!doc.includes(DISABLED_KEY)) return false;
  try {
    const value = parse(doc, { maxAliasCount: 100 }) as {
      metadata?: { labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
    } | null;
    return (
      value?.metadata?.labels?.[DISABLED_KEY] === "disabled" ||
      value?.metadata?.annotations?.[DISABLED_KEY] === "disabled"
    );
  } catch {
    return false;
  }
}

function identify(doc: string): string {
  const kind = /^kind:\s*(\S+)/m.exec(doc)?.[1] ?? "a resource";
  const name = /^ {2}name:\s*(\S+)/m.exec(doc)?.[1];
  return name ? `${kind}/${name}` : kind;
}
