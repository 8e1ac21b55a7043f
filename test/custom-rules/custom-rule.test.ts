import { describe, expect, it } from "@jest/globals";
import { parse as parseYaml } from "yaml";
import { rules as catalogue } from "../../rules/index.js";
import { customRulesFrom, withCustomRules } from "../../src/custom-rules/custom-rule.js";
import { parseConfig, type ReviewConfig } from "../../src/engine/config.js";
import { applyPolicy, decideVerdict } from "../../src/engine/policy.js";
import { reviewChangeSet } from "../../src/engine/review.js";
import type { Finding } from "../../src/engine/types.js";
import { changeSetOf, type FilePairs } from "../engine/review-helpers.js";

function configOf(yaml: string): ReviewConfig {
  const parsed = parseConfig(parseYaml(yaml));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.config;
}

/** Findings of the config's custom rules alone on a change. */
async function findingsOf(
  yaml: string,
  files: FilePairs,
  options: { timeLimitMs?: number } = {},
): Promise<Finding[]> {
  const review = await reviewChangeSet(changeSetOf(files), {
    rules: customRulesFrom(configOf(yaml).customRules, options),
  });
  return review.findings;
}

const service = (name: string, spec: string, namespace = "edge") => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}`;

const LB_RULE = `
customRules:
  - id: lb-needs-pinned-ip
    title: LoadBalancer without a pinned IP
    severity: high
    match: { kinds: [Service] }
    expression: "object.spec.type == 'LoadBalancer' && !has(object.spec.loadBalancerIP)"
    message: "{{subject}} gets a new address when it is recreated"
    checklist: ["Is the address reserved and in DNS?"]
`;

describe("a custom rule on Kubernetes objects", () => {
  it("fires on the subject that matches, with the finding's id, title, message, location and checklist", async () => {
    const findings = await findingsOf(LB_RULE, {
      "net/services.yaml": [
        null,
        `${service("public", "  type: LoadBalancer\n  ports: [{ port: 443 }]\n")}---\n${service("pinned", "  type: LoadBalancer\n  loadBalancerIP: 203.0.113.7\n")}---\n${service("internal", "  type: ClusterIP\n")}`,
      ],
    });
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: "custom/lb-needs-pinned-ip",
        title: "LoadBalancer without a pinned IP",
        severity: "high",
        messageId: "matched",
        message: "Service/edge/public gets a new address when it is recreated",
        location: { path: "net/services.yaml", line: 1, side: "head" },
        subject: "core/Service/edge/public",
        checklist: ["Is the address reserved and in DNS?"],
      }),
    ]);
  });

  it("looks at changed subjects only unless told otherwise, and at removals only when asked", async () => {
    const lb = service("public", "  type: LoadBalancer\n");
    const files: FilePairs = {
      "a.yaml": [lb, lb],
      "b.yaml": [service("gone", "  type: LoadBalancer\n"), null],
    };
    expect(await findingsOf(LB_RULE, files)).toEqual([]);

    const removals = `
customRules:
  - id: no-lb-removal
    title: LoadBalancer removed
    severity: critical
    match: { kinds: [Service], status: [removed, unchanged] }
    expression: "object == null ? oldObject.spec.type == 'LoadBalancer' : change.status == 'unchanged'"
    message: "{{name}} in {{namespace}} ({{file}})"
`;
    const found = await findingsOf(removals, files);
    expect(found.map((finding) => [finding.message, finding.location])).toEqual([
      ["public in edge (a.yaml)", { path: "a.yaml", line: 1, side: "head" }],
      ["gone in edge (b.yaml)", { path: "b.yaml", line: 1, side: "base" }],
    ]);
  });

  it("filters by kind and path, and * matches every kind", async () => {
    const yaml = `
customRules:
  - id: prod-only
    title: Anything in production
    severity: low
    match: { kinds: ["*"], paths: ["clusters/prod/**"] }
    expression: "true"
    message: "{{kind}} {{name}}"
`;
    const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { a: b }\n";
    const found = await findingsOf(yaml, {
      "clusters/prod/cm.yaml": [null, configMap],
      "clusters/dev/cm.yaml": [null, configMap],
    });
    expect(found.map((finding) => finding.message)).toEqual(["ConfigMap settings"]);
  });

  it("gives the change: status, old and new names, and the changed paths with their values", async () => {
    const yaml = `
customRules:
  - id: renamed-and-repointed
    title: Service renamed and its port changed
    severity: medium
    match: { kinds: [Service] }
    expression: >-
      change.status == 'replaced' && change.oldName == 'web' && change.name == 'web-v2' &&
      change.paths.exists(p, p.startsWith('spec.ports')) &&
      change.changes.exists(c, c.op == 'removed' && c.path == 'spec.ports[port=80]' && c.before.port == 80) &&
      change.changes.exists(c, c.op == 'added' && c.after.port == 8080 && c.before == null)
    message: "{{subject}}"
`;
    const found = await findingsOf(yaml, {
      "svc.yaml": [
        service("web", "  selector: { app: web }\n  ports:\n    - { name: http, port: 80 }\n"),
        service("web-v2", "  selector: { app: web }\n  ports:\n    - { name: http, port: 8080 }\n"),
      ],
    });
    expect(found.map((finding) => [finding.ruleId, finding.message])).toEqual([
      ["custom/renamed-and-repointed", "Service/edge/web-v2"],
    ]);
  });
});

describe("a custom rule on Helm releases", () => {
  const helmfile = (replicas: number, chart = "bitnami/redis") => `releases:
  - name: cache
    namespace: data
    chart: ${chart}
    version: 19.0.0
    values:
      - replica:
          replicaCount: ${replicas}
`;
  const yaml = `
customRules:
  - id: fewer-replicas
    title: Fewer replicas
    severity: high
    match: { releases: true }
    expression: >-
      change.status == 'modified' &&
      values.replica.replicaCount < oldValues.replica.replicaCount &&
      release.chart.name == 'redis'
    message: "{{subject}} runs fewer replicas"
`;

  it("compares values and oldValues as ints", async () => {
    const fewer = await findingsOf(yaml, { "helmfile.yaml": [helmfile(3), helmfile(2)] });
    expect(fewer.map((finding) => [finding.ruleId, finding.message, finding.subject])).toEqual([
      [
        "custom/fewer-replicas",
        "release data/cache (chart redis 19.0.0) runs fewer replicas",
        "release/data/cache",
      ],
    ]);
    // 10 < 9 as doubles and as ints alike; 10 < 9 as strings would be true.
    expect(await findingsOf(yaml, { "helmfile.yaml": [helmfile(9), helmfile(10)] })).toEqual([]);
  });
});

describe("when the expression cannot decide", () => {
  const unguarded = (policy: string) => `
customRules:
  - id: pinned
    title: Pinned IP required
    severity: high
    match: { kinds: [Service] }
    expression: "object.spec.loadBalancerIP == ''"
    message: "{{subject}}"
    failurePolicy: ${policy}
`;
  const files: FilePairs = { "svc.yaml": [null, service("web", "  type: ClusterIP\n")] };

  it("with failurePolicy fail (the default) reports the subject at the rule's severity, with the error and has()", async () => {
    const [finding, ...rest] = await findingsOf(unguarded("fail"), files);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: "custom/pinned",
      severity: "high",
      messageId: "evaluationFailed",
    });
    expect(finding!.message).toBe(
      "This rule could not be evaluated on Service/edge/web: line 1, column 12 " +
        '(near ".loadBalancerIP == \'…"): field not found: loadBalancerIP. Guard fields that may be absent ' +
        "with has(), e.g. `has(object.spec.x) && object.spec.x == 'y'`. It counts as a finding " +
        "(failurePolicy: fail) until the expression handles this subject.",
    );
  });

  it("with failurePolicy ignore skips the subject", async () => {
    expect(await findingsOf(unguarded("ignore"), files)).toEqual([]);
  });

  it("treats a result that is not a bool as an error", async () => {
    const yaml = unguarded("fail").replace(`"object.spec.loadBalancerIP == ''"`, `"object.metadata.name"`);
    const [finding] = await findingsOf(yaml, files);
    expect(finding!.message).toContain("the expression gave a string, not true or false");
  });

  it("stops at the time limit, keeps what it found and says how much it did not check", async () => {
    const yaml = `
customRules:
  - id: slow
    title: Slow
    severity: medium
    match: { kinds: [ConfigMap] }
    expression: >-
      object.data.items.split(',').all(a, object.data.items.split(',').all(b,
        object.data.items.split(',').all(c, a + b + c != '')))
    message: "{{name}}"
`;
    const small = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a-small }\ndata: { items: 'x,y' }\n";
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: b-big }\ndata: { items: '${Array.from({ length: 2000 }, (_, i) => i).join(",")}' }\n`;
    const found = await findingsOf(yaml, { "cm.yaml": [null, `${small}---\n${big}`] }, { timeLimitMs: 500 });
    // The time-out has no file, so it sorts first.
    expect(found.map((finding) => [finding.messageId, finding.message])).toEqual([
      [
        "timedOut",
        "This rule was stopped after 500 ms, with 1 of 2 subjects not checked; simplify the expression (nested comprehensions over long lists, regular expressions).",
      ],
      ["matched", "a-small"],
    ]);
  });
});

describe("custom findings through policy and the gate", () => {
  const files: FilePairs = {
    "clusters/prod/svc.yaml": [null, service("public", "  type: LoadBalancer\n")],
  };

  it("gate like built-in findings, follow environments, and can be switched off by id", async () => {
    const config = configOf(`${LB_RULE}
environments:
  production: { paths: ["clusters/prod/**"], raise: 1 }
`);
    const ruleSet = withCustomRules(catalogue, config);
    expect(ruleSet.length).toBe(catalogue.length + 1);
    const review = await reviewChangeSet(changeSetOf(files), { rules: ruleSet });
    const outcome = applyPolicy(review.findings, config, {
      knownRuleIds: ruleSet.map((rule) => rule.meta.id),
    });
    const custom = outcome.findings.filter((finding) => finding.ruleId === "custom/lb-needs-pinned-ip");
    expect(custom).toEqual([
      expect.objectContaining({ severity: "critical", adjustment: "environment production (+1)" }),
    ]);
    expect(outcome.gating).toContainEqual(custom[0]);
    expect(outcome.notes).toEqual([]);
    expect(decideVerdict(outcome, review.inScope).conclusion).toBe("action_required");

    const off = configOf(`${LB_RULE}\nrules:\n  custom/lb-needs-pinned-ip: off\n`);
    const quiet = applyPolicy(review.findings, off);
    expect(quiet.findings.some((finding) => finding.ruleId.startsWith("custom/"))).toBe(false);
    expect(quiet.suppressed.ruleOff).toBe(1);
  });

  it("leave the catalogue as it is without custom rules", () => {
    expect(withCustomRules(catalogue, configOf("{}"))).toBe(catalogue);
  });
});
