import {
  describeSubject,
  getIn,
  identityChangeLocation,
  isRecord,
  leafChanges,
  locationOf,
  objectDiffs,
  releaseDiffs,
  show,
} from "../../src/engine/rule-kit.js";
import {
  LOAD_BALANCER_IP_ANNOTATIONS,
  valuesServicesOf,
  type ValuesService,
} from "../../src/k8s/networking.js";
import type { FindingLocation, KubeObject, Rule, RuleReport, Severity } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

const LB = "LoadBalancer";

/** Fields of a Service (relative to its spec, or to a values block) and what changing them means. */
type FieldKind = "ip" | "class" | "access" | "policy";

function fieldKind(rest: readonly PathSegment[]): FieldKind | null {
  const path = rest[0] === "spec" ? rest.slice(1) : rest;
  const [first, second] = path;
  if (first === "loadBalancerIP") return "ip";
  if (first === "loadBalancerClass") return "class";
  if (first === "loadBalancerSourceRanges") return "access";
  if (first === "externalTrafficPolicy") return "policy";
  if (
    typeof first === "string" &&
    /^annotations/.test(first) &&
    typeof second === "string" &&
    LOAD_BALANCER_IP_ANNOTATIONS.includes(second)
  )
    return "ip";
  return null;
}

const SEVERITY: Record<FieldKind, Severity> = {
  ip: "high",
  class: "high",
  access: "medium",
  policy: "medium",
};
const MESSAGE: Record<FieldKind, string> = {
  ip: "addressChanged",
  class: "classChanged",
  access: "sourceRangesChanged",
  policy: "trafficPolicyChanged",
};

function serviceType(object: KubeObject | null): string | null {
  if (!object) return null;
  const type = getIn(object.document.value, ["spec", "type"]);
  return typeof type === "string" ? type : "ClusterIP";
}

function pinnedAddress(block: unknown): string | null {
  const ip = getIn(block, ["loadBalancerIP"]) ?? getIn(block, ["spec", "loadBalancerIP"]);
  if (typeof ip === "string" && ip !== "") return ip;
  for (const path of [["annotations"], ["metadata", "annotations"]]) {
    const annotations = getIn(block, path);
    if (!isRecord(annotations)) continue;
    for (const name of LOAD_BALANCER_IP_ANNOTATIONS) {
      const value = annotations[name];
      if (typeof value === "string" && value !== "") return `${value} (${name})`;
    }
  }
  return null;
}

function startsWith(path: readonly PathSegment[] | null, prefix: readonly PathSegment[]): boolean {
  return path !== null && prefix.every((segment, i) => path[i] === segment);
}

function typeText(service: ValuesService | undefined): string {
  if (!service || !service.enabled) return "no Service";
  if (service.type === null) return "(chart default, usually ClusterIP)";
  return service.defaulted ? `${service.type} (chart default)` : service.type;
}

export const rule: Rule = {
  meta: {
    id: "loadbalancer-service-changed",
    title: "LoadBalancer Service deleted or its address changed",
    category: "networking",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "A Service of type LoadBalancer is deleted or replaced, its type changes to or from LoadBalancer, or its IP, class, source ranges or traffic policy change, in manifests or chart values.",
  },
  messages: {
    serviceDeleted:
      "{{subject}} (type LoadBalancer{{pinned}}) is deleted: the load balancer and its external IP are released; clients, DNS records and allow-lists using that address break, and a later Service rarely gets the same IP back.",
    serviceReplaced:
      "{{old}} (type LoadBalancer{{pinned}}) is replaced by {{subject}} ({{reason}}): Kubernetes deletes the old Service and its load balancer and creates a new one, which gets a new external IP unless one is pinned (and a pinned IP is only free once the old Service is gone).",
    releaseServiceDeleted:
      "{{subject}} is deleted with its LoadBalancer Service (values `{{service}}`){{pinned}}: Helm deletes the Service, the load balancer and its external IP are released; DNS records and allow-lists on that IP break.",
    releaseServiceReplaced:
      "{{old}} becomes {{subject}} ({{reason}}): its LoadBalancer Service (values `{{service}}`) is deleted with the old release and created again by the new one{{pinned}}; the new Service gets a new external IP unless one is pinned, so DNS records and allow-lists on the old IP break.",
    releaseServiceDisabled:
      "{{subject}}: {{service}} is switched off (enabled: false): Helm deletes the LoadBalancer Service and its external IP{{pinned}} is released.",
    typeFromLoadBalancer:
      "{{subject}}: type {{before}} -> {{after}}: the load balancer and its external IP{{pinned}} are released; everything that reaches the Service from outside the cluster (DNS records, partners, allow-lists) breaks, and a later LoadBalancer rarely gets the same IP back.",
    typeToNodePort:
      "{{subject}}: type {{before}} -> {{after}}: the load balancer and its external IP{{pinned}} are released; the Service stays reachable only on node ports, so DNS records and allow-lists on the old IP break.",
    typeToLoadBalancer:
      "{{subject}}: type {{before}} -> {{after}}{{pinned}}: a load balancer with an external IP is created, so the Service becomes reachable from outside the cluster (check firewalling and loadBalancerSourceRanges), uses an address from the provider or pool, and may be billed.",
    addressChanged:
      "{{subject}}: {{field}} {{before}} -> {{after}}: the LoadBalancer's external address changes (the load balancer may be recreated); DNS records, firewall allow-lists and clients using the old address break until they are updated, and the new address must be free in the pool.",
    classChanged:
      "{{subject}}: {{field}} {{before}} -> {{after}}: another load-balancer implementation takes over the Service (new address). `spec.loadBalancerClass` is immutable on an existing LoadBalancer Service, so the apply fails unless the Service is recreated.",
    sourceRangesChanged:
      "{{subject}}: {{field}} {{before}} -> {{after}}: who may reach the load balancer changes; clients outside the new ranges are cut off (or new sources are let in).",
    trafficPolicyChanged:
      "{{subject}}: {{field}} {{before}} -> {{after}}: `Local` keeps the client source IP but only nodes with a ready pod receive traffic (health checks move); `Cluster` spreads traffic over all nodes and hides the client IP. Allow-lists based on client IPs and uneven load are the usual fallout.",
  },
  remediation:
    "Keep LoadBalancer Services stable: pin the address (loadBalancerIP or the provider's static-IP annotation), change type, IP, class or access in a dedicated PR with DNS and allow-lists updated first, and never rename or delete the Service of a live endpoint without a cut-over plan.",
  checklist: [
    "What uses this load balancer's address today (DNS records, firewall allow-lists, partners, other clusters)?",
    "Is the new address reserved, free in the IP pool, and already in DNS and allow-lists?",
    "Is there a window and a rollback for the cut-over, and are DNS TTLs lowered beforehand?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];

    // Plain Service manifests.
    for (const diff of objectDiffs(context, ["Service"])) {
      const { base, head, pair } = diff;
      if ((base ?? head)?.identity.group !== "") continue;
      const baseType = serviceType(base);
      const headType = serviceType(head);
      if (pair.status === "removed" && base && baseType === LB) {
        reports.push({
          messageId: "serviceDeleted",
          severity: "critical",
          data: {
            subject: describeSubject(base),
            pinned: pinnedText(
              pinnedAddress(getIn(base.document.value, ["spec"])) ?? pinnedAddress(base.document.value),
            ),
          },
          location: locationOf(base, [], "base"),
          subject: pair.id,
          evidence: { path: "spec.type", before: LB },
        });
        continue;
      }
      if (pair.status === "replaced" && base && head && baseType === LB) {
        reports.push({
          messageId: "serviceReplaced",
          severity: "critical",
          data: {
            old: describeSubject(base),
            subject: describeSubject(head),
            reason: pair.replacementReason ?? "new identity",
            pinned: pinnedText(
              pinnedAddress(getIn(base.document.value, ["spec"])) ?? pinnedAddress(base.document.value),
            ),
          },
          location: identityChangeLocation(context, pair),
          subject: pair.id,
          evidence: { path: "metadata", before: describeSubject(base), after: describeSubject(head) },
        });
        continue;
      }
      if (!base || !head) continue;
      if (baseType !== headType && (baseType === LB || headType === LB)) {
        const written = getIn(head.document.value, ["spec", "type"]) !== undefined;
        reports.push({
          messageId: typeMessage(baseType, headType),
          severity: "high",
          data: {
            subject: describeSubject(head),
            before: baseType ?? "ClusterIP",
            after: written
              ? (headType ?? "ClusterIP")
              : "ClusterIP (the `type:` line is removed; ClusterIP is the default)",
            pinned: pinnedText(
              pinnedAddress(getIn((headType === LB ? head : base).document.value, ["spec"])) ??
                pinnedAddress((headType === LB ? head : base).document.value),
            ),
          },
          location: locationOf(head, ["spec", "type"], "head"),
          subject: pair.id,
          evidence: { path: "spec.type", before: baseType, after: headType },
        });
      }
      if (baseType !== LB) continue;
      for (const change of leafChanges(diff.changes)) {
        const path = change.headPath ?? change.basePath;
        if (!path) continue;
        const rest = path[0] === "spec" ? path.slice(1) : path[0] === "metadata" ? path.slice(1) : null;
        const kind = rest ? fieldKind(rest) : null;
        if (!kind) continue;
        reports.push(
          fieldReport(
            kind,
            describeSubject(head),
            ...whole(change, base?.document.value, head.document.value),
            changeLocation(change),
            pair.id,
          ),
        );
      }
    }

    // Gateways: the address of the proxy's LoadBalancer is written on the Gateway.
    for (const diff of objectDiffs(context, ["Gateway"])) {
      const { head, pair } = diff;
      if (
        !head ||
        !diff.base ||
        pair.status !== "modified" ||
        head.identity.group !== "gateway.networking.k8s.io"
      )
        continue;
      for (const change of leafChanges(diff.changes)) {
        const path = change.headPath ?? change.basePath;
        if (!path) continue;
        const isAddress = startsWith(path, ["spec", "addresses"]);
        const kind = isAddress
          ? "ip"
          : startsWith(path, ["spec", "infrastructure"])
            ? fieldKind(path.slice(2))
            : null;
        if (!kind) continue;
        reports.push(
          fieldReport(
            kind,
            describeSubject(head),
            ...whole(change, diff.base.document.value, head.document.value),
            changeLocation(change),
            pair.id,
          ),
        );
      }
    }

    // Services in chart values.
    for (const diff of releaseDiffs(context)) {
      const { base, head, pair } = diff;
      const baseServices = new Map(valuesServicesOf(base).map((s) => [s.name, s]));
      const headServices = new Map(valuesServicesOf(head).map((s) => [s.name, s]));
      if (base && (pair.status === "removed" || pair.status === "replaced")) {
        for (const service of baseServices.values()) {
          if (!service.enabled || service.type !== LB) continue;
          const replacement = headServices.get(service.name);
          const pinned = replacement ? pinnedAddress(replacement.block) : pinnedAddress(service.block);
          reports.push({
            messageId:
              pair.status === "removed" || !head ? "releaseServiceDeleted" : "releaseServiceReplaced",
            severity: "critical",
            data: {
              subject: describeSubject(head ?? base),
              old: describeSubject(base),
              reason: pair.replacementReason ?? "new identity",
              service: `${service.name}${service.defaulted ? " (chart default type)" : ""}`,
              pinned: pinned ? ` (pinned to ${pinned})` : "",
            },
            location: head ? identityChangeLocation(context, pair) : locationOf(base, [], "base"),
            subject: pair.id,
            evidence: { path: `${service.name}.type`, before: LB },
          });
        }
        continue;
      }
      if (!base || !head || pair.status !== "modified") continue;
      const subject = describeSubject(head);
      for (const name of new Set([...baseServices.keys(), ...headServices.keys()])) {
        const before = baseServices.get(name);
        const after = headServices.get(name);
        const wasLb = before?.enabled === true && before.type === LB;
        const isLb = after?.enabled === true && after.type === LB;
        if (wasLb && after && !after.enabled) {
          reports.push({
            messageId: "releaseServiceDisabled",
            severity: "critical",
            data: { subject, service: name, pinned: pinnedText(pinnedAddress(before.block)) },
            location: locationOf(head, [...after.path, "enabled"], "head"),
            subject: pair.id,
            evidence: { path: `${name}.enabled`, before: true, after: false },
          });
          continue;
        }
        const beforeType = before?.enabled ? before.type : null;
        const afterType = after?.enabled ? after.type : null;
        if ((wasLb || isLb) && beforeType !== afterType) {
          const typePath =
            after && getIn(after.block, ["spec", "type"]) !== undefined ? ["spec", "type"] : ["type"];
          reports.push({
            messageId: typeMessage(beforeType, afterType),
            severity: "high",
            data: {
              subject: `${subject} values ${name}`,
              before: typeText(before),
              after: typeText(after),
              pinned: pinnedText(pinnedAddress((isLb ? after : before)?.block)),
            },
            location: after
              ? locationOf(head, [...after.path, ...typePath], "head")
              : locationOf(base, [...before!.path, "type"], "base"),
            subject: pair.id,
            evidence: {
              path: `${name}.type`,
              before: beforeType ?? undefined,
              after: afterType ?? undefined,
            },
          });
        }
        // Address, class and access only matter on a LoadBalancer (or when the chart decides the type).
        const unknownType = (before?.type ?? null) === null && (after?.type ?? null) === null;
        if (!wasLb && !(unknownType && !isLb)) continue;
        for (const service of [after, before]) {
          if (!service) continue;
          for (const change of leafChanges(diff.changes)) {
            const path = change.headPath ?? change.basePath;
            if (!path || !startsWith(path, service.path)) continue;
            const kind = fieldKind(path.slice(service.path.length));
            if (!kind) continue;
            reports.push(
              fieldReport(
                kind,
                `${subject} values ${name}`,
                ...whole(change, base.values.value, head.values.value),
                changeLocation(change),
                pair.id,
              ),
            );
          }
          break;
        }
      }
    }
    const seen = new Set<string>();
    return reports.filter((report) => {
      const key = `${report.subject ?? ""}\u0000${report.messageId}\u0000${report.evidence?.path ?? ""}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
};

function pinnedText(address: string | null): string {
  return address ? `, address ${address}` : "";
}

function typeMessage(before: string | null, after: string | null): string {
  if (before === LB && after === "NodePort") return "typeToNodePort";
  if (before === LB) return "typeFromLoadBalancer";
  return "typeToLoadBalancer";
}

function changeLocation(change: {
  head: { file: string; line: number } | null;
  base: { file: string; line: number } | null;
  headPath: unknown;
}): FindingLocation {
  if (change.head && change.headPath) return { path: change.head.file, line: change.head.line, side: "head" };
  if (change.head) return { path: change.head.file, line: change.head.line, side: "head" };
  return { path: change.base?.file ?? "", line: change.base?.line ?? null, side: "base" };
}

/**
 * A change inside a list field (source ranges, Gateway addresses) read as the whole list before
 * and after, so one edit is one finding: `[field, before, after]`.
 */
function whole(
  change: {
    path: string;
    basePath: readonly PathSegment[] | null;
    headPath: readonly PathSegment[] | null;
    before?: unknown;
    after?: unknown;
  },
  baseRoot: unknown,
  headRoot: unknown,
): [string, unknown, unknown] {
  const path = change.headPath ?? change.basePath ?? [];
  const at = path.findIndex((segment) => segment === "loadBalancerSourceRanges" || segment === "addresses");
  if (at < 0) return [change.path, change.before, change.after];
  const prefix = path.slice(0, at + 1);
  return [prefix.join("."), getIn(baseRoot, prefix), getIn(headRoot, prefix)];
}

function fieldReport(
  kind: FieldKind,
  subject: string,
  field: string,
  before: unknown,
  after: unknown,
  location: FindingLocation,
  pairId: string,
): RuleReport {
  return {
    messageId: MESSAGE[kind],
    severity: SEVERITY[kind],
    data: { subject, field, before: show(before), after: show(after) },
    location,
    subject: pairId,
    evidence: { path: field, before, after },
  };
}
