/**
 * Reads a kustomization tree in the snapshot before kustomize runs: every file it will read, so
 * that only those are copied into the build folder, and every remote reference (a `github.com/...`
 * base, an `https://` resource, a `git@` component), refused unless allowed, so kustomize never
 * tries the network. A folder without a kustomization gets one generated as kustomize-controller
 * does: every .yaml/.yml file below it, and every sub-folder that has a kustomization as a whole.
 */
import { parse, stringify } from "yaml";
import { resolveRepoPath, type RepoSnapshot } from "./snapshot.js";
import type { BuildFailure, FluxKustomizationOverlay } from "./types.js";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export interface KustomizationTree {
  /** Repo paths to copy into the build folder. */
  files: Set<string>;
  /** Kustomization files we write instead of copying (generated, or with the Flux overlay). */
  written: Map<string, string>;
  /** References kustomize would fetch (when allowed). */
  remote: string[];
}

export type TreeResult = { ok: true; tree: KustomizationTree } | BuildFailure;

const MAX_KUSTOMIZATIONS = 500;

/** Looks like something kustomize loads over the network rather than from the folder. */
export function isRemoteReference(entry: string): boolean {
  const value = entry.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return true;
  if (/^git@/i.test(value) || /^[^/\s]+@[^/\s]+:/.test(value)) return true;
  if (/[?&](ref|version|timeout|submodules)=/.test(value)) return true;
  // host.tld/org/repo (github.com/..., gitlab.example.com/...): a dotted first segment, not ./ or ../
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/[^\s]+/i.test(value) && !value.startsWith(".");
}

export async function readKustomizationTree(
  snapshot: RepoSnapshot,
  root: string,
  options: { allowRemote: boolean; flux?: FluxKustomizationOverlay },
): Promise<TreeResult> {
  const tree: KustomizationTree = { files: new Set(), written: new Map(), remote: [] };
  const listing = new Map<string, Set<string>>();
  const filesUnder = async (folder: string): Promise<Set<string>> => {
    let files = listing.get(folder);
    if (!files) {
      files = new Set(await snapshot.list(folder));
      listing.set(folder, files);
    }
    return files;
  };
  const all = await filesUnder("");
  const isFile = (path: string) => all.has(path);
  const isDir = (path: string) => path === "" || [...all].some((p) => p.startsWith(`${path}/`));
  const kustomizationIn = (dir: string) =>
    KUSTOMIZATION_FILES.map((f) => (dir ? `${dir}/${f}` : f)).find(isFile);

  if (!isDir(root))
    return { ok: false, kind: "not-found", reason: `${root || "/"} is not a folder in the repository` };

  let rootFile = kustomizationIn(root);
  let rootDoc: Record<string, unknown>;
  if (rootFile) {
    const parsed = await readKustomization(snapshot, rootFile);
    if (!parsed.ok) return parsed;
    rootDoc = parsed.doc;
  } else {
    rootFile = root ? `${root}/kustomization.yaml` : "kustomization.yaml";
    rootDoc = generateKustomization(root, [...(await filesUnder(root))], kustomizationIn);
  }
  if (options.flux) applyOverlay(rootDoc, options.flux);
  tree.written.set(rootFile, stringify(rootDoc));

  const visited = new Set<string>();
  const queue: { file: string; doc: Record<string, unknown> }[] = [{ file: rootFile, doc: rootDoc }];
  while (queue.length > 0) {
    const { file, doc } = queue.shift()!;
    if (visited.has(file)) continue;
    visited.add(file);
    if (visited.size > MAX_KUSTOMIZATIONS) {
      return {
        ok: false,
        kind: "invalid-input",
        reason: `more than ${MAX_KUSTOMIZATIONS} kustomizations below ${root || "/"}`,
      };
    }
    if (!tree.written.has(file)) tree.files.add(file);
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";

    for (const ref of references(doc)) {
      const where = `${ref.field} entry "${ref.value}" in ${file}`;
      if (isRemoteReference(ref.value)) {
        if (!options.allowRemote) {
          return {
            ok: false,
            kind: "refused",
            reason: `${where} is a remote reference; remote bases, resources and components are not fetched (allow them in the configuration)`,
          };
        }
        tree.remote.push(ref.value);
        continue;
      }
      if (ref.value.startsWith("/"))
        return { ok: false, kind: "refused", reason: `${where} is an absolute path` };
      const target = resolveRepoPath(dir, ref.value);
      if (target === null)
        return { ok: false, kind: "refused", reason: `${where} points outside the repository` };
      if (isFile(target)) {
        tree.files.add(target);
        continue;
      }
      if (ref.kind === "file-or-dir" && isDir(target)) {
        const nested = kustomizationIn(target);
        if (!nested)
          return { ok: false, kind: "not-found", reason: `${where}: ${target} has no kustomization.yaml` };
        const parsed = await readKustomization(snapshot, nested);
        if (!parsed.ok) return parsed;
        queue.push({ file: nested, doc: parsed.doc });
        continue;
      }
      return { ok: false, kind: "not-found", reason: `${where}: ${target} is not in the repository` };
    }
  }
  return { ok: true, tree };
}

async function readKustomization(
  snapshot: RepoSnapshot,
  file: string,
): Promise<{ ok: true; doc: Record<string, unknown> } | BuildFailure> {
  const data = await snapshot.read(file);
  if (!data) return { ok: false, kind: "not-found", reason: `${file} could not be read` };
  let doc: unknown;
  try {
    doc = parse(data.toString("utf8"), { maxAliasCount: 100 });
  } catch (err) {
    return {
      ok: false,
      kind: "invalid-input",
      reason: `${file} is not valid YAML: ${(err as Error).message}`,
    };
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isRecord(doc))
    return { ok: false, kind: "invalid-input", reason: `${file} is not a kustomization (not a mapping)` };
  return { ok: true, doc };
}

interface Reference {
  field: string;
  value: string;
  kind: "file" | "file-or-dir";
}

/** Every path a kustomization names: resources, bases, components, patches, generator inputs. */
function references(doc: Record<string, unknown>): Reference[] {
  const out: Reference[] = [];
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  for (const field of ["resources", "bases", "components", "generators", "transformers", "validators"]) {
    // Inline plugin configurations (YAML text) are not paths.
    for (const value of strings(doc[field]))
      if (!value.includes("\n")) out.push({ field, value, kind: "file-or-dir" });
  }
  for (const field of ["crds", "configurations"]) {
    for (const value of strings(doc[field])) out.push({ field, value, kind: "file" });
  }
  for (const value of strings(doc.patchesStrategicMerge))
    if (!value.includes("\n")) out.push({ field: "patchesStrategicMerge", value, kind: "file" });
  for (const field of ["patches", "patchesJson6902", "replacements"]) {
    const list = doc[field];
    if (!Array.isArray(list)) continue;
    for (const item of list)
      if (isRecord(item) && typeof item.path === "string")
        out.push({ field, value: item.path, kind: "file" });
  }
  if (isRecord(doc.openapi) && typeof doc.openapi.path === "string")
    out.push({ field: "openapi", value: doc.openapi.path, kind: "file" });
  for (const field of ["configMapGenerator", "secretGenerator"]) {
    const list = doc[field];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (!isRecord(item)) continue;
      for (const entry of strings(item.files))
        out.push({
          field,
          value: entry.includes("=") ? entry.slice(entry.indexOf("=") + 1) : entry,
          kind: "file",
        });
      for (const entry of strings(item.envs)) out.push({ field, value: entry, kind: "file" });
      if (typeof item.env === "string") out.push({ field, value: item.env, kind: "file" });
    }
  }
  return out;
}

/** kustomize-controller's generator for a folder without a kustomization. */
function generateKustomization(
  root: string,
  files: string[],
  kustomizationIn: (dir: string) => string | undefined,
): Record<string, unknown> {
  const prefix = root ? `${root}/` : "";
  const resources: string[] = [];
  const claimed = new Set<string>();
  for (const file of files.sort()) {
    const relative = file.slice(prefix.length);
    const parts = relative.split("/");
    // The shallowest sub-folder with a kustomization takes everything below it.
    let owner: string | null = null;
    for (let i = 1; i < parts.length; i++) {
      const dir = prefix + parts.slice(0, i).join("/");
      if (kustomizationIn(dir)) {
        owner = parts.slice(0, i).join("/");
        break;
      }
    }
    if (owner !== null) {
      if (!claimed.has(owner)) {
        claimed.add(owner);
        resources.push(`./${owner}`);
      }
      continue;
    }
    if (/\.ya?ml$/.test(relative)) resources.push(`./${relative}`);
  }
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources };
}

/** What kustomize-controller writes into the kustomization from the Flux object's spec. */
function applyOverlay(doc: Record<string, unknown>, flux: FluxKustomizationOverlay): void {
  if (flux.targetNamespace) doc.namespace = flux.targetNamespace;
  if (flux.namePrefix) doc.namePrefix = flux.namePrefix;
  if (flux.nameSuffix) doc.nameSuffix = flux.nameSuffix;
  if (flux.patches?.length)
    doc.patches = [...(Array.isArray(doc.patches) ? doc.patches : []), ...flux.patches];
  if (flux.components?.length)
    doc.components = [...(Array.isArray(doc.components) ? doc.components : []), ...flux.components];
  if (flux.images?.length) {
    const images = (Array.isArray(doc.images) ? doc.images : []) as { name?: string }[];
    for (const image of flux.images) {
      const at = images.findIndex((i) => i.name === image.name);
      if (at >= 0) images[at] = image;
      else images.push(image);
    }
    doc.images = images;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
