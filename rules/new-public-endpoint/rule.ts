import {
  describeSubject,
  getIn,
  listNames,
  locationOf,
  objectDiffs,
  releaseDiffs,
} from "../../src/engine/rule-kit.js";
import { routedHostsOf, valuesServicesOf } from "../../src/k8s/networking.js";
import type { KubeObject, Rule, RuleReport } from "../../src/engine/types.js";

const PUBLIC_TYPES = new Set(["LoadBalancer", "NodePort"]);

function objectType(object: KubeObject | null): string | null {
  if (!object) return null;
  const type = getIn(object.document.value, ["spec", "type"]);
  return typeof type === "string" ? type : "ClusterIP";
}

/** LoadBalancer is more exposed than NodePort: NodePort -> LoadBalancer adds an external IP. */
function morePublic(before: string | null, after: string | null): boolean {
  if (!after || !PUBLIC_TYPES.has(after)) return false;
  if (before === after) return false;
  return !(before === "LoadBalancer" && after === "NodePort");
}

export const rule: Rule = {
  meta: {
    id: "new-public-endpoint",
    title: "New public endpoint",
    category: "security",
    defaultSeverity: "medium",
    appliesTo: ["object", "release"],
    description:
      "A new LoadBalancer or NodePort Service (or a Service switched to one), or a new Ingress host or route hostname, in manifests or chart values.",
  },
  messages: {
    newService:
      "{{subject}} is a new Service of type {{type}}: it is reachable from outside the cluster ({{how}}). Check who can reach it and whether the workload behind it expects the internet.",
    serviceExposed:
      "{{subject}}: Service type {{before}} -> {{after}}: it becomes reachable from outside the cluster ({{how}}). Check who can reach it and whether the workload behind it expects the internet.",
    valuesServiceExposed:
      "{{subject}} values {{service}}: Service type {{before}} -> {{after}}: it becomes reachable from outside the cluster ({{how}}). Check who can reach it and whether the workload behind it expects the internet.",
    newHosts:
      "{{subject}} starts routing {{hosts}}, not routed anywhere in the base of this change: a new public name (DNS record via external-dns, certificate order, exposed application). Check the name, its TLS, and that the application behind it is meant to be reachable there.",
  },
  remediation:
    "Make new endpoints deliberate: prefer ClusterIP behind the shared ingress, restrict LoadBalancers with loadBalancerSourceRanges or an internal-LB annotation, and put new hosts behind TLS and authentication where the application needs it.",
  checklist: [
    "Should this endpoint be reachable from the internet, or only from inside the network (internal load balancer, source ranges)?",
    "Does the application behind it authenticate its users, and is it served over TLS?",
    "Is the DNS name owned by us and the certificate for it issued (rate limits, CAA)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    const howFor = (type: string): string =>
      type === "LoadBalancer" ? "an external load balancer IP" : "a port on every node";

    for (const diff of objectDiffs(context, ["Service"])) {
      const { base, head, pair } = diff;
      if (!head || head.identity.group !== "") continue;
      const after = objectType(head)!;
      if (!PUBLIC_TYPES.has(after)) continue;
      if (pair.status === "added") {
        reports.push({
          messageId: "newService",
          data: { subject: describeSubject(head), type: after, how: howFor(after) },
          location: locationOf(head, ["spec", "type"], "head"),
          subject: pair.id,
          evidence: { path: "spec.type", after },
        });
      } else if (base && morePublic(objectType(base), after)) {
        reports.push({
          messageId: "serviceExposed",
          data: { subject: describeSubject(head), before: objectType(base)!, after, how: howFor(after) },
          location: locationOf(head, ["spec", "type"], "head"),
          subject: pair.id,
          evidence: { path: "spec.type", before: objectType(base), after },
        });
      }
    }

    for (const diff of releaseDiffs(context)) {
      const { base, head, pair } = diff;
      if (!head) continue;
      const baseServices = new Map(valuesServicesOf(base).map((service) => [service.name, service]));
      for (const service of valuesServicesOf(head)) {
        if (!service.enabled || !service.type || !PUBLIC_TYPES.has(service.type)) continue;
        const before = baseServices.get(service.name);
        const beforeType = before?.enabled ? before.type : null;
        if (base && !morePublic(beforeType, service.type)) continue;
        const typePath = getIn(service.block, ["spec", "type"]) !== undefined ? ["spec", "type"] : ["type"];
        reports.push({
          messageId: "valuesServiceExposed",
          data: {
            subject: describeSubject(head),
            service: service.name,
            before: base ? (beforeType ?? "(none or chart default)") : "(new release)",
            after: service.defaulted ? `${service.type} (chart default)` : service.type,
            how: howFor(service.type),
          },
          location: locationOf(head, service.defaulted ? [] : [...service.path, ...typePath], "head"),
          subject: pair.id,
          evidence: { path: `${service.name}.type`, before: beforeType ?? undefined, after: service.type },
        });
      }
    }

    // Hosts: new when no subject on the base side of the change set routes them (moves are not new).
    const baseHosts = new Set<string>();
    for (const pair of context.pairs) for (const host of routedHostsOf(pair.base)) baseHosts.add(host.host);
    const reported = new Set<string>();
    for (const pair of context.pairs) {
      const head = pair.head;
      if (!head) continue;
      const fresh = routedHostsOf(head).filter(
        (host) => !baseHosts.has(host.host) && !/\{\{/.test(host.host),
      );
      if (fresh.length === 0) continue;
      const first = fresh[0]!;
      const location = locationOf(head, first.path, "head");
      const key = `${location.path}\u0000${location.line}\u0000${fresh.map((h) => h.host).join(",")}`;
      if (reported.has(key)) continue;
      reported.add(key);
      reports.push({
        messageId: "newHosts",
        data: {
          subject: `${describeSubject(head)}${head.type === "release" ? ` ${first.owner}` : ""}`,
          hosts: listNames(fresh.map((h) => h.host)),
        },
        location,
        subject: pair.id,
        evidence: { path: first.owner, after: fresh.map((h) => h.host) },
      });
    }
    return reports;
  },
};
