import {
  describeSubject,
  getIn,
  identityChangeLocation,
  isRecord,
  listNames,
  locationOf,
} from "../../src/engine/rule-kit.js";
import {
  ingressClassOf,
  LOAD_BALANCER_IP_ANNOTATIONS,
  routedHostsOf,
  valuesIngressClass,
  valuesRouteHosts,
  valuesRoutesOf,
  valuesServicesOf,
  type RoutedHost,
} from "../../src/k8s/networking.js";
import { podSpecOf, WORKLOAD_KINDS } from "../../src/k8s/workloads.js";
import type {
  HelmRelease,
  KubeObject,
  ReviewContext,
  Rule,
  RuleReport,
  SubjectPair,
} from "../../src/engine/types.js";
import {
  familyOfChart,
  familyOfController,
  familyOfImages,
  INGRESS_CONTROLLERS,
  type IngressControllerFamily as Family,
} from "../../src/k8s/ingress-controllers.js";
import type { Subject } from "../../src/model/types.js";

const GATEWAY_GROUP = "gateway.networking.k8s.io";

function familyOfRelease(release: HelmRelease): Family | null {
  return familyOfChart(release.chart.name ?? "", release.chart.source);
}

function imagesOf(object: KubeObject): string[] {
  const spec = podSpecOf(object);
  if (!spec) return [];
  return ["containers", "initContainers"].flatMap((key) => {
    const list = spec[key];
    return Array.isArray(list)
      ? list.map((c) => getIn(c, ["image"])).filter((i): i is string => typeof i === "string")
      : [];
  });
}

function argsOf(object: KubeObject): string[] {
  const spec = podSpecOf(object);
  const containers = spec && Array.isArray(spec.containers) ? spec.containers : [];
  return containers.flatMap((c) => {
    const args = getIn(c, ["args"]);
    return Array.isArray(args) ? args.filter((a): a is string => typeof a === "string") : [];
  });
}

/** What the controller is, how Ingresses and Gateways find it, and where its address is pinned. */
interface Controller {
  pair: SubjectPair;
  family: Family;
  kind: "release" | "workload" | "ingressclass" | "gatewayclass" | "gateway";
  classes: Set<string>;
  gatewayClasses: Set<string>;
  /** Gateway names (for a Gateway object). */
  gatewayName: string | null;
  isDefault: boolean;
  address: string | null;
}

function releaseClasses(release: HelmRelease, family: Family): { classes: Set<string>; isDefault: boolean } {
  const classes = new Set(family.classes);
  const values = release.values.value;
  if (family.charts.includes("traefik")) classes.add(release.releaseName);
  for (const path of [
    ["ingressClass", "name"],
    ["ingressClass"],
    ["controller", "ingressClass"],
    ["controller", "ingressClass", "name"],
    ["controller", "ingressClassResource", "name"],
    ["ingressClassResource", "name"],
    ["ingressController", "ingressClass"],
    ["providers", "kubernetesIngress", "ingressClass"],
  ]) {
    const name = getIn(values, path);
    if (typeof name === "string" && name !== "") classes.add(name);
  }
  const isDefault = [
    ["ingressClass", "isDefaultClass"],
    ["controller", "ingressClassResource", "default"],
    ["ingressClassResource", "default"],
    ["controller", "ingressClass", "setAsDefaultIngress"],
  ].some((path) => getIn(values, path) === true);
  return { classes, isDefault };
}

/** The address the first cloud or bare-metal annotation of a Service pins, or null. */
function annotatedAddress(annotations: unknown): string | null {
  if (!isRecord(annotations)) return null;
  for (const name of LOAD_BALANCER_IP_ANNOTATIONS) {
    const value = annotations[name];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

function releaseAddress(release: HelmRelease): string | null {
  for (const service of valuesServicesOf(release)) {
    const ip = getIn(service.block, ["loadBalancerIP"]) ?? getIn(service.block, ["spec", "loadBalancerIP"]);
    if (typeof ip === "string" && ip !== "") return ip;
    const annotated = annotatedAddress(getIn(service.block, ["annotations"]));
    if (annotated) return annotated;
  }
  return null;
}

function gatewayAddress(object: KubeObject): string | null {
  const addresses = getIn(object.document.value, ["spec", "addresses"]);
  if (Array.isArray(addresses)) {
    const values = addresses
      .map((a) => getIn(a, ["value"]))
      .filter((v): v is string => typeof v === "string");
    if (values.length > 0) return values.join(", ");
  }
  return annotatedAddress(getIn(object.document.value, ["spec", "infrastructure", "annotations"]));
}

/** GatewayClass names in the change set (either side) whose controller belongs to `family`. */
function gatewayClassesOf(context: ReviewContext, family: Family): Set<string> {
  const names = new Set<string>(family.label.startsWith("Istio") ? ["istio"] : []);
  for (const pair of context.pairs) {
    for (const subject of [pair.base, pair.head]) {
      if (subject?.type !== "object" || subject.identity.kind !== "GatewayClass") continue;
      const controller = getIn(subject.document.value, ["spec", "controllerName"]);
      if (typeof controller === "string" && family.controller.test(controller))
        names.add(subject.identity.name);
    }
  }
  return names;
}

function controllerOf(context: ReviewContext, pair: SubjectPair): Controller | null {
  const gone = pair.base;
  if (!gone || (pair.status !== "removed" && pair.status !== "replaced")) return null;
  if (gone.type === "release") {
    const family = familyOfRelease(gone);
    // A replacement by the same controller chart keeps the family; another chart is a switch.
    if (!family) return null;
    const { classes, isDefault } = releaseClasses(gone, family);
    return {
      pair,
      family,
      kind: "release",
      classes,
      gatewayClasses: family.gateway ? gatewayClassesOf(context, family) : new Set(),
      gatewayName: null,
      isDefault,
      address: releaseAddress(gone),
    };
  }
  const kind = gone.identity.kind;
  const value = gone.document.value;
  if (WORKLOAD_KINDS.includes(kind)) {
    if (pair.status !== "removed") return null; // a renamed Deployment is recreated; its Service stays
    const images = imagesOf(gone);
    const family = familyOfImages(images);
    if (!family) return null;
    const classes = new Set(family.classes);
    for (const arg of argsOf(gone)) {
      const match =
        /^--(?:ingress-class|ingressclass|providers\.kubernetesingress\.ingressclass)=(.+)$/i.exec(arg);
      if (match?.[1]) classes.add(match[1]);
    }
    return {
      pair,
      family,
      kind: "workload",
      classes,
      gatewayClasses: family.gateway ? gatewayClassesOf(context, family) : new Set(),
      gatewayName: null,
      isDefault: false,
      address: null,
    };
  }
  if (kind === "IngressClass") {
    const controller = getIn(value, ["spec", "controller"]);
    const family = familyOfController(controller);
    if (!family) return null;
    const isDefault =
      getIn(value, ["metadata", "annotations", "ingressclass.kubernetes.io/is-default-class"]) === "true";
    return {
      pair,
      family,
      kind: "ingressclass",
      classes: new Set([gone.identity.name]),
      gatewayClasses: new Set(),
      gatewayName: null,
      isDefault,
      address: null,
    };
  }
  if (kind === "GatewayClass" && gone.identity.group === GATEWAY_GROUP) {
    const controller = getIn(value, ["spec", "controllerName"]);
    const family = familyOfController(controller);
    if (!family) return null;
    return {
      pair,
      family,
      kind: "gatewayclass",
      classes: new Set(),
      gatewayClasses: new Set([gone.identity.name]),
      gatewayName: null,
      isDefault: false,
      address: null,
    };
  }
  if (kind === "Gateway" && gone.identity.group === GATEWAY_GROUP) {
    const className = getIn(value, ["spec", "gatewayClassName"]);
    const family =
      INGRESS_CONTROLLERS.find(
        (f) => f.gateway && typeof className === "string" && f.classes.includes(className),
      ) ?? INGRESS_CONTROLLERS.find((f) => f.label === "Envoy Gateway")!;
    return {
      pair,
      family,
      kind: "gateway",
      classes: new Set(),
      gatewayClasses: new Set(typeof className === "string" ? [className] : []),
      gatewayName: gone.identity.name,
      isDefault: false,
      address: gatewayAddress(gone),
    };
  }
  return null;
}

/** What goes with a controller release: its Service, by type, and the address it holds. */
function exposureOf(controller: Controller): string {
  const base = controller.pair.base;
  if (controller.kind !== "release" || base?.type !== "release") return "Service";
  const services = valuesServicesOf(base).filter((service) => service.enabled);
  if (services.some((service) => service.type === "LoadBalancer")) {
    return controller.address
      ? `LoadBalancer Service and its external IP ${controller.address}`
      : "LoadBalancer Service and the external IP the provider assigned to it";
  }
  if (services.some((service) => service.type === "NodePort"))
    return "NodePort Service (the node ports that external load balancers and DNS point at)";
  return "Service and pods";
}

/** Names of the Gateways a route attaches to. */
function parentNames(value: unknown): string[] {
  const refs = getIn(value, ["parentRefs"]);
  if (!Array.isArray(refs)) return [];
  return refs.map((ref) => getIn(ref, ["name"])).filter((name): name is string => typeof name === "string");
}

/** Ingresses, routes and Gateways in the change set (both sides) that need this controller. */
function dependentsOf(context: ReviewContext, controller: Controller, onlyController: boolean): string[] {
  const found = new Map<string, Set<string>>();
  const note = (owner: string, hosts: readonly RoutedHost[]): void => {
    const set = found.get(owner) ?? new Set<string>();
    for (const { host } of hosts) set.add(host);
    found.set(owner, set);
  };
  const noteSubject = (subject: Subject): void => note(describeSubject(subject), routedHostsOf(subject));
  const classMatches = (ingressClass: string | null): boolean =>
    ingressClass === null
      ? controller.isDefault || onlyController
      : controller.classes.has(ingressClass) || (onlyController && controller.kind !== "gateway");
  const gateways = new Set<string>(controller.gatewayName ? [controller.gatewayName] : []);
  // Gateways of the controller's classes, so routes attached to them count too.
  for (const pair of context.pairs) {
    for (const subject of [pair.base, pair.head]) {
      if (subject?.type !== "object" || subject.identity.kind !== "Gateway") continue;
      const className = getIn(subject.document.value, ["spec", "gatewayClassName"]);
      if (
        controller.kind !== "gateway" &&
        typeof className === "string" &&
        controller.gatewayClasses.has(className)
      ) {
        gateways.add(subject.identity.name);
        noteSubject(subject);
      }
    }
  }
  for (const pair of context.pairs) {
    if (pair === controller.pair) continue;
    for (const subject of [pair.base, pair.head]) {
      if (!subject) continue;
      if (subject.type === "object") {
        const kind = subject.identity.kind;
        const value = subject.document.value;
        if (kind === "Ingress" && controller.kind !== "gateway" && controller.kind !== "gatewayclass") {
          const ingressClass = ingressClassOf(
            value,
            ["metadata", "annotations"],
            ["spec", "ingressClassName"],
          );
          if (classMatches(ingressClass)) noteSubject(subject);
        } else if (
          (kind === "IngressRoute" || kind === "IngressRouteTCP") &&
          controller.family.label === "Traefik"
        ) {
          noteSubject(subject);
        } else if (/Route$/.test(kind) && subject.identity.group === GATEWAY_GROUP) {
          if (parentNames(getIn(value, ["spec"])).some((name) => gateways.has(name))) noteSubject(subject);
        }
      } else {
        for (const route of valuesRoutesOf(subject)) {
          if (!route.enabled) continue;
          const owner = `${describeSubject(subject)} values ${route.name}`;
          if (
            route.via === "ingress" &&
            controller.kind !== "gateway" &&
            controller.kind !== "gatewayclass"
          ) {
            if (classMatches(valuesIngressClass(route))) note(owner, valuesRouteHosts(route));
          } else if (route.via === "route" && parentNames(route.block).some((name) => gateways.has(name))) {
            note(owner, valuesRouteHosts(route));
          }
        }
      }
    }
  }
  return [...found.entries()].map(([owner, hosts]) =>
    hosts.size > 0 ? `${owner} (${listNames([...hosts], 4)})` : owner,
  );
}

export const rule: Rule = {
  meta: {
    id: "ingress-controller-removed",
    title: "Ingress controller deleted or replaced",
    category: "availability",
    defaultSeverity: "critical",
    appliesTo: ["release", "object"],
    description:
      "An ingress controller or gateway (Traefik, ingress-nginx, NGINX, HAProxy, Contour, Kong, Emissary, Istio, Envoy Gateway) is deleted or reinstalled under a new identity, taking its LoadBalancer and IP with it.",
    covers: [{ rule: "release-removed", messageIds: ["removed", "removedAssets"], match: "subject" }],
  },
  messages: {
    releaseRemoved:
      "{{controller}} ingress controller {{subject}} is deleted: Helm uninstalls it with its {{exposure}}, and every host it serves stops answering until another controller takes over (controllers added in this change: {{added}}). Ingress classes: {{classes}}{{defaultNote}}. Depending on it in this change: {{dependents}}.",
    releaseRemovedAlone:
      "{{controller}} ingress controller {{subject}} is deleted: Helm uninstalls it with its {{exposure}}, and every host it serves stops answering until another controller takes over (controllers added in this change: {{added}}). No Ingress or route in this change names it: in the cluster, every Ingress with class {{classes}}{{defaultNote}} loses its controller (`kubectl get ingress -A`).",
    releaseReplaced:
      "{{controller}} ingress controller {{old}} is replaced by {{subject}} ({{reason}}): Helm uninstalls the old release and installs a new one, so its {{exposure}} are deleted and created again; a new LoadBalancer gets a new IP unless one is pinned, so DNS records and allow-lists on the old IP break, and an IngressClass named after the release is renamed. Ingress classes: {{classes}}{{defaultNote}}. Depending on it in this change: {{dependents}}.",
    releaseReplacedAlone:
      "{{controller}} ingress controller {{old}} is replaced by {{subject}} ({{reason}}): Helm uninstalls the old release and installs a new one, so its {{exposure}} are deleted and created again; a new LoadBalancer gets a new IP unless one is pinned, so DNS records and allow-lists on the old IP break, and an IngressClass named after the release is renamed. No Ingress in this change names it: in the cluster, every Ingress with class {{classes}}{{defaultNote}} is affected (`kubectl get ingress -A`).",
    controlPlaneRemoved:
      "{{controller}} {{subject}} is {{action}}: it is the controller of Gateways and Ingresses of class {{classes}}; without it their proxies and LoadBalancer Services are no longer managed (and are deleted with their owner), so their hosts stop answering. Depending on it in this change: {{dependents}}.",
    workloadRemoved:
      "{{controller}} ingress controller {{subject}} is deleted: nothing serves Ingresses of class {{classes}} any more, so their hosts stop answering even if the LoadBalancer Service stays. Depending on it in this change: {{dependents}}.",
    ingressClassRemoved:
      "{{subject}} ({{controller}}) is {{action}}: Ingresses that name class {{classes}} are no longer served by any controller. Depending on it in this change: {{dependents}}.",
    gatewayClassRemoved:
      "{{subject}} ({{controller}}) is {{action}}: Gateways of that class lose their controller, which deletes their proxies and LoadBalancer Services. Depending on it in this change: {{dependents}}.",
    gatewayRemoved:
      "{{subject}} ({{controller}}, class {{classes}}) is deleted: the controller deletes the proxy and LoadBalancer Service it provisioned for it, releasing {{address}}. Routes attached to it in this change: {{dependents}}.",
    gatewayReplaced:
      "{{old}} ({{controller}}, class {{classes}}) is replaced by {{subject}} ({{reason}}): the old Gateway's proxy and LoadBalancer Service ({{address}}) are deleted and a new one is provisioned; if both ask for the same IP, the new one only gets it once the old one is gone. Routes attached to it in this change: {{dependents}}.",
  },
  remediation:
    "Keep the controller's identity (release name, namespace, Gateway name) and change it in place; to move to another controller, run both side by side with pinned IPs, move DNS and Ingresses over, and delete the old one in a later PR.",
  checklist: [
    "Which hosts does this controller serve today (`kubectl get ingress,httproute -A`), and what serves them after the merge?",
    "Is the new LoadBalancer IP known, pinned, and already in DNS and partner allow-lists?",
    "Is there a cut-over plan with the old and new controllers running side by side, and a rollback?",
    "Do certificates (ACME storage, cert-manager solvers) survive the move?",
  ],
  evaluate(context) {
    const controllers = context.pairs
      .map((pair) => controllerOf(context, pair))
      .filter((found): found is Controller => found !== null);
    // How many controllers the change set knows on the base side: alone, it serves every Ingress.
    const known = context.pairs.filter((pair) => {
      const family = pair.base?.type === "release" ? familyOfRelease(pair.base) : null;
      return family !== null && !family.needsDependents;
    }).length;
    const added = context.pairs.flatMap((pair) => {
      const head = pair.head;
      if (pair.status !== "added" || head?.type !== "release") return [];
      const family = familyOfRelease(head);
      return family && !family.needsDependents ? [`${family.label} (${describeSubject(head)})`] : [];
    });
    const reports: RuleReport[] = [];
    for (const controller of controllers) {
      const { pair, family } = controller;
      const base = pair.base!;
      const onlyController = controller.kind === "release" && known === 1 && !family.needsDependents;
      const dependents = dependentsOf(context, controller, onlyController);
      if (family.needsDependents && dependents.length === 0) continue;
      const removed = pair.status === "removed" || !pair.head;
      const location = removed ? locationOf(base, [], "base") : identityChangeLocation(context, pair);
      const classes =
        controller.kind === "gateway" || controller.kind === "gatewayclass"
          ? [...controller.gatewayClasses]
          : [...controller.classes];
      const data: Record<string, string> = {
        controller: family.label,
        subject: describeSubject(removed ? base : pair.head!),
        old: describeSubject(base),
        reason: pair.replacementReason ?? "new identity",
        address: controller.address ?? "an address not pinned in git",
        exposure: exposureOf(controller),
        added: listNames(added) || "none",
        classes: classes.length > 0 ? listNames(classes) : "(none)",
        defaultNote: controller.isDefault ? " or without a class (it is the default IngressClass)" : "",
        dependents: dependents.length > 0 ? listNames(dependents, 8) : "none in this change",
        action: removed ? "deleted" : `replaced by ${pair.head ? describeSubject(pair.head) : "another"}`,
      };
      let messageId: string;
      if (controller.kind === "release" && !family.needsDependents) {
        messageId = removed
          ? dependents.length > 0
            ? "releaseRemoved"
            : "releaseRemovedAlone"
          : dependents.length > 0
            ? "releaseReplaced"
            : "releaseReplacedAlone";
      } else if (family.needsDependents) messageId = "controlPlaneRemoved";
      else if (controller.kind === "workload") messageId = "workloadRemoved";
      else if (controller.kind === "ingressclass") messageId = "ingressClassRemoved";
      else if (controller.kind === "gatewayclass") messageId = "gatewayClassRemoved";
      else messageId = removed ? "gatewayRemoved" : "gatewayReplaced";
      reports.push({
        messageId,
        data,
        location,
        subject: pair.id,
        evidence: {
          path: base.type === "release" ? "release" : "object",
          before: describeSubject(base),
          after: pair.head ? describeSubject(pair.head) : undefined,
        },
      });
    }
    return reports;
  },
};
