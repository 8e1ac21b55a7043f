import type { ChangeSet, ContextReader, FileChange } from "../../src/source/change-set.js";

/** A kustomization.yaml generating the `traefik-values` ConfigMap from `values-traefik.yaml`. */
export const TRAEFIK_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - helmrelease.yaml
configMapGenerator:
  - name: traefik-values
    files:
      - values.yaml=values-traefik.yaml
`;

/** `path: [base, head]`; null marks the side where the file does not exist. */
export type FilePairs = Record<string, [string | null, string | null]>;

export function changeSetOf(files: FilePairs): ChangeSet {
  const changes: FileChange[] = Object.entries(files).map(([path, [base, head]]) => ({
    path,
    status: base === null ? "added" : head === null ? "removed" : "modified",
    base,
    head,
  }));
  return { files: changes, context: new Map(), notes: [] };
}

/** Unchanged repository files, the same on both sides; records what the pipeline asked for. */
export function contextOf(files: Record<string, string>): ContextReader & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    async read(paths) {
      asked.push([...paths]);
      return paths
        .filter((path) => path in files)
        .map((path) => ({ path, base: files[path]!, head: files[path]! }));
    },
  };
}
