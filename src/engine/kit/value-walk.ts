/** Walking the values of a subject on both sides: what a change introduced, leaf by leaf. */
import type { ValueChange } from "../../diff/types.js";
import { cloneValue, getIn, isRecord } from "../../model/located.js";
import { releaseValuePaths } from "../../model/releases.js";
import type { KubeObject, Subject, SubjectPair } from "../../model/types.js";
import type { PathSegment } from "../../parse/types.js";
import type { FindingLocation, ReviewContext } from "../types.js";
import { locationOf, pairLocation } from "./subjects.js";

/**
 * What a rule reads of a subject: a release's effective values, or an object's manifest without
 * the Helm values it declares (a HelmRelease's `spec.values` belongs to its release, read there).
 */
export function ownValue(subject: Subject | null): unknown {
  if (!subject) return undefined;
  if (subject.type === "release") return subject.values.value;
  const paths = releaseValuePaths(subject.document);
  if (paths.length === 0) return subject.document.value;
  const copy = cloneValue(subject.document.value);
  for (const path of paths) {
    const parent = getIn(copy, path.slice(0, -1));
    const last = path[path.length - 1];
    if (isRecord(parent) && typeof last === "string") delete parent[last];
  }
  return copy;
}

export interface ValueNode {
  /** Real path, list positions as numbers: give it to `locationOf`. */
  path: PathSegment[];
  /** Path that survives reordering, list items by `name` when they have one: `containers[name=app].image`. */
  key: string;
  /** The map key or list index the node sits under (null for the root). */
  name: PathSegment | null;
  value: unknown;
  parent: unknown;
}

const WALK_DEPTH_LIMIT = 64;

/**
 * Visits every node of a value depth-first (maps and lists included), never throwing on odd input.
 * `maxDepth` stops at nodes that many segments deep: a caller that only reads shallow keys skips
 * the rest of a large values tree.
 */
export function walkValue(
  value: unknown,
  visit: (node: ValueNode) => void,
  maxDepth = WALK_DEPTH_LIMIT,
): void {
  walkNode(value, [], "", null, undefined, visit, Math.min(maxDepth, WALK_DEPTH_LIMIT));
}

function walkNode(
  value: unknown,
  path: PathSegment[],
  key: string,
  name: PathSegment | null,
  parent: unknown,
  visit: (node: ValueNode) => void,
  maxDepth: number,
): void {
  visit({ path, key, name, value, parent });
  if (path.length >= maxDepth) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const itemName = isRecord(item) && typeof item.name === "string" ? item.name : null;
      const itemKey = itemName === null ? `${key}[${i}]` : `${key}[name=${itemName}]`;
      walkNode(item, [...path, i], itemKey, i, value, visit, maxDepth);
    });
  } else if (isRecord(value)) {
    for (const [childName, child] of Object.entries(value)) {
      const childKey = key ? `${key}.${childName}` : childName;
      walkNode(child, [...path, childName], childKey, childName, value, visit, maxDepth);
    }
  }
}

/** Items found on head whose `key` is not among base's: what the change introduces. */
export function introduced<T extends { key: string }>(base: readonly T[], head: readonly T[]): T[] {
  const before = new Set(base.map((item) => item.key));
  return head.filter((item) => !before.has(item.key));
}

/**
 * Changes with added or removed maps expanded to one change per leaf: `webhook: {replicaCount: 2}`
 * removed reads as `webhook.replicaCount` removed. Leaves keep the location of the map they were in.
 */
export function leafChanges(changes: readonly ValueChange[]): ValueChange[] {
  const result: ValueChange[] = [];
  for (const change of changes) expandChange(change, result, 0);
  return result;
}

function expandChange(change: ValueChange, out: ValueChange[], depth: number): void {
  const side = change.op === "added" ? change.after : change.op === "removed" ? change.before : undefined;
  if (change.op === "changed" || !isRecord(side) || Object.keys(side).length === 0 || depth > 32) {
    out.push(change);
    return;
  }
  for (const [key, value] of Object.entries(side)) {
    expandChange(
      {
        ...change,
        path: change.path ? `${change.path}.${key}` : key,
        basePath: change.basePath ? [...change.basePath, key] : null,
        headPath: change.headPath ? [...change.headPath, key] : null,
        ...(change.op === "added" ? { after: value } : { before: value }),
      },
      out,
      depth + 1,
    );
  }
}

/** A metadata annotation of an object, or null. */
export function annotationOf(object: KubeObject | null, name: string): string | null {
  const value = object ? getIn(object.document.value, ["metadata", "annotations", name]) : undefined;
  return typeof value === "string" ? value : null;
}

/**
 * The annotation that keeps a GitOps tool or Helm from deleting an object removed from git
 * (`kustomize.toolkit.fluxcd.io/prune: disabled`, Argo CD `Prune=false`/`Delete=false`,
 * `helm.sh/resource-policy: keep`), written as `key: value`, or null when nothing protects it.
 */
export function deletionProtection(object: KubeObject | null): string | null {
  const flux = annotationOf(object, "kustomize.toolkit.fluxcd.io/prune");
  if (flux === "disabled") return `kustomize.toolkit.fluxcd.io/prune: ${flux}`;
  const argo = annotationOf(object, "argocd.argoproj.io/sync-options");
  if (argo && /(^|,)\s*(Prune|Delete)=false\s*(,|$)/.test(argo))
    return `argocd.argoproj.io/sync-options: ${argo}`;
  const helm = annotationOf(object, "helm.sh/resource-policy");
  if (helm === "keep") return `helm.sh/resource-policy: ${helm}`;
  return null;
}

/**
 * Where a finding about a replaced pair belongs: on head when the new subject lives in the same
 * file (or the file it was renamed to), so the reviewer sees the edit; else on base, where the
 * deleted subject was written.
 */
export function replacementLocation(context: ReviewContext, pair: SubjectPair): FindingLocation {
  if (!pair.base) return pairLocation(pair);
  const base = locationOf(pair.base, [], "base");
  if (!pair.head) return base;
  const head = locationOf(pair.head, [], "head");
  const renamed = context.changeSet.files.find((file) => file.previousPath === base.path)?.path;
  return head.path === base.path || head.path === renamed ? head : base;
}

/** A switch that is on: YAML `true`, or the string `"true"` (values files often quote it). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Readable form of a real path, as the diff writes it: `spec.sources[0].repoURL`. */
export { formatValuePath } from "../../diff/path.js";
