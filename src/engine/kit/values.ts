/** What rules read of a subject's values, and what a change introduced, leaf by leaf. */
import type { ValueChange } from "../../diff/types.js";
import { releaseValuePaths } from "../../formats/registry.js";
import { cloneValue, getIn, isRecord } from "../../model/located.js";
import type { Subject } from "../../model/types.js";

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

/** A switch that is on: YAML `true`, or the string `"true"` (values files often quote it). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Readable form of a real path, as the diff writes it: `spec.sources[0].repoURL`. */
export { formatValuePath } from "../../diff/path.js";
