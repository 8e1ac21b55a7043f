/**
 * The variables a custom rule's expression sees, built from one subject pair. Objects get
 * `object` / `oldObject` as in a ValidatingAdmissionPolicy (null on the side where the object does
 * not exist); releases get `values` / `oldValues` and `release` / `oldRelease`; both get `change`.
 */
import type { HelmRelease, KubeObject, SubjectPair } from "../model/types.js";
import type { ObjectPairDiff, ReleasePairDiff } from "../engine/rule-kit.js";
import type { ValueChange } from "../diff/types.js";
import type { CelInput } from "../cel/compile.js";
import { toCelInput } from "../cel/input.js";

export function objectBindings(diff: ObjectPairDiff): Record<string, CelInput> {
  const { base, head } = diff;
  const current = (head ?? base)!;
  return {
    object: head ? toCelInput(head.document.value) : null,
    oldObject: base ? toCelInput(base.document.value) : null,
    change: changeOf(diff.pair, diff.changes, {
      kind: current.identity.kind,
      name: names(head, base, (o) => o.identity.name),
      namespace: names(head, base, (o) => o.identity.namespace),
      file: names(head, base, (o) => o.document.file),
    }),
  };
}

export function releaseBindings(diff: ReleasePairDiff): Record<string, CelInput> {
  const { base, head } = diff;
  return {
    values: head ? toCelInput(head.values.value ?? {}) : null,
    oldValues: base ? toCelInput(base.values.value ?? {}) : null,
    release: head ? releaseOf(head) : null,
    oldRelease: base ? releaseOf(base) : null,
    change: changeOf(diff.pair, diff.changes, {
      kind: "release",
      name: names(head, base, (r) => r.releaseName),
      namespace: names(head, base, (r) => r.namespace),
      file: names(head, base, (r) => r.location.file),
    }),
  };
}

function releaseOf(release: HelmRelease): CelInput {
  return {
    name: release.releaseName,
    namespace: release.namespace,
    origin: release.origin,
    chart: {
      name: release.chart.name,
      version: release.chart.version,
      source: release.chart.source,
    },
    declaredBy: release.declaredBy,
  };
}

/** The head side's value, else the base side's; and the base side's alone as the old one. */
function names<T extends KubeObject | HelmRelease>(
  head: T | null,
  base: T | null,
  read: (subject: T) => string | null,
): { current: string | null; old: string | null } {
  return { current: head ? read(head) : base ? read(base) : null, old: base ? read(base) : null };
}

interface Naming {
  kind: string;
  name: { current: string | null; old: string | null };
  namespace: { current: string | null; old: string | null };
  file: { current: string | null; old: string | null };
}

function changeOf(pair: SubjectPair, changes: readonly ValueChange[], naming: Naming): CelInput {
  return {
    status: pair.status,
    id: pair.id,
    kind: naming.kind,
    name: naming.name.current,
    oldName: naming.name.old,
    namespace: naming.namespace.current,
    oldNamespace: naming.namespace.old,
    file: naming.file.current,
    oldFile: naming.file.old,
    paths: changes.map((change) => change.path),
    changes: changes.map((change) => ({
      path: change.path,
      op: change.op,
      before: toCelInput(change.before),
      after: toCelInput(change.after),
    })),
  };
}
