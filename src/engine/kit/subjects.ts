/**
 * What rules share: finding the pairs they care about, locating a value on the right side,
 * and naming subjects the way a reviewer reads them. Rules stay small and declarative.
 */
import { getIn, isRecord, locate } from "../../model/located.js";
import { describeObject } from "../../model/objects.js";
import type { HelmRelease, KubeObject, Subject, SubjectPair } from "../../model/types.js";
import type { ValuePath } from "../../parse/types.js";
import type { Side } from "../../source/change-set.js";
import type { ValueChange } from "../../diff/types.js";
import type { FindingLocation, PairDiff, ReviewContext } from "../types.js";

export interface ObjectPairDiff extends PairDiff {
  base: KubeObject | null;
  head: KubeObject | null;
}

export interface ReleasePairDiff extends PairDiff {
  base: HelmRelease | null;
  head: HelmRelease | null;
}

/** Pairs of Kubernetes objects, optionally only of some kinds. */
export function objectDiffs(context: ReviewContext, kinds?: readonly string[]): ObjectPairDiff[] {
  const wanted = kinds ? new Set(kinds) : null;
  const result: ObjectPairDiff[] = [];
  for (const diff of context.diffs) {
    const base = diff.pair.base?.type === "object" ? diff.pair.base : null;
    const head = diff.pair.head?.type === "object" ? diff.pair.head : null;
    if (!base && !head) continue;
    const kind = (head ?? base)!.identity.kind;
    if (wanted && !wanted.has(kind) && !(base && wanted.has(base.identity.kind))) continue;
    result.push({ ...diff, base, head });
  }
  return result;
}

/** Pairs of Helm releases (Flux, Argo CD, helmfile, charts in the repo). */
export function releaseDiffs(context: ReviewContext): ReleasePairDiff[] {
  const result: ReleasePairDiff[] = [];
  for (const diff of context.diffs) {
    const base = diff.pair.base?.type === "release" ? diff.pair.base : null;
    const head = diff.pair.head?.type === "release" ? diff.pair.head : null;
    if (base || head) result.push({ ...diff, base, head });
  }
  return result;
}

/** Where a value of a subject is written: the file and line a reviewer should open. */
export function locationOf(subject: Subject, path: ValuePath, side: Side): FindingLocation {
  if (subject.type === "object") {
    const found = locate(subject.document, path);
    return { path: subject.document.file, line: found?.line ?? subject.document.line, side };
  }
  const found = path.length > 0 ? locate(subject.values, path) : null;
  if (found) return { path: found.file, line: found.line, side };
  return { path: subject.location.file, line: subject.location.line, side };
}

/**
 * Where a change shows on the head side: the changed value's own line, or for a removed value the
 * line of its nearest parent still there (the diff locates it), else the subject itself.
 */
export function changeLocation(
  head: Subject,
  change: Pick<ValueChange, "headPath" | "head">,
): FindingLocation {
  if (change.headPath) return locationOf(head, change.headPath, "head");
  if (change.head) return { path: change.head.file, line: change.head.line, side: "head" };
  return locationOf(head, [], "head");
}

/** Where the subject itself is declared, on head when it exists there, else on base. */
export function pairLocation(pair: SubjectPair): FindingLocation {
  if (pair.head) return locationOf(pair.head, [], "head");
  return locationOf(pair.base!, [], "base");
}

/** `Deployment/default/web`, or `HelmRelease traefik/traefik (chart traefik 10.24.0)`. */
export function describeSubject(subject: Subject): string {
  if (subject.type === "object") return describeObject(subject);
  const chart = subject.chart.name
    ? ` (chart ${subject.chart.name}${subject.chart.version ? ` ${subject.chart.version}` : ""})`
    : "";
  if (subject.origin === "chart") return `values ${subject.releaseName}${chart}`;
  const where = subject.namespace ? `${subject.namespace}/` : "";
  return `release ${where}${subject.releaseName}${chart}`;
}

/** Paths that name a production environment: findings there matter more. */
export function isProductionPath(path: string): boolean {
  return /(^|[/._-])(prod|production|prd|live)([/._-]|$)/i.test(path);
}

const POD_TEMPLATE_PATHS: Record<string, ValuePath> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_TEMPLATE_PATHS);

/** Path of the pod spec inside a workload object, or null for other kinds. */
export function podSpecPath(object: KubeObject): ValuePath | null {
  const kind = object.identity.kind; // from the manifest: `constructor` is not a workload
  return Object.hasOwn(POD_TEMPLATE_PATHS, kind) ? POD_TEMPLATE_PATHS[kind]! : null;
}

/** The pod spec of a workload object, or null. */
export function podSpecOf(object: KubeObject | null): Record<string, unknown> | null {
  if (!object) return null;
  const path = podSpecPath(object);
  const spec = path ? getIn(object.document.value, path) : null;
  return isRecord(spec) ? spec : null;
}

/** Changes whose readable path starts with `prefix` (a whole segment match). */
export function changesUnder(diff: PairDiff, prefix: string): PairDiff["changes"] {
  return diff.changes.filter(
    (change) =>
      change.path === prefix ||
      change.path.startsWith(`${prefix}.`) ||
      change.path.startsWith(`${prefix}[`) ||
      prefix === "",
  );
}

/** Short text form of a value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export interface EditedPairDiff extends PairDiff {
  base: Subject;
  head: Subject;
}

/** Pairs on both sides whose values changed: edits (and replacements), not additions or deletions. */
export function editedDiffs(context: ReviewContext): EditedPairDiff[] {
  const result: EditedPairDiff[] = [];
  for (const diff of context.diffs) {
    const { base, head } = diff.pair;
    if (base && head && diff.changes.length > 0) result.push({ ...diff, base, head });
  }
  return result;
}
