import {
  describeSubject,
  getIn,
  locationOf,
  objectDiffs,
  ownValue,
  releaseDiffs,
  walkValue,
} from "../../src/engine/rule-kit.js";
import type { Rule, RuleReport } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import type { PathSegment } from "../../src/parse/types.js";

function names(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((item): item is string => typeof item === "string"))].sort();
}

function listText(items: readonly string[]): string {
  return items.length > 0 ? items.join(", ") : "none";
}

interface NameSet {
  key: string;
  path: PathSegment[];
  names: string[];
}

/** `dnsNames` lists in chart values (charts that render cert-manager Certificates from values). */
function valueNameSets(subject: Subject): NameSet[] {
  const found: NameSet[] = [];
  walkValue(ownValue(subject), (node) => {
    if (node.name === "dnsNames" && Array.isArray(node.value)) {
      found.push({ key: node.key, path: node.path, names: names(node.value) });
    }
  });
  return found;
}

export const rule: Rule = {
  meta: {
    id: "certificate-names-changed",
    title: "Certificate names changed",
    category: "certificates",
    defaultSeverity: "medium",
    appliesTo: ["object", "release"],
    description:
      "A cert-manager Certificate's dnsNames or commonName change: a new name set is a new certificate order.",
  },
  messages: {
    namesChanged:
      "{{subject}}: certificate names change (added: {{added}}; removed: {{removed}}): cert-manager orders a new certificate for the new set right away. Let's Encrypt allows 5 duplicate certificates per week for the same set of names and 50 per registered domain per week; a typo or an issuance loop locks this name set out for days.",
    commonNameChanged:
      "Certificate {{name}}: commonName {{before}} -> {{after}}: cert-manager re-issues the certificate; Let's Encrypt allows 5 duplicate certificates per week for the same set of names and 50 per registered domain per week.",
  },
  remediation:
    "Check every new name resolves and routes to the solver (HTTP-01) or is in the DNS zone the solver manages (DNS-01), issue against the staging issuer first when many names change, and avoid re-applying name changes back and forth.",
  checklist: [
    "Does every added name resolve to the ingress/gateway that answers the ACME challenge, or live in a zone the DNS-01 solver can write?",
    "Do clients still need the removed names (old hostnames, internal aliases)?",
    "How many certificates for this registered domain were issued this week (crt.sh)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context, ["Certificate"])) {
      if (!base || !head || pair.status === "unchanged" || head.identity.group !== "cert-manager.io")
        continue;
      const oldNames = names(getIn(base.document.value, ["spec", "dnsNames"]));
      const newNames = names(getIn(head.document.value, ["spec", "dnsNames"]));
      const added = newNames.filter((name) => !oldNames.includes(name));
      const removed = oldNames.filter((name) => !newNames.includes(name));
      if (added.length > 0 || removed.length > 0) {
        reports.push({
          messageId: "namesChanged",
          data: {
            subject: `Certificate ${head.identity.name}`,
            added: listText(added),
            removed: listText(removed),
          },
          location: locationOf(head, ["spec", "dnsNames"], "head"),
          subject: pair.id,
          evidence: { path: "spec.dnsNames", before: oldNames, after: newNames },
        });
        continue;
      }
      const before = getIn(base.document.value, ["spec", "commonName"]);
      const after = getIn(head.document.value, ["spec", "commonName"]);
      if (typeof before === "string" && before !== after) {
        reports.push({
          messageId: "commonNameChanged",
          data: { name: head.identity.name, before, after: typeof after === "string" ? after : "(unset)" },
          location: locationOf(head, ["spec", "commonName"], "head"),
          subject: pair.id,
          evidence: { path: "spec.commonName", before, after },
        });
      }
    }

    for (const { pair, base, head } of releaseDiffs(context)) {
      if (!base || !head || pair.status === "unchanged") continue;
      const old = new Map(valueNameSets(base).map((set) => [set.key, set]));
      for (const set of valueNameSets(head)) {
        const previous = old.get(set.key);
        if (!previous) continue;
        const added = set.names.filter((name) => !previous.names.includes(name));
        const removed = previous.names.filter((name) => !set.names.includes(name));
        if (added.length === 0 && removed.length === 0) continue;
        reports.push({
          messageId: "namesChanged",
          data: {
            subject: `${describeSubject(head)} ${set.key}`,
            added: listText(added),
            removed: listText(removed),
          },
          location: locationOf(head, set.path, "head"),
          subject: pair.id,
          evidence: { path: set.key, before: previous.names, after: set.names },
        });
      }
    }
    return reports;
  },
};
