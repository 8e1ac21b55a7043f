import { isDeepStrictEqual } from "node:util";
import type { HelmRelease, KubeObject, Subject, SubjectPair } from "./types.js";

function fileOf(subject: Subject): string {
  return subject.type === "object" ? subject.document.file : subject.location.file;
}

function contentOf(subject: Subject): unknown {
  return subject.type === "object"
    ? subject.document.value
    : { values: subject.values.value, chart: { ...subject.chart, versionLocation: null } };
}

function pairOf(base: Subject, head: Subject): SubjectPair {
  if (base.type === "release" && head.type === "release" && chartChanged(base, head)) {
    return {
      id: head.id,
      status: "replaced",
      base,
      head,
      replacementReason: `chart changed from ${base.chart.name} to ${head.chart.name}: Helm uninstalls and reinstalls`,
    };
  }
  const same = isDeepStrictEqual(contentOf(base), contentOf(head));
  return { id: head.id, status: same ? "unchanged" : "modified", base, head };
}

function chartChanged(base: HelmRelease, head: HelmRelease): boolean {
  return base.chart.name !== null && head.chart.name !== null && base.chart.name !== head.chart.name;
}

/**
 * Pairs base and head subjects by identity, then pairs what is left into replacements:
 * a subject that disappears while a similar one appears under another name or namespace is,
 * for Kubernetes, a delete followed by a create.
 *
 * `renames` maps base file paths to head file paths so duplicates of one identity
 * (Kustomize bases and overlays) pair with their own file.
 */
export function pairSubjects(
  base: readonly Subject[],
  head: readonly Subject[],
  renames: ReadonlyMap<string, string>,
): SubjectPair[] {
  const pairs: SubjectPair[] = [];
  const unmatchedHead = new Set(head);
  const removed: Subject[] = [];
  const headById = new Map<string, Subject[]>();
  for (const subject of head) headById.set(subject.id, [...(headById.get(subject.id) ?? []), subject]);

  for (const subject of base) {
    const candidates = (headById.get(subject.id) ?? []).filter((s) => unmatchedHead.has(s));
    const movedTo = renames.get(fileOf(subject)) ?? fileOf(subject);
    const match = candidates.find((c) => fileOf(c) === movedTo) ?? candidates[0];
    if (!match) {
      removed.push(subject);
      continue;
    }
    unmatchedHead.delete(match);
    pairs.push(pairOf(subject, match));
  }

  for (const subject of removed) {
    const replacement = findReplacement(subject, [...unmatchedHead], renames);
    if (replacement) {
      unmatchedHead.delete(replacement.subject);
      pairs.push({
        id: `${subject.id} -> ${replacement.subject.id}`,
        status: "replaced",
        base: subject,
        head: replacement.subject,
        replacementReason: replacement.reason,
      });
    } else {
      pairs.push({ id: subject.id, status: "removed", base: subject, head: null });
    }
  }
  for (const subject of head) {
    if (unmatchedHead.has(subject))
      pairs.push({ id: subject.id, status: "added", base: null, head: subject });
  }
  return pairs;
}

interface Replacement {
  subject: Subject;
  reason: string;
}

function findReplacement(
  gone: Subject,
  added: readonly Subject[],
  renames: ReadonlyMap<string, string>,
): Replacement | null {
  if (gone.type === "release") {
    const sameChart = added.filter(
      (s): s is HelmRelease =>
        s.type === "release" && s.chart.name !== null && s.chart.name === gone.chart.name,
    );
    const movedTo = renames.get(gone.location.file) ?? gone.location.file;
    const pick =
      sameChart.find((s) => s.location.file === movedTo) ??
      sameChart.find((s) => s.origin === gone.origin && sameChart.length === 1);
    if (!pick) return null;
    return { subject: pick, reason: `same chart ${gone.chart.name}, ${describeReleaseMove(gone, pick)}` };
  }
  const objects = added.filter(
    (s): s is KubeObject =>
      s.type === "object" &&
      s.identity.group === gone.identity.group &&
      s.identity.kind === gone.identity.kind,
  );
  const renamedNamespace = objects.find(
    (s) => s.identity.name === gone.identity.name && s.identity.namespace !== gone.identity.namespace,
  );
  if (renamedNamespace) {
    return {
      subject: renamedNamespace,
      reason: `same ${gone.identity.kind} name, namespace ${gone.identity.namespace ?? "(none)"} -> ${renamedNamespace.identity.namespace ?? "(none)"}`,
    };
  }
  // Same kind, most of the content the same: the object was renamed (a delete plus a create).
  let best: { subject: KubeObject; score: number } | null = null;
  for (const candidate of objects) {
    // Two releases of different charts are two different things, however alike their manifests.
    if (chartOf(candidate) !== chartOf(gone)) continue;
    const score = similarity(gone.document.value, candidate.document.value);
    if (score >= RENAME_SIMILARITY && (!best || score > best.score)) best = { subject: candidate, score };
  }
  if (best) {
    return {
      subject: best.subject,
      reason: `same ${gone.identity.kind} content (${Math.round(best.score * 100)}% alike), ${describeIdentityMove(gone, best.subject)}`,
    };
  }
  return null;
}

/** Share of leaf values two objects have in common, ignoring their names. */
const RENAME_SIMILARITY = 0.5;

/** Objects with fewer leaves than this (a bare Namespace) say too little to be called alike. */
const MIN_LEAVES = 3;

/** Leaves per manifest, computed once: every removed object is compared with every added one. */
const leafCache = new WeakMap<object, Set<string>>();

function cachedLeaves(value: unknown): Set<string> {
  if (typeof value !== "object" || value === null) return leaves(value);
  let found = leafCache.get(value);
  if (!found) {
    found = leaves(value);
    leafCache.set(value, found);
  }
  return found;
}

function similarity(a: unknown, b: unknown): number {
  const left = cachedLeaves(a);
  const right = cachedLeaves(b);
  if (left.size < MIN_LEAVES || right.size < MIN_LEAVES) return 0;
  let shared = 0;
  for (const leaf of left) if (right.has(leaf)) shared++;
  return shared / Math.max(left.size, right.size);
}

function leaves(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      // Names differ by definition; apiVersion and kind are equal for every candidate.
      if (prefix === "" && (key === "metadata" || key === "apiVersion" || key === "kind")) continue;
      leaves(child, `${prefix}/${key}`, out);
    }
  } else {
    out.add(`${prefix}=${JSON.stringify(value)}`);
  }
  return out;
}

function describeIdentityMove(from: KubeObject, to: KubeObject): string {
  const parts: string[] = [];
  if (from.identity.name !== to.identity.name)
    parts.push(`name ${from.identity.name} -> ${to.identity.name}`);
  if (from.identity.namespace !== to.identity.namespace) {
    parts.push(`namespace ${from.identity.namespace ?? "(none)"} -> ${to.identity.namespace ?? "(none)"}`);
  }
  return parts.join(", ");
}

function describeReleaseMove(from: HelmRelease, to: HelmRelease): string {
  const parts: string[] = [];
  if (from.releaseName !== to.releaseName)
    parts.push(`release name ${from.releaseName} -> ${to.releaseName}`);
  if (from.namespace !== to.namespace)
    parts.push(`namespace ${from.namespace || "(none)"} -> ${to.namespace || "(none)"}`);
  return parts.join(", ") || "new identity";
}

/** Chart a HelmRelease or Application object installs, or null for other objects. */
function chartOf(object: KubeObject): string | null {
  const value = object.document.value as Record<string, unknown>;
  const spec = (value.spec ?? {}) as Record<string, unknown>;
  const fluxChart = (spec.chart as { spec?: { chart?: unknown } } | undefined)?.spec?.chart;
  const chartRef = (spec.chartRef as { name?: unknown } | undefined)?.name;
  const argoChart = (spec.source as { chart?: unknown; path?: unknown } | undefined)?.chart;
  const found = fluxChart ?? chartRef ?? argoChart;
  return typeof found === "string" ? found : null;
}
