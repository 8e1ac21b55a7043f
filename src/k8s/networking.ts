/** Services, Ingresses and routes, in manifests and in chart values; addresses a LoadBalancer pins. */
import { getIn, isRecord } from "../model/located.js";
import { describeObject } from "../model/objects.js";
import type { HelmRelease, KubeObject, Subject } from "../model/types.js";
import { walkValue } from "../model/value-walk.js";
import type { PathSegment } from "../parse/types.js";
import { chartServiceDefaults } from "./ingress-controllers.js";

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
  walkValue(
    release.values.value,
    (node) => {
      if (typeof node.name !== "string" || !isServiceKey(node.name)) return;
      if (!isRecord(node.value) || node.path.some((segment) => typeof segment === "number")) return;
      const path = node.path as string[];
      if (looksLikeService(node.value)) add(path, node.value);
      for (const [child, value] of Object.entries(node.value)) {
        if (!SERVICE_FIELDS.has(child) && looksLikeService(value)) add([...path, child], value);
      }
    },
    4,
  );
  for (const known of chartServiceDefaults(release.chart.name ?? "")) {
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

/**
 * Hosts of a Traefik rule: the quoted arguments of each `Host(...)` / `HostSNI(...)`. The closing
 * parenthesis is found with indexOf, not `\(([^)]*)\)`: that regex rescans to the end of the
 * string from every `Host(` when there is no `)`, quadratic on a hostile rule.
 */
function hostsFromMatch(match: unknown): string[] {
  if (typeof match !== "string") return [];
  const hosts: string[] = [];
  const call = /Host(?:SNI)?\(/g;
  for (let found = call.exec(match); found; found = call.exec(match)) {
    const close = match.indexOf(")", call.lastIndex);
    if (close < 0) break;
    for (const quoted of match.slice(call.lastIndex, close).matchAll(/[`"']([^`"']+)[`"']/g))
      if (quoted[1]) hosts.push(quoted[1]);
    call.lastIndex = close + 1;
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
  walkValue(
    release.values.value,
    (node) => {
      if (typeof node.name !== "string" || !isRecord(node.value)) return;
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
    },
    4,
  );
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

/** The class a values ingress block asks for (`className`, the legacy annotation, `ingressClassName`), or null. */
export function valuesIngressClass(route: ValuesRoute): string | null {
  const named = ingressClassOf(route.block, ["annotations"], ["className"]);
  if (named !== null) return named;
  return typeof route.block.ingressClassName === "string" ? route.block.ingressClassName : null;
}
