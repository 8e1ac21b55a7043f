import { describeSubject, getIn, listNames, locationOf } from "../../src/engine/rule-kit.js";
import {
  ingressClassOf,
  routedHostsOf,
  valuesIngressClass,
  valuesRoutesOf,
  type ValuesRoute,
} from "../../src/k8s/networking.js";
import type { FindingLocation, HelmRelease, KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import type { PathSegment } from "../../src/parse/types.js";

const ROUTE_KINDS = new Set(["Ingress", "HTTPRoute", "GRPCRoute", "TLSRoute", "Gateway", "IngressRoute"]);

/** TLS of an Ingress (or values ingress): `secret[host,host]` entries, sorted, for comparison. */
function tlsOf(value: unknown): string[] {
  if (value === true) return ["(enabled)"];
  if (!Array.isArray(value)) return [];
  return value
    .map((entry) => {
      const secret = getIn(entry, ["secretName"]);
      const hosts = getIn(entry, ["hosts"]);
      const names = Array.isArray(hosts)
        ? hosts.filter((h): h is string => typeof h === "string").sort()
        : [];
      return `${typeof secret === "string" ? secret : "(default certificate)"}${names.length ? ` [${names.join(", ")}]` : ""}`;
    })
    .sort();
}

/** TLS of Gateway listeners: `listener: certificate refs`. */
function listenerTls(value: unknown): string[] {
  const listeners = getIn(value, ["spec", "listeners"]);
  if (!Array.isArray(listeners)) return [];
  return listeners
    .map((listener) => {
      const refs = getIn(listener, ["tls", "certificateRefs"]);
      if (!Array.isArray(refs)) return null;
      const names = refs.map((ref) => getIn(ref, ["name"])).filter((n): n is string => typeof n === "string");
      return `${String(getIn(listener, ["name"]) ?? "?")}: ${names.join(", ")}`;
    })
    .filter((entry): entry is string => entry !== null)
    .sort();
}

function parentRefs(value: unknown): string[] {
  const refs = getIn(value, ["parentRefs"]);
  if (!Array.isArray(refs)) return [];
  return refs
    .map((ref) => {
      const name = getIn(ref, ["name"]);
      if (typeof name !== "string") return null;
      const namespace = getIn(ref, ["namespace"]);
      const section = getIn(ref, ["sectionName"]);
      return `${typeof namespace === "string" ? `${namespace}/` : ""}${name}${typeof section === "string" ? `#${section}` : ""}`;
    })
    .filter((ref): ref is string => ref !== null)
    .sort();
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function valuesClass(route: ValuesRoute | undefined): string | null {
  if (!route || !route.enabled || route.via !== "ingress") return null;
  return valuesIngressClass(route);
}

function hostSet(subject: Subject | null): Map<string, string> {
  const hosts = new Map<string, string>();
  for (const host of routedHostsOf(subject)) if (!hosts.has(host.host)) hosts.set(host.host, host.owner);
  return hosts;
}

export const rule: Rule = {
  meta: {
    id: "ingress-hosts-or-tls-changed",
    title: "Ingress hosts, TLS or class changed",
    category: "networking",
    defaultSeverity: "medium",
    appliesTo: ["object", "release"],
    description:
      "Ingress (and Gateway API route or listener) host names, TLS secrets and hosts, ingress class or parent Gateways change or are removed, in manifests or chart values.",
  },
  messages: {
    hostsChanged:
      "{{subject}} changes the host names it routes: removed {{removed}}; added {{added}}. Requests for a removed name get a 404 from the controller (and external-dns deletes its record); an added name needs DNS and a certificate.",
    hostsMoved:
      "{{subject}}: {{hosts}} move from {{from}} to {{to}}. The same names are served by another object (often another controller or Gateway, with another IP and certificate); check DNS points where the new route is served.",
    classChanged:
      "{{subject}}: ingress class {{before}} -> {{after}}: another controller serves it, on that controller's IP; DNS records that point at the old controller's address now reach a controller that no longer routes these hosts.",
    classRemoved:
      "{{subject}}: ingress class {{before}} removed: only a default IngressClass (if the cluster has one) serves it now, or nothing does, and its hosts stop answering.",
    ingressDropped:
      "{{subject}}: values {{block}} (class {{before}}) no longer renders an Ingress: its hosts are no longer served through the {{before}} controller.",
    parentsChanged:
      "{{subject}}: the route attaches to {{after}} instead of {{before}}: it is served by another Gateway (another IP, listeners and certificate); until DNS and the new Gateway are ready its hosts answer from the wrong place or not at all.",
    tlsChanged:
      "{{subject}}: TLS {{before}} -> {{after}}: the certificate served for these hosts changes; a missing or not-yet-issued secret makes the controller serve its default certificate (browser errors).",
    tlsRemoved:
      "{{subject}}: TLS {{before}} removed: these hosts are served over plain HTTP or with the controller's default certificate.",
  },
  remediation:
    "Change hosts, TLS and classes deliberately: create the new DNS record and certificate first, keep the old host (or a redirect) until clients moved, and switch an Ingress to another class or Gateway only once that controller serves its hosts.",
  checklist: [
    "Do DNS records for every added or moved host point at the controller or Gateway that serves it after the merge?",
    "Is the TLS secret present (or its Certificate issued) before the Ingress uses it?",
    "Who still uses a removed host name, and is there a redirect?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair } of context.diffs) {
      const { base, head } = pair;
      if (!base || !head || (pair.status !== "modified" && pair.status !== "replaced")) continue;
      if (base.type === "object" && head.type === "object") {
        if (!ROUTE_KINDS.has(head.identity.kind)) continue;
        reports.push(...objectReports(base, head, pair.id));
      } else if (base.type === "release" && head.type === "release") {
        reports.push(...releaseReports(base, head, pair.id));
      }
    }
    return reports;
  },
};

function at(subject: Subject, path: PathSegment[], side: "base" | "head" = "head"): FindingLocation {
  return locationOf(subject, path, side);
}

function hostReports(base: Subject, head: Subject, pairId: string, anchor: PathSegment[]): RuleReport[] {
  const before = hostSet(base);
  const after = hostSet(head);
  const removed = [...before.keys()].filter((host) => !after.has(host));
  const added = [...after.keys()].filter((host) => !before.has(host));
  if (removed.length === 0 && added.length === 0) return [];
  const firstAdded = routedHostsOf(head).find((host) => added.includes(host.host));
  return [
    {
      messageId: "hostsChanged",
      data: {
        subject: describeSubject(head),
        removed: removed.length > 0 ? listNames(removed) : "none",
        added: added.length > 0 ? listNames(added) : "none",
      },
      location: at(head, firstAdded ? firstAdded.path : anchor),
      subject: pairId,
      evidence: { path: "hosts", before: [...before.keys()], after: [...after.keys()] },
    },
  ];
}

function objectReports(base: KubeObject, head: KubeObject, pairId: string): RuleReport[] {
  const reports: RuleReport[] = [];
  const subject = describeSubject(head);
  const kind = head.identity.kind;
  const before = base.document.value;
  const after = head.document.value;
  const anchor =
    kind === "Ingress"
      ? ["spec", "rules"]
      : kind === "Gateway"
        ? ["spec", "listeners"]
        : kind === "IngressRoute"
          ? ["spec", "routes"]
          : ["spec", "hostnames"];
  reports.push(...hostReports(base, head, pairId, anchor));
  if (kind === "Ingress") {
    const classBefore = ingressClassOf(before, ["metadata", "annotations"], ["spec", "ingressClassName"]);
    const classAfter = ingressClassOf(after, ["metadata", "annotations"], ["spec", "ingressClassName"]);
    if (classBefore !== classAfter) {
      const written = getIn(after, ["spec", "ingressClassName"]) !== undefined;
      reports.push({
        messageId: classAfter === null ? "classRemoved" : "classChanged",
        data: { subject, before: classBefore ?? "(none: default class)", after: classAfter ?? "(none)" },
        location: at(
          head,
          written ? ["spec", "ingressClassName"] : ["metadata", "annotations", "kubernetes.io/ingress.class"],
        ),
        subject: pairId,
        evidence: { path: "ingressClassName", before: classBefore, after: classAfter },
      });
    }
    const tlsBefore = tlsOf(getIn(before, ["spec", "tls"]));
    const tlsAfter = tlsOf(getIn(after, ["spec", "tls"]));
    if (!same(tlsBefore, tlsAfter))
      reports.push(tlsReport(subject, tlsBefore, tlsAfter, at(head, ["spec", "tls"]), pairId));
  } else if (kind === "Gateway") {
    const tlsBefore = listenerTls(before);
    const tlsAfter = listenerTls(after);
    if (!same(tlsBefore, tlsAfter))
      reports.push(tlsReport(subject, tlsBefore, tlsAfter, at(head, ["spec", "listeners"]), pairId));
  } else if (kind !== "IngressRoute") {
    const parentsBefore = parentRefs(getIn(before, ["spec"]));
    const parentsAfter = parentRefs(getIn(after, ["spec"]));
    if (!same(parentsBefore, parentsAfter)) {
      reports.push({
        messageId: "parentsChanged",
        data: {
          subject,
          before: listNames(parentsBefore) || "(none)",
          after: listNames(parentsAfter) || "(none)",
        },
        location: at(head, ["spec", "parentRefs"]),
        subject: pairId,
        evidence: { path: "spec.parentRefs", before: parentsBefore, after: parentsAfter },
      });
    }
  }
  return reports;
}

function releaseReports(base: HelmRelease, head: HelmRelease, pairId: string): RuleReport[] {
  const reports: RuleReport[] = [];
  const subject = describeSubject(head);
  const baseRoutes = new Map(valuesRoutesOf(base).map((route) => [route.name, route]));
  const headRoutes = new Map(valuesRoutesOf(head).map((route) => [route.name, route]));
  // Hosts across the whole release: a name moving from `ingress` to `httpRoute` is a move, not a loss.
  const before = hostSet(base);
  const after = hostSet(head);
  const movedHosts = [...before.keys()].filter(
    (host) => after.has(host) && after.get(host) !== before.get(host),
  );
  if (movedHosts.length > 0) {
    const first = routedHostsOf(head).find((host) => host.host === movedHosts[0]);
    reports.push({
      messageId: "hostsMoved",
      data: {
        subject,
        hosts: listNames(movedHosts),
        from: listNames(movedHosts.map((host) => before.get(host)!)),
        to: listNames(movedHosts.map((host) => after.get(host)!)),
      },
      location: first ? at(head, first.path) : at(head, []),
      subject: pairId,
      evidence: {
        path: "hosts",
        before: movedHosts.map((h) => before.get(h)),
        after: movedHosts.map((h) => after.get(h)),
      },
    });
  }
  const firstHead = [...headRoutes.values()][0];
  reports.push(...hostReports(base, head, pairId, firstHead ? firstHead.path : []));

  for (const name of new Set([...baseRoutes.keys(), ...headRoutes.keys()])) {
    const was = baseRoutes.get(name);
    const now = headRoutes.get(name);
    const classBefore = valuesClass(was);
    const classAfter = valuesClass(now);
    if (was?.via === "ingress" && was.enabled && (!now || !now.enabled)) {
      if (classBefore) {
        reports.push({
          messageId: "ingressDropped",
          data: { subject, block: name, before: classBefore },
          location: now ? at(head, [...now.path, "enabled"]) : at(base, was.path, "base"),
          subject: pairId,
          evidence: { path: name, before: classBefore },
        });
      }
      continue;
    }
    if (now?.via === "ingress" && now.enabled && was?.enabled && classBefore !== classAfter) {
      const path =
        "className" in now.block
          ? ["className"]
          : "ingressClassName" in now.block
            ? ["ingressClassName"]
            : ["annotations"];
      reports.push({
        messageId: classAfter === null ? "classRemoved" : "classChanged",
        data: {
          subject: `${subject} values ${name}`,
          before: classBefore ?? "(none: default class)",
          after: classAfter ?? "(none)",
        },
        location: at(head, [...now.path, ...path]),
        subject: pairId,
        evidence: { path: `${name}.className`, before: classBefore, after: classAfter },
      });
    }
    if (now?.via === "ingress" && was?.via === "ingress" && now.enabled && was.enabled) {
      const tlsBefore = tlsOf(was.block.tls);
      const tlsAfter = tlsOf(now.block.tls);
      if (!same(tlsBefore, tlsAfter))
        reports.push(
          tlsReport(`${subject} values ${name}`, tlsBefore, tlsAfter, at(head, [...now.path, "tls"]), pairId),
        );
    }
    if (now?.via === "route" && was?.via === "route" && now.enabled && was.enabled) {
      const parentsBefore = parentRefs(was.block);
      const parentsAfter = parentRefs(now.block);
      if (!same(parentsBefore, parentsAfter)) {
        reports.push({
          messageId: "parentsChanged",
          data: {
            subject: `${subject} values ${name}`,
            before: listNames(parentsBefore) || "(none)",
            after: listNames(parentsAfter) || "(none)",
          },
          location: at(head, [...now.path, "parentRefs"]),
          subject: pairId,
          evidence: { path: `${name}.parentRefs`, before: parentsBefore, after: parentsAfter },
        });
      }
    }
  }
  return reports;
}

function tlsReport(
  subject: string,
  before: string[],
  after: string[],
  location: FindingLocation,
  pairId: string,
): RuleReport {
  return {
    messageId: after.length === 0 ? "tlsRemoved" : "tlsChanged",
    data: { subject, before: listNames(before) || "(none)", after: listNames(after) || "(none)" },
    location,
    subject: pairId,
    evidence: { path: "tls", before, after },
  };
}
