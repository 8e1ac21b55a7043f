/**
 * What rules share: finding the pairs they care about, locating a value on the right side,
 * and naming subjects the way a reviewer reads them. Rules stay small and declarative.
 */
import { cloneValue, getIn, isRecord, locate } from "../model/located.js";
import { describeObject } from "../model/objects.js";
import type { HelmRelease, KubeObject, Subject, SubjectPair } from "../model/types.js";
import type { ValuePath } from "../parse/types.js";
import type { Side } from "../source/change-set.js";
import type { FindingLocation, PairDiff, ReviewContext } from "./types.js";

export { getIn, isRecord };

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
  return POD_TEMPLATE_PATHS[object.identity.kind] ?? null;
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

// ---------------------------------------------------------------- walking values on both sides
// (imports for this section; ES modules hoist them)
import type { ValueChange } from "../diff/types.js";
import { releaseValuePaths } from "../model/releases.js";
import type { PathSegment } from "../parse/types.js";

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

/** Visits every node of a value depth-first (maps and lists included), never throwing on odd input. */
export function walkValue(value: unknown, visit: (node: ValueNode) => void): void {
  walkNode(value, [], "", null, undefined, visit);
}

function walkNode(
  value: unknown,
  path: PathSegment[],
  key: string,
  name: PathSegment | null,
  parent: unknown,
  visit: (node: ValueNode) => void,
): void {
  visit({ path, key, name, value, parent });
  if (path.length >= WALK_DEPTH_LIMIT) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const itemName = isRecord(item) && typeof item.name === "string" ? item.name : null;
      const itemKey = itemName === null ? `${key}[${i}]` : `${key}[name=${itemName}]`;
      walkNode(item, [...path, i], itemKey, i, value, visit);
    });
  } else if (isRecord(value)) {
    for (const [childName, child] of Object.entries(value)) {
      walkNode(child, [...path, childName], key ? `${key}.${childName}` : childName, childName, value, visit);
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

// ---------------------------------------------------------------- networking: Services, Ingresses, routes

/** Keys of a Service-like block in chart values (`service`, `controller.service`, app-template `service.<name>`). */
const SERVICE_FIELDS = new Set([
  "type",
  "spec",
  "annotations",
  "loadBalancerIP",
  "loadBalancerClass",
  "loadBalancerSourceRanges",
  "externalTrafficPolicy",
  "ports",
  "port",
  "nodePorts",
  "externalIPs",
  "enabled",
  "labels",
  "controller",
]);
const SERVICE_MARKERS = [
  "type",
  "spec",
  "annotations",
  "loadBalancerIP",
  "externalTrafficPolicy",
  "ports",
  "controller",
];

/** Where charts that default their Service to a public type keep it, when values do not say. */
const CHART_SERVICE_DEFAULTS: Record<string, { path: string[]; type: string }[]> = {
  traefik: [{ path: ["service"], type: "LoadBalancer" }],
  "ingress-nginx": [{ path: ["controller", "service"], type: "LoadBalancer" }],
  "nginx-ingress": [{ path: ["controller", "service"], type: "LoadBalancer" }],
  "nginx-ingress-controller": [{ path: ["service"], type: "LoadBalancer" }],
  "haproxy-ingress": [{ path: ["controller", "service"], type: "LoadBalancer" }],
  "kubernetes-ingress": [{ path: ["controller", "service"], type: "NodePort" }],
  kong: [{ path: ["proxy"], type: "LoadBalancer" }],
  contour: [{ path: ["envoy", "service"], type: "LoadBalancer" }],
  "emissary-ingress": [{ path: ["service"], type: "LoadBalancer" }],
};

/** A Service that chart values configure. */
export interface ValuesService {
  /** Value path of the block: `["controller", "service"]`, `["service", "app"]`. */
  path: string[];
  /** Readable path of the block. */
  name: string;
  block: Record<string, unknown>;
  /** `type` (or `spec.type`) from values, else the chart's known default, else null (chart default unknown). */
  type: string | null;
  /** True when `type` is the chart's default rather than written in values. */
  defaulted: boolean;
  /** False when values switch the Service off (`enabled: false`). */
  enabled: boolean;
}

function isServiceKey(key: string): boolean {
  return key === "service" || key === "services" || /^[a-z][A-Za-z]*Service$/.test(key);
}

function looksLikeService(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && SERVICE_MARKERS.some((key) => key in value);
}

/**
 * Services configured in a release's values, whatever the chart calls them: `service`,
 * `controller.service` (ingress-nginx), `service.spec.*` (Traefik), app-template's named
 * `service.<name>`, plus the public Service some ingress charts create by default.
 */
export function valuesServicesOf(release: HelmRelease | null): ValuesService[] {
  if (!release) return [];
  const found = new Map<string, ValuesService>();
  const add = (path: string[], block: Record<string, unknown>): void => {
    const written = getIn(block, ["type"]) ?? getIn(block, ["spec", "type"]);
    found.set(path.join("."), {
      path,
      name: path.join("."),
      block,
      type: typeof written === "string" ? written : null,
      defaulted: false,
      enabled: block.enabled !== false && block.enabled !== "false",
    });
  };
  walkValue(release.values.value, (node) => {
    if (node.path.length > 4 || typeof node.name !== "string" || !isServiceKey(node.name)) return;
    if (!isRecord(node.value) || node.path.some((segment) => typeof segment === "number")) return;
    const path = node.path as string[];
    if (looksLikeService(node.value)) add(path, node.value);
    for (const [child, value] of Object.entries(node.value)) {
      if (!SERVICE_FIELDS.has(child) && looksLikeService(value)) add([...path, child], value);
    }
  });
  for (const known of CHART_SERVICE_DEFAULTS[release.chart.name ?? ""] ?? []) {
    const key = known.path.join(".");
    const existing = found.get(key);
    if (existing && existing.type === null)
      found.set(key, { ...existing, type: known.type, defaulted: true });
    if (!existing) {
      const block = getIn(release.values.value, known.path);
      found.set(key, {
        path: known.path,
        name: key,
        block: isRecord(block) ? block : {},
        type: known.type,
        defaulted: true,
        enabled: !(isRecord(block) && block.enabled === false),
      });
    }
  }
  return [...found.values()];
}

/** Cloud and bare-metal annotations that pin a LoadBalancer's address. */
export const LOAD_BALANCER_IP_ANNOTATIONS: readonly string[] = [
  "service.beta.kubernetes.io/azure-load-balancer-ipv4",
  "service.beta.kubernetes.io/azure-load-balancer-ipv6",
  "service.beta.kubernetes.io/azure-pip-name",
  "networking.gke.io/load-balancer-ip-addresses",
  "service.beta.kubernetes.io/aws-load-balancer-eip-allocations",
  "service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses",
  "service.beta.kubernetes.io/oci-load-balancer-ip",
  "service.beta.kubernetes.io/openstack-load-balancer-ip",
  "load-balancer.hetzner.cloud/ipv4",
  "kubernetes.digitalocean.com/load-balancer-id",
  "metallb.universe.tf/loadBalancerIPs",
  "metallb.universe.tf/address-pool",
  "metallb.io/loadBalancerIPs",
  "metallb.io/address-pool",
  "lbipam.cilium.io/ips",
  "lbipam.cilium.io/sharing-key",
  "io.cilium/lb-ipam-ips",
  "kube-vip.io/loadbalancerIPs",
];

/** A host name a subject routes: an Ingress rule, a route hostname, a Gateway listener, or chart values. */
export interface RoutedHost {
  host: string;
  /** `ingress`, `route` (Gateway API routes, Traefik IngressRoute) or `listener` (Gateway). */
  via: "ingress" | "route" | "listener";
  /** Value path of the host (manifest path for objects, values path for releases). */
  path: PathSegment[];
  /** Readable owner: `Ingress/default/web` or `values ingress.main`. */
  owner: string;
}

const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute"]);
const TRAEFIK_ROUTE_KINDS = new Set(["IngressRoute", "IngressRouteTCP"]);

function hostsFromMatch(match: unknown): string[] {
  if (typeof match !== "string") return [];
  const hosts: string[] = [];
  for (const call of match.matchAll(/Host(?:SNI)?\(([^)]*)\)/g)) {
    for (const quoted of (call[1] ?? "").matchAll(/[`"']([^`"']+)[`"']/g))
      if (quoted[1]) hosts.push(quoted[1]);
  }
  return hosts;
}

/** Host names an Ingress, HTTPRoute, Gateway or Traefik IngressRoute object routes. */
export function objectHostsOf(object: KubeObject | null): RoutedHost[] {
  if (!object) return [];
  const value = object.document.value;
  const owner = describeObject(object);
  const hosts: RoutedHost[] = [];
  const list = (path: PathSegment[]): unknown[] => {
    const found = getIn(value, path);
    return Array.isArray(found) ? found : [];
  };
  const kind = object.identity.kind;
  if (kind === "Ingress") {
    list(["spec", "rules"]).forEach((rule, i) => {
      const host = getIn(rule, ["host"]);
      if (typeof host === "string")
        hosts.push({ host, via: "ingress", path: ["spec", "rules", i, "host"], owner });
    });
  } else if (ROUTE_KINDS.has(kind)) {
    list(["spec", "hostnames"]).forEach((host, i) => {
      if (typeof host === "string") hosts.push({ host, via: "route", path: ["spec", "hostnames", i], owner });
    });
  } else if (kind === "Gateway" && object.identity.group === "gateway.networking.k8s.io") {
    list(["spec", "listeners"]).forEach((listener, i) => {
      const host = getIn(listener, ["hostname"]);
      if (typeof host === "string")
        hosts.push({ host, via: "listener", path: ["spec", "listeners", i, "hostname"], owner });
    });
  } else if (TRAEFIK_ROUTE_KINDS.has(kind)) {
    list(["spec", "routes"]).forEach((route, i) => {
      for (const host of hostsFromMatch(getIn(route, ["match"])))
        hosts.push({ host, via: "route", path: ["spec", "routes", i, "match"], owner });
    });
  }
  return hosts;
}

/** An ingress or route that chart values configure (`ingress`, `ingress.<name>`, `httpRoute`, `route.<name>`). */
export interface ValuesRoute {
  path: string[];
  name: string;
  via: "ingress" | "route";
  block: Record<string, unknown>;
  enabled: boolean;
}

const INGRESS_MARKERS = ["hosts", "hostname", "tls", "className", "ingressClassName", "paths", "host"];
const ROUTE_MARKERS = ["hostnames", "parentRefs", "rules"];

function routeKind(key: string): "ingress" | "route" | null {
  if (/^ingress(es)?$/i.test(key) || /^[a-z][A-Za-z]*Ingress$/.test(key)) return "ingress";
  if (/^(route|routes|httpRoute|httpRoutes|httproute|grpcRoute)$/.test(key)) return "route";
  return null;
}

/** Ingress and route blocks of a release's values, whatever the chart calls them. */
export function valuesRoutesOf(release: HelmRelease | null): ValuesRoute[] {
  if (!release) return [];
  const found: ValuesRoute[] = [];
  walkValue(release.values.value, (node) => {
    if (node.path.length > 4 || typeof node.name !== "string" || !isRecord(node.value)) return;
    if (node.path.some((segment) => typeof segment === "number")) return;
    const via = routeKind(node.name);
    if (!via) return;
    const markers = via === "ingress" ? INGRESS_MARKERS : ROUTE_MARKERS;
    const path = node.path as string[];
    const push = (at: string[], block: Record<string, unknown>): void => {
      found.push({ path: at, name: at.join("."), via, block, enabled: block.enabled !== false });
    };
    if (markers.some((key) => key in (node.value as Record<string, unknown>))) push(path, node.value);
    else {
      for (const [child, value] of Object.entries(node.value)) {
        if (isRecord(value) && markers.some((key) => key in value)) push([...path, child], value);
      }
    }
  });
  return found;
}

/** Host names a values ingress or route block serves (`hosts[]`, `hosts[].host`, `hostname`, `hostnames[]`). */
export function valuesRouteHosts(route: ValuesRoute): RoutedHost[] {
  if (!route.enabled) return [];
  const owner = `values ${route.name}`;
  const hosts: RoutedHost[] = [];
  const push = (host: unknown, path: PathSegment[]): void => {
    if (typeof host === "string" && host.trim() !== "")
      hosts.push({ host, via: route.via, path: [...route.path, ...path], owner });
  };
  const block = route.block;
  for (const key of ["hosts", "hostnames", "extraHosts"]) {
    const list = block[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (typeof item === "string") push(item, [key, i]);
      else if (isRecord(item)) {
        if (typeof item.host === "string") push(item.host, [key, i, "host"]);
        else if (typeof item.name === "string") push(item.name, [key, i, "name"]);
      }
    });
  }
  push(block.hostname, ["hostname"]);
  push(block.host, ["host"]);
  return hosts;
}

/** Every host a subject routes: objects by kind, releases through their values. */
export function routedHostsOf(subject: Subject | null): RoutedHost[] {
  if (!subject) return [];
  if (subject.type === "object") return objectHostsOf(subject);
  return valuesRoutesOf(subject).flatMap(valuesRouteHosts);
}

/** The IngressClass an Ingress asks for (`spec.ingressClassName` or the legacy annotation), or null. */
export function ingressClassOf(
  value: unknown,
  annotationsPath: PathSegment[],
  classPath: PathSegment[],
): string | null {
  const name = getIn(value, classPath);
  if (typeof name === "string" && name !== "") return name;
  const annotation = getIn(value, [...annotationsPath, "kubernetes.io/ingress.class"]);
  return typeof annotation === "string" && annotation !== "" ? annotation : null;
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

// ---------------------------------------------------------------- what uninstalling a release destroys

/** Something a release creates whose loss costs more than a redeploy: data, an address, custom resources. */
export interface ReleaseAsset {
  kind: "persistence" | "loadbalancer" | "crds";
  /** Readable fact for messages: `master.persistence (PVC)`, `service (type LoadBalancer)`. */
  text: string;
  /** Values path to point at (on the side the release exists). */
  path: PathSegment[];
}

const PERSISTENCE_KEYS = /^(persistence|persistentVolume|primaryPersistence)$/;
const CRD_FLAG = /^(installCRDs|manageCRDs|createCRDs)$/;

/**
 * What deleting a release takes with it, read from its effective values whatever the chart calls
 * it: PVC-backed persistence (`persistence.enabled`, `master.persistence.enabled`,
 * `server.persistentVolume.enabled`, app-template `persistence.<name>` claims it creates,
 * `volumeClaimTemplates`), LoadBalancer Services (`valuesServicesOf`) and CRDs installed by the
 * chart (`installCRDs`, `crds.enabled`...). Never throws on odd values.
 */
export function releaseAssets(release: HelmRelease | null): ReleaseAsset[] {
  if (!release) return [];
  const assets: ReleaseAsset[] = [];
  walkValue(release.values.value, (node) => {
    if (node.path.length > 5 || typeof node.name !== "string" || !isRecord(node.value)) return;
    if (node.path.some((segment) => typeof segment === "number")) return;
    const block = node.value;
    if (PERSISTENCE_KEYS.test(node.name)) {
      if (block.enabled === true || block.enabled === "true") {
        const size = typeof block.size === "string" ? `, ${block.size}` : "";
        assets.push({
          kind: "persistence",
          text: `${node.key} (PVC${size})`,
          path: [...node.path, "enabled"],
        });
        return;
      }
      if ("enabled" in block) return;
      // app-template: persistence.<name>.{type, existingClaim, size}; a claim it creates is deleted with it.
      for (const [name, item] of Object.entries(block)) {
        if (!isRecord(item) || item.enabled === false) continue;
        const creates =
          (item.type === "persistentVolumeClaim" || (item.type === undefined && "size" in item)) &&
          !(typeof item.existingClaim === "string" && item.existingClaim !== "");
        if (creates)
          assets.push({ kind: "persistence", text: `${node.key}.${name} (PVC)`, path: [...node.path, name] });
      }
      return;
    }
    if (node.name === "crds" && (block.enabled === true || block.install === true) && block.keep !== true)
      assets.push({ kind: "crds", text: `${node.key} (CRDs installed by the release)`, path: node.path });
  });
  walkValue(release.values.value, (node) => {
    if (node.path.length > 5 || typeof node.name !== "string") return;
    if (node.name === "volumeClaimTemplates" && Array.isArray(node.value) && node.value.length > 0)
      assets.push({ kind: "persistence", text: `${node.key} (PVCs)`, path: node.path });
    if (node.name === "volumeClaimTemplate" && isRecord(node.value) && Object.keys(node.value).length > 0)
      assets.push({ kind: "persistence", text: `${node.key} (PVC)`, path: node.path });
    if (CRD_FLAG.test(node.name) && (node.value === true || node.value === "true"))
      assets.push({ kind: "crds", text: `${node.key} (CRDs installed by the release)`, path: node.path });
  });
  for (const service of valuesServicesOf(release)) {
    if (service.enabled && service.type === "LoadBalancer")
      assets.push({
        kind: "loadbalancer",
        text: `${service.name} (type LoadBalancer${service.defaulted ? ", chart default" : ""})`,
        path: service.path,
      });
  }
  return assets;
}
