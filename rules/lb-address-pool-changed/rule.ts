import {
  describeSubject,
  getIn,
  isRecord,
  isTrue,
  leafChanges,
  listNames,
  locationOf,
  objectDiffs,
  releaseDiffs,
  replacementLocation,
  show,
} from "../../src/engine/rule-kit.js";
import type { KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

interface Kind {
  group: string;
  role: "pool" | "announcement";
  label: string;
  /** Spec fields whose change moves addresses or where they are announced. */
  fields: readonly string[];
}

const KINDS: Record<string, Kind> = {
  CiliumLoadBalancerIPPool: {
    group: "cilium.io",
    role: "pool",
    label: "Cilium LB-IPAM pool",
    fields: ["serviceSelector", "disabled"],
  },
  IPAddressPool: {
    group: "metallb.io",
    role: "pool",
    label: "MetalLB address pool",
    fields: ["serviceAllocation", "autoAssign"],
  },
  CiliumL2AnnouncementPolicy: {
    group: "cilium.io",
    role: "announcement",
    label: "Cilium L2 announcement policy",
    fields: ["interfaces", "nodeSelector", "serviceSelector", "loadBalancerIPs", "externalIPs"],
  },
  L2Advertisement: {
    group: "metallb.io",
    role: "announcement",
    label: "MetalLB L2 advertisement",
    fields: ["ipAddressPools", "ipAddressPoolSelectors", "interfaces", "nodeSelectors"],
  },
  BGPAdvertisement: {
    group: "metallb.io",
    role: "announcement",
    label: "MetalLB BGP advertisement",
    fields: [
      "ipAddressPools",
      "ipAddressPoolSelectors",
      "nodeSelectors",
      "peers",
      "aggregationLength",
      "communities",
    ],
  },
  CiliumBGPAdvertisement: {
    group: "cilium.io",
    role: "announcement",
    label: "Cilium BGP advertisement",
    fields: ["advertisements"],
  },
  CiliumBGPPeeringPolicy: {
    group: "cilium.io",
    role: "announcement",
    label: "Cilium BGP peering policy",
    fields: ["nodeSelector", "virtualRouters"],
  },
};

/** Cilium chart values that switch the announcing of LoadBalancer IPs on. */
const CILIUM_FEATURES: readonly { path: string[]; label: string }[] = [
  { path: ["l2announcements", "enabled"], label: "L2 announcements (ARP for LoadBalancer IPs)" },
  { path: ["bgpControlPlane", "enabled"], label: "the BGP control plane" },
];

function kindOf(object: KubeObject | null): Kind | null {
  if (!object) return null;
  const kind = KINDS[object.identity.kind];
  return kind && object.identity.group === kind.group ? kind : null;
}

/** Address ranges a pool hands out: Cilium `blocks`/`cidrs` (`cidr` or `start`-`stop`), MetalLB `addresses`. */
export function poolRanges(object: KubeObject | null): string[] {
  if (!object) return [];
  const spec = getIn(object.document.value, ["spec"]);
  const ranges: string[] = [];
  for (const key of ["blocks", "cidrs", "addresses"]) {
    const list = getIn(spec, [key]);
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (typeof item === "string") ranges.push(item.trim());
      else if (isRecord(item)) {
        if (typeof item.cidr === "string") ranges.push(item.cidr.trim());
        else if (typeof item.start === "string")
          ranges.push(`${item.start}-${typeof item.stop === "string" ? item.stop : item.start}`);
      }
    }
  }
  return [...new Set(ranges)].sort();
}

function rangesText(ranges: readonly string[]): string {
  return ranges.length > 0 ? listNames(ranges) : "(none)";
}

export const rule: Rule = {
  meta: {
    id: "lb-address-pool-changed",
    title: "Load-balancer address pool or announcement changed",
    category: "networking",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "A bare-metal load-balancer address pool (Cilium LB-IPAM, MetalLB) loses or changes ranges or is removed, or an L2/BGP announcement of those addresses is removed or retargeted: Services may lose or change their external IPs.",
  },
  messages: {
    poolRemoved:
      "{{subject}} ({{label}}, ranges {{ranges}}) is deleted: LoadBalancer Services holding an address from it lose it (Cilium withdraws the IP; MetalLB stops announcing it) and stay <pending> unless another pool covers them; DNS records and clients on those IPs break.",
    poolReplaced:
      "{{old}} ({{label}}) is replaced by {{subject}}: ranges {{before}} -> {{after}}. The old pool is deleted before the new one exists in the cluster, so Services allocated from it can lose their address and get another one.",
    rangesChanged:
      "{{subject}} ({{label}}): ranges {{before}} -> {{after}}. Services holding an address in {{removed}} lose it and are re-allocated from the new ranges (or stay <pending>); every DNS record, firewall rule, router route and app config using an old IP must move with it, and pinned IPs outside the new ranges can no longer be assigned.",
    fieldChanged:
      "{{subject}} ({{label}}): {{field}} {{before}} -> {{after}}. Which Services get an address from this pool, or where their addresses are announced, changes: Services no longer selected lose their IP or become unreachable from outside the cluster.",
    announcementRemoved:
      "{{subject}} ({{label}}) is deleted: the LoadBalancer IPs it announced ({{scope}}) are no longer answered for on the network, so Services using them become unreachable from outside the cluster unless another policy or BGP announces them.",
    announcementReplaced:
      "{{old}} ({{label}}) is replaced by {{subject}}: between deleting the old object and applying the new one, its LoadBalancer IPs are not announced, and any difference in interfaces or selectors changes which nodes answer for them.",
    featureDisabled:
      "{{subject}}: {{path}} {{before}} -> {{after}} turns off {{feature}}: Cilium stops announcing LoadBalancer IPs that way, so Services that relied on it become unreachable from outside the cluster unless they are announced by another mechanism.",
  },
  remediation:
    "Move LoadBalancer addresses in steps: add the new range or announcement first, move Services (and their pinned IPs, DNS records and firewall rules) to it, and remove the old pool or policy in a later change once nothing uses it.",
  checklist: [
    "Which LoadBalancer Services hold addresses from the old ranges (`kubectl get svc -A --field-selector spec.type=LoadBalancer`), and are their pinned IPs inside the new ranges?",
    "Are DNS records, router/firewall rules and app configs that use the old IPs updated at the same time?",
    "After the change, what announces each LoadBalancer IP (L2 policy, BGP advertisement), on which interfaces and nodes?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of objectDiffs(context, Object.keys(KINDS))) {
      const { pair, base, head } = diff;
      const kind = kindOf(base) ?? kindOf(head);
      if (!kind) continue;
      const label = kind.label;
      const isPool = kind.role === "pool";
      if (base && (pair.status === "removed" || pair.status === "replaced")) {
        const scope = announcementScope(base);
        if (pair.status === "removed" || !head) {
          reports.push({
            messageId: isPool ? "poolRemoved" : "announcementRemoved",
            data: { subject: describeSubject(base), label, ranges: rangesText(poolRanges(base)), scope },
            location: locationOf(base, [], "base"),
            subject: pair.id,
            evidence: { path: "object", before: describeSubject(base) },
          });
          continue;
        }
        const before = poolRanges(base);
        const after = poolRanges(head);
        const same = before.join() === after.join();
        reports.push({
          messageId: isPool ? "poolReplaced" : "announcementReplaced",
          severity: isPool && !same ? "high" : "medium",
          data: {
            old: describeSubject(base),
            subject: describeSubject(head),
            label,
            before: rangesText(before),
            after: rangesText(after),
          },
          location: replacementLocation(context, pair),
          subject: pair.id,
          evidence: { path: "object", before: describeSubject(base), after: describeSubject(head) },
        });
        continue;
      }
      if (!base || !head || pair.status !== "modified") continue;
      const subject = describeSubject(head);
      if (isPool) {
        const before = poolRanges(base);
        const after = poolRanges(head);
        const removed = before.filter((range) => !after.includes(range));
        if (removed.length > 0) {
          const field = ["blocks", "cidrs", "addresses"].find(
            (key) => getIn(head.document.value, ["spec", key]) !== undefined,
          );
          reports.push({
            messageId: "rangesChanged",
            data: {
              subject,
              label,
              before: rangesText(before),
              after: rangesText(after),
              removed: rangesText(removed),
            },
            location: locationOf(head, field ? ["spec", field] : ["spec"], "head"),
            subject: pair.id,
            evidence: { path: `spec.${field ?? "blocks"}`, before, after },
          });
        }
      }
      const fieldsSeen = new Set<string>();
      for (const change of leafChanges(diff.changes)) {
        const path = change.headPath ?? change.basePath;
        const field = path?.[0] === "spec" ? path[1] : undefined;
        if (typeof field !== "string" || !kind.fields.includes(field) || fieldsSeen.has(field)) continue;
        fieldsSeen.add(field);
        const before = getIn(base.document.value, ["spec", field]);
        const after = getIn(head.document.value, ["spec", field]);
        const where: PathSegment[] = after === undefined ? ["spec"] : ["spec", field];
        reports.push({
          messageId: "fieldChanged",
          severity:
            field === "autoAssign" || field === "aggregationLength" || field === "communities"
              ? "medium"
              : "high",
          data: { subject, label, field: `spec.${field}`, before: show(before), after: show(after) },
          location: locationOf(head, where, "head"),
          subject: pair.id,
          evidence: { path: `spec.${field}`, before, after },
        });
      }
    }

    for (const { pair, base, head } of releaseDiffs(context)) {
      if (!base || !head || pair.status !== "modified") continue;
      if (!/cilium/i.test(`${head.chart.name ?? ""} ${head.releaseName}`)) continue;
      for (const feature of CILIUM_FEATURES) {
        const before = getIn(base.values.value, feature.path);
        const after = getIn(head.values.value, feature.path);
        if (!isTrue(before) || isTrue(after)) continue;
        const written = after !== undefined;
        reports.push({
          messageId: "featureDisabled",
          data: {
            subject: describeSubject(head),
            path: feature.path.join("."),
            before: show(before),
            after: written ? show(after) : "(removed: chart default, off)",
            feature: feature.label,
          },
          location: written ? locationOf(head, feature.path, "head") : locationOf(base, feature.path, "base"),
          subject: pair.id,
          evidence: { path: feature.path.join("."), before, after },
        });
      }
    }
    return reports;
  },
};

/** What an announcement object covered, for the message: interfaces, pools, node selector. */
function announcementScope(object: KubeObject): string {
  const spec = getIn(object.document.value, ["spec"]);
  const parts: string[] = [];
  const interfaces = getIn(spec, ["interfaces"]);
  if (Array.isArray(interfaces) && interfaces.length > 0)
    parts.push(`interfaces ${listNames(interfaces.map((item) => show(item)))}`);
  const pools = getIn(spec, ["ipAddressPools"]);
  if (Array.isArray(pools) && pools.length > 0)
    parts.push(`pools ${listNames(pools.map((item) => show(item)))}`);
  if (getIn(spec, ["loadBalancerIPs"]) === true) parts.push("LoadBalancer IPs");
  if (getIn(spec, ["externalIPs"]) === true) parts.push("external IPs");
  return parts.length > 0 ? parts.join(", ") : "every pool it selects";
}
