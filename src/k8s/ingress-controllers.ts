/**
 * Ingress controllers and gateways: one table of the families people run (Traefik, ingress-nginx,
 * HAProxy, Contour, Kong, Emissary, Istio, Envoy Gateway), recognised by chart, image and controller
 * name, with the Service each chart creates by default.
 */

/** A Service a chart creates with a public type when values do not say otherwise. */
export interface ChartServiceDefault {
  /** Values path of the Service block. */
  path: string[];
  type: string;
}

/** A family of ingress controllers, recognised by chart, image and controller name. */
export interface IngressControllerFamily {
  label: string;
  charts: readonly string[];
  /** Extra check for generic chart names (`gateway`, `ingress`): the chart source must match. */
  source?: RegExp;
  image: RegExp;
  /** IngressClass `spec.controller` / GatewayClass `spec.controllerName`. */
  controller: RegExp;
  /** Ingress class names the chart uses by default. */
  classes: readonly string[];
  /** Serves Gateway API Gateways (each Gateway gets its own proxy and LoadBalancer). */
  gateway: boolean;
  /** Only a controller when something in the change set uses it (istiod is a mesh control plane too). */
  needsDependents?: boolean;
  /** Services some of its charts create with a public type when values do not say, by chart name. */
  defaultServices?: Readonly<Record<string, readonly ChartServiceDefault[]>>;
}

export const INGRESS_CONTROLLERS: readonly IngressControllerFamily[] = [
  {
    label: "Traefik",
    charts: ["traefik"],
    image: /(^|\/)traefik(:|@|$)/,
    controller: /^traefik\.io\//,
    classes: ["traefik"],
    gateway: true,
    defaultServices: { traefik: [{ path: ["service"], type: "LoadBalancer" }] },
  },
  {
    label: "ingress-nginx",
    charts: ["ingress-nginx"],
    image: /ingress-nginx\/controller/,
    controller: /^k8s\.io\/ingress-nginx/,
    classes: ["nginx"],
    gateway: false,
    defaultServices: { "ingress-nginx": [{ path: ["controller", "service"], type: "LoadBalancer" }] },
  },
  {
    label: "NGINX Ingress Controller (NGINX Inc)",
    charts: ["nginx-ingress"],
    image: /nginx\/nginx-ingress|nginx-plus-ingress/,
    controller: /^nginx\.org\/ingress-controller/,
    classes: ["nginx"],
    gateway: false,
    defaultServices: { "nginx-ingress": [{ path: ["controller", "service"], type: "LoadBalancer" }] },
  },
  {
    label: "NGINX Ingress Controller (Bitnami)",
    charts: ["nginx-ingress-controller"],
    image: /bitnami\/nginx-ingress-controller/,
    controller: /^k8s\.io\/ingress-nginx/,
    classes: ["nginx"],
    gateway: false,
    defaultServices: { "nginx-ingress-controller": [{ path: ["service"], type: "LoadBalancer" }] },
  },
  {
    label: "HAProxy Ingress",
    charts: ["haproxy-ingress", "kubernetes-ingress"],
    image: /haproxytech\/kubernetes-ingress|haproxy-ingress/,
    controller: /haproxy/,
    classes: ["haproxy"],
    gateway: false,
    defaultServices: {
      "haproxy-ingress": [{ path: ["controller", "service"], type: "LoadBalancer" }],
      "kubernetes-ingress": [{ path: ["controller", "service"], type: "NodePort" }],
    },
  },
  {
    label: "Contour",
    charts: ["contour"],
    image: /projectcontour\/contour/,
    controller: /^projectcontour\.io\//,
    classes: ["contour"],
    gateway: true,
    defaultServices: { contour: [{ path: ["envoy", "service"], type: "LoadBalancer" }] },
  },
  {
    label: "Kong",
    charts: ["kong", "ingress"],
    source: /kong/i,
    image: /kong\/kubernetes-ingress-controller|(^|\/)kong(-gateway)?(:|@|$)/,
    controller: /konghq\.com\//,
    classes: ["kong"],
    gateway: true,
    defaultServices: { kong: [{ path: ["proxy"], type: "LoadBalancer" }] },
  },
  {
    label: "Emissary-ingress",
    charts: ["emissary-ingress", "ambassador"],
    image: /emissary|datawire\/ambassador/,
    controller: /getambassador\.io\//,
    classes: ["ambassador"],
    gateway: false,
    defaultServices: { "emissary-ingress": [{ path: ["service"], type: "LoadBalancer" }] },
  },
  {
    label: "Istio gateway",
    charts: ["gateway"],
    source: /istio/i,
    image: /istio\/proxyv2/,
    controller: /^istio\.io\//,
    classes: ["istio"],
    gateway: true,
  },
  {
    label: "Istio (istiod)",
    charts: ["istiod"],
    image: /istio\/pilot/,
    controller: /^istio\.io\//,
    classes: ["istio"],
    gateway: true,
    needsDependents: true,
  },
  {
    label: "Envoy Gateway",
    charts: ["gateway-helm", "envoy-gateway"],
    image: /envoyproxy\/gateway(:|@|$)/,
    controller: /^gateway\.envoyproxy\.io\//,
    classes: [],
    gateway: true,
  },
];

/** The family a chart belongs to; generic chart names (`gateway`, `ingress`) also need a matching source. */
export function familyOfChart(chart: string, source: string | null): IngressControllerFamily | null {
  return (
    INGRESS_CONTROLLERS.find(
      (family) => family.charts.includes(chart) && (!family.source || family.source.test(source ?? "")),
    ) ?? null
  );
}

/** The family whose image one of these container images is, or null. */
export function familyOfImages(images: readonly string[]): IngressControllerFamily | null {
  return INGRESS_CONTROLLERS.find((family) => images.some((image) => family.image.test(image))) ?? null;
}

/** The family an IngressClass `spec.controller` or GatewayClass `spec.controllerName` names, or null. */
export function familyOfController(controller: unknown): IngressControllerFamily | null {
  if (typeof controller !== "string") return null;
  return INGRESS_CONTROLLERS.find((family) => family.controller.test(controller)) ?? null;
}

/** The public Services a chart creates by default, by chart name alone (whatever its source). */
export function chartServiceDefaults(chart: string): readonly ChartServiceDefault[] {
  for (const family of INGRESS_CONTROLLERS) {
    // The chart name comes from the pull request: `toString` is not a chart this table knows.
    const defaults = family.defaultServices;
    if (defaults && Object.hasOwn(defaults, chart)) return defaults[chart]!;
  }
  return [];
}
