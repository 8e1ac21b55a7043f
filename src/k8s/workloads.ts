/**
 * Workloads and their pod specs: the one reader every rule and renderer uses (kube-linter's
 * `extract.PodSpec`). Tolerant: odd shapes give no pod spec, never an exception.
 */
import { getIn, isRecord } from "../model/located.js";
import type { KubeObject } from "../model/types.js";
import type { PathSegment, ValuePath } from "../parse/types.js";

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

/** Kinds whose pod template sits at a known path. */
export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_TEMPLATE_PATHS);

/** Path of the pod spec inside a workload object, or null for other kinds. */
export function podSpecPath(object: KubeObject): ValuePath | null {
  const kind = object.identity.kind; // from the manifest: `constructor` is not a workload
  return Object.hasOwn(POD_TEMPLATE_PATHS, kind) ? POD_TEMPLATE_PATHS[kind]! : null;
}

export interface PodSpecAt {
  /** Path of the pod spec in the object's document. */
  path: ValuePath;
  spec: Record<string, unknown>;
}

const MAX_DEPTH = 8;

/**
 * Pod specs of an object: the workload template for workload kinds, or any nested map with a
 * `containers` list for custom resources that embed one (operators' `deployment.spec.template.spec`).
 * Release declarations (HelmRelease, Application) are not walked: their values are read as values.
 */
export function podSpecsOf(object: KubeObject | null): PodSpecAt[] {
  if (!object || object.document.kind !== "kubernetes-object") return [];
  const known = podSpecPath(object);
  if (known) {
    const spec = getIn(object.document.value, known);
    return isRecord(spec) ? [{ path: known, spec }] : [];
  }
  const found: PodSpecAt[] = [];
  walk(object.document.value, [], 0, (value, path) => {
    if (isRecord(value) && Array.isArray(value.containers)) {
      found.push({ path, spec: value });
      return false;
    }
    return true;
  });
  return found;
}

/** The pod template of a workload kind (Deployment, CronJob, ...), or null: no custom resources. */
export function podSpecOf(object: KubeObject | null): Record<string, unknown> | null {
  if (!object || !podSpecPath(object)) return null;
  return podSpecsOf(object)[0]?.spec ?? null;
}

function walk(
  value: unknown,
  path: PathSegment[],
  depth: number,
  visit: (value: unknown, path: PathSegment[]) => boolean,
): void {
  if (depth > MAX_DEPTH || !visit(value, path)) return;
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i], depth + 1, visit));
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) walk(item, [...path, key], depth + 1, visit);
  }
}
