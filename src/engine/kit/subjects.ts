/**
 * What rules share: finding the pairs they care about, locating a value on the right side, and
 * short texts for messages. Rules stay small and declarative.
 */
import { getIn, locate } from "../../model/located.js";
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

/** Paths that name a production environment: findings there matter more. */
export function isProductionPath(path: string): boolean {
  return /(^|[/._-])(prod|production|prd|live)([/._-]|$)/i.test(path);
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

/** Short list for messages: `a, b, c and 4 more`. */
export function listNames(names: readonly string[], limit = 6): string {
  const unique = [...new Set(names)];
  if (unique.length <= limit) return unique.join(", ");
  return `${unique.slice(0, limit).join(", ")} and ${unique.length - limit} more`;
}

const IDENTITY_CHANGE =
  /^(metadata\.(name|namespace)|spec\.(releaseName|targetNamespace|chart\.spec\.chart|chartRef\.name|destination\.namespace)|spec\.sources?(\[[^\]]*\])?\.(chart|helm\.releaseName))$/;

/**
 * The head line that makes a replaced release (or object) a new identity: the changed
 * `metadata.name`, `spec.releaseName`, `spec.targetNamespace`, chart name or helmfile `name:`.
 * Falls back to `replacementLocation` when no such line is found.
 */
export function identityChangeLocation(context: ReviewContext, pair: SubjectPair): FindingLocation {
  const head = pair.head;
  if (!head || !pair.base) return pairLocation(pair);
  const objectId = head.type === "release" ? head.declaredBy : head.id;
  const file = head.type === "release" ? head.location.file : head.document.file;
  for (const diff of context.diffs) {
    const declared = diff.pair.head;
    if (declared?.type !== "object" || declared.id !== objectId || declared.document.file !== file) continue;
    const change = diff.changes.find((item) => item.head && IDENTITY_CHANGE.test(item.path));
    if (change?.head) return { path: change.head.file, line: change.head.line, side: "head" };
  }
  if (head.type === "release" && pair.base.type === "release" && head.origin === "helmfile") {
    const doc = context.files
      .filter((parsed) => parsed.side === "head" && parsed.file === file)
      .flatMap((parsed) => parsed.documents)
      .find((candidate) => candidate.kind === "helmfile");
    const releases = doc ? getIn(doc.value, ["releases"]) : undefined;
    if (doc && Array.isArray(releases)) {
      const index = releases.findIndex((_, i) => locate(doc, ["releases", i])?.line === head.location.line);
      const key =
        pair.base.releaseName !== head.releaseName
          ? "name"
          : pair.base.namespace !== head.namespace
            ? "namespace"
            : "chart";
      const found = index >= 0 ? locate(doc, ["releases", index, key]) : null;
      if (found) return { path: found.file, line: found.line, side: "head" };
    }
  }
  return locationOf(head, [], "head");
}
