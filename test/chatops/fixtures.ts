/**
 * A small, real review for the chat-ops tests: a Service that turns into a LoadBalancer with a
 * stray `@platform-team` mention and a DB password in the same file, and a broken values file.
 */
import { defaultConfig } from "../../src/engine/config.js";
import { buildReport } from "../../src/engine/pipeline.js";
import type { Rule, RuleReport } from "../../src/engine/types.js";
import type { ChangeSet } from "../../src/source/change-set.js";
import { rule as parseProblem } from "../../rules/parse-problem/rule.js";

/** A stand-in for a catalogue rule: Service type changes. */
export const serviceTypeRule: Rule = {
  meta: {
    id: "service-type-change",
    title: "Service type changes",
    category: "networking",
    defaultSeverity: "high",
    appliesTo: ["object"],
    description: "A Service changes type (ClusterIP, NodePort, LoadBalancer).",
  },
  messages: {
    changed:
      "Service {{name}} changes type from {{before}} to {{after}}: clients of the old address lose it.",
  },
  remediation: "Create the new Service next to the old one and move clients over first.",
  checklist: ["Who connects to the old address?", "Is a new external IP allowed by the firewall?"],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of context.diffs) {
      const change = diff.changes.find((c) => c.path === "spec.type");
      if (!change || diff.pair.head?.type !== "object") continue;
      reports.push({
        messageId: "changed",
        data: {
          name: diff.pair.head.identity.name,
          before: String(change.before),
          after: String(change.after),
        },
        location: { path: change.head?.file ?? "", line: change.head?.line ?? null, side: "head" },
        subject: diff.pair.id,
        evidence: { path: "spec.type", before: change.before, after: change.after },
      });
    }
    return reports;
  },
};

export const TEST_RULES: readonly Rule[] = [parseProblem, serviceTypeRule];

const SERVICE_BASE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    owner: "@platform-team"
spec:
  type: ClusterIP
  selector:
    app: web
  ports:
    - port: 80
`;

const SECRET_CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  password: hunter2-very-secret
  mode: blue
`;

export function changeSet(): ChangeSet {
  return {
    files: [
      {
        path: "apps/shop/service.yaml",
        status: "modified",
        base: SERVICE_BASE,
        head: SERVICE_BASE.replace("type: ClusterIP", "type: LoadBalancer"),
      },
      {
        path: "apps/shop/config.yaml",
        status: "modified",
        base: SECRET_CONFIG,
        head: SECRET_CONFIG.replace("mode: blue", "mode: green"),
      },
      { path: "apps/shop/values.yaml", status: "modified", base: "replicas: 2\n", head: "replicas: [2\n" },
    ],
    context: new Map(),
    notes: [],
  };
}

export async function reviewed() {
  return buildReport({ changeSet: changeSet(), rules: TEST_RULES, config: defaultConfig() });
}
