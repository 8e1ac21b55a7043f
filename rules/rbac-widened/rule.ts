import { isDeepStrictEqual } from "node:util";
import {
  describeSubject,
  getIn,
  isRecord,
  locationOf,
  objectDiffs,
  ownValue,
  releaseDiffs,
  walkValue,
} from "../../src/engine/rule-kit.js";
import type { Rule, RuleReport, Severity, SubjectPair } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import type { PathSegment } from "../../src/parse/types.js";

const READ_VERBS = new Set(["get", "list", "watch", "*"]);
const ESCALATION_VERBS = ["escalate", "bind", "impersonate"];
/** Cluster-wide powerful roles: bound cluster-wide, they give (nearly) everything. */
const POWERFUL_ROLES = new Set(["cluster-admin", "admin"]);
/** Subjects that mean "everyone": binding them to anything powerful is an open door. */
const EVERYONE = new Set(["system:authenticated", "system:unauthenticated", "system:serviceaccounts"]);

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

interface Grant {
  /** What the grant allows, as the reviewer reads it; also its identity across base and head. */
  key: string;
  path: PathSegment[];
}

/** Dangerous grants of every PolicyRule (`verbs` + `resources`/`nonResourceURLs`) found in a value. */
function grants(value: unknown): Grant[] {
  const found: Grant[] = [];
  walkValue(value, (node) => {
    const rule = node.value;
    if (!isRecord(rule) || !Array.isArray(rule.verbs)) return;
    if (!Array.isArray(rule.resources) && !Array.isArray(rule.nonResourceURLs)) return;
    const verbs = strings(rule.verbs);
    const resources = strings(rule.resources);
    const groups = strings(rule.apiGroups);
    const add = (key: string) => found.push({ key, path: node.path });
    if (verbs.includes("*"))
      add(`all verbs (*) on ${resources.join(", ") || strings(rule.nonResourceURLs).join(", ")}`);
    if (resources.includes("*"))
      add(`all resources (*) in API groups ${groups.map((g) => g || '""').join(", ") || '""'}`);
    if (groups.includes("*")) add("all API groups (*)");
    if (strings(rule.nonResourceURLs).includes("*")) add("all non-resource URLs (*)");
    if (
      (resources.includes("secrets") || resources.includes("*")) &&
      verbs.some((verb) => READ_VERBS.has(verb))
    ) {
      add(`read access to Secrets (${verbs.filter((verb) => READ_VERBS.has(verb)).join(", ")})`);
    }
    for (const verb of ESCALATION_VERBS)
      if (verbs.includes(verb)) add(`the ${verb} verb on ${resources.join(", ")}`);
  });
  return found;
}

function subjectsText(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((item) => {
    const ns = typeof item.namespace === "string" ? `${item.namespace}/` : "";
    return `${String(item.kind ?? "?")} ${ns}${String(item.name ?? "?")}`;
  });
}

export const rule: Rule = {
  meta: {
    id: "rbac-widened",
    title: "RBAC permissions widened",
    category: "security",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "RBAC gains cluster-admin bindings, wildcard verbs/resources/API groups, read access to Secrets, or the escalate/bind/impersonate verbs.",
  },
  messages: {
    grant: "{{subject}} now grants {{grant}}: whoever holds this role can {{impact}}.",
    binding:
      "{{subject}} binds {{role}} to {{who}}: they get {{scope}} — full control, including reading every Secret and granting themselves anything else.",
  },
  remediation:
    "Grant the specific verbs on the specific resources (and resourceNames) the workload needs, in a namespaced Role where possible, and never bind cluster-admin to workloads or broad groups.",
  checklist: [
    "Which ServiceAccounts, users or groups end up holding these permissions, and why do they need them?",
    "Can the rule be narrowed to specific resources, resourceNames, verbs or one namespace?",
    "If this identity's token leaks (a compromised pod), what can an attacker reach with it?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    const grantReports = (pair: SubjectPair, base: Subject | null, head: Subject) => {
      const before = new Set(grants(ownValue(base)).map((grant) => grant.key));
      const seen = new Set<string>();
      for (const grant of grants(ownValue(head))) {
        if (before.has(grant.key) || seen.has(grant.key)) continue;
        seen.add(grant.key);
        const impact = grant.key.startsWith("read access to Secrets")
          ? "read every Secret in scope: database passwords, API tokens and ServiceAccount tokens of more powerful identities"
          : grant.key.startsWith("the ")
            ? "grant themselves or act as identities with more rights than they have (privilege escalation)"
            : "do far more than the workload needs, including whatever new resource types are installed later";
        reports.push({
          messageId: "grant",
          data: { subject: describeSubject(head), grant: grant.key, impact },
          location: locationOf(head, grant.path, "head"),
          subject: pair.id,
          evidence: { path: grant.path.join("."), after: grant.key },
        });
      }
    };

    for (const { pair, base, head } of objectDiffs(context)) {
      if (!head || pair.status === "unchanged") continue;
      const kind = head.identity.kind;
      if (kind === "Role" || kind === "ClusterRole") grantReports(pair, base, head);
      if (kind !== "RoleBinding" && kind !== "ClusterRoleBinding") continue;
      const role = getIn(head.document.value, ["roleRef", "name"]);
      if (typeof role !== "string" || !POWERFUL_ROLES.has(role)) continue;
      if (role === "admin" && kind === "RoleBinding") continue; // namespace admin in one namespace: ordinary
      const who = subjectsText(getIn(head.document.value, ["subjects"]));
      const oldRole = base ? getIn(base.document.value, ["roleRef", "name"]) : undefined;
      const oldWho = base ? subjectsText(getIn(base.document.value, ["subjects"])) : [];
      const newWho = oldRole === role ? who.filter((item) => !oldWho.includes(item)) : who;
      if (newWho.length === 0 || (oldRole === role && isDeepStrictEqual(oldWho, who))) continue;
      const everyone = newWho.some((item) => EVERYONE.has(item.split(" ").pop() ?? ""));
      const severity: Severity = everyone ? "critical" : "high";
      reports.push({
        messageId: "binding",
        data: {
          subject: describeSubject(head),
          role: `ClusterRole ${role}`,
          who: newWho.join(", "),
          scope:
            kind === "ClusterRoleBinding"
              ? "every permission in every namespace"
              : `every permission in namespace ${head.identity.namespace ?? "(default)"}`,
        },
        severity,
        location: locationOf(head, oldRole === role ? ["subjects"] : ["roleRef", "name"], "head"),
        subject: pair.id,
        evidence: { path: "roleRef.name", before: oldRole, after: role },
      });
    }

    for (const { pair, base, head } of releaseDiffs(context)) {
      if (!head || pair.status === "unchanged") continue;
      grantReports(pair, base, head);
    }
    return reports;
  },
};
