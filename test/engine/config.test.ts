import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { defaultConfig, labelFor, parseConfig } from "../../src/engine/config.js";
import { renderConfigSchema, SCHEMA_PATH } from "../../src/github/generate-schema.js";

describe("parseConfig", () => {
  it("fills every default when the file is absent", () => {
    const result = parseConfig(null);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      rules: {},
      environments: {},
      ignore: [],
      gate: { severity: "high" },
      comment: { mode: "on-changes" },
      labels: {
        enabled: true,
        critical: "gitops-risk:critical",
        high: "gitops-risk:high",
        medium: "gitops-risk:medium",
      },
    });
  });

  it("accepts a full configuration", () => {
    const result = parseConfig({
      rules: { "chart-major-bump": "off", "image-tag-mutable": "high" },
      environments: {
        production: { paths: ["clusters/prod/**"], raise: 1 },
        dev: { paths: ["clusters/dev/**"], lower: 2 },
      },
      ignore: ["docs/**"],
      gate: { severity: "critical" },
      comment: { mode: "always" },
      labels: { enabled: false },
    });
    expect(result).toMatchObject({
      ok: true,
      config: { gate: { severity: "critical" }, labels: { enabled: false } },
    });
  });

  it.each([
    [
      { rules: { "x-rule": "urgent" } },
      'rules.x-rule: expected "off" or one of info, low, medium, high, critical',
    ],
    [{ rules: { Bad_Id: "off" } }, "rules.Bad_Id: rule ids are kebab-case (custom rules: custom/<id>)"],
    [
      { environments: { prod: { paths: [] } } },
      "environments.prod.paths: an environment needs at least one path glob",
    ],
    [
      { environments: { prod: { paths: ["a/**"], raise: 1.5 } } },
      "environments.prod.raise: expected a whole number of severity levels",
    ],
    [
      { environments: { prod: { paths: ["a/**"], raise: 1, lower: 1 } } },
      "environments.prod: set either raise or lower, not both",
    ],
    [{ gate: { severity: "urgent" } }, "gate.severity: expected one of info, low, medium, high, critical"],
    [{ comment: { mode: "sometimes" } }, "comment.mode: expected one of always, on-changes, on-findings"],
    [{ colour: "red" }, 'unknown key "colour"'],
  ])("reports %j as %s", (raw, message) => {
    expect(parseConfig(raw)).toEqual({ ok: false, errors: [message] });
  });
});

describe("parseConfig: _extends and custom rules", () => {
  const lbRule = {
    id: "lb-needs-pinned-ip",
    title: "LoadBalancer without a pinned IP",
    severity: "high",
    match: { kinds: ["Service"] },
    expression: "object.spec.type == 'LoadBalancer' && !has(object.spec.loadBalancerIP)",
    message: "{{subject}} gets a new address when it is recreated",
  };

  it("accepts _extends (the CLI reads the file itself, where it is still present)", () => {
    expect(parseConfig({ _extends: "acme/.github:gitops-review.yml" })).toMatchObject({
      ok: true,
      config: { _extends: "acme/.github:gitops-review.yml" },
    });
  });

  it("fills a custom rule's defaults and accepts its id in rules:", () => {
    const result = parseConfig({ customRules: [lbRule], rules: { "custom/lb-needs-pinned-ip": "critical" } });
    expect(result).toEqual({
      ok: true,
      config: expect.objectContaining({
        rules: { "custom/lb-needs-pinned-ip": "critical" },
        customRules: [{ ...lbRule, checklist: [], failurePolicy: "fail" }],
      }),
    });
  });

  it.each([
    [
      { expression: "object.spec.type == 'LoadBalancer" },
      'customRules.0.expression: rule lb-needs-pinned-ip, line 1, column 21 (near "\'LoadBalancer"): unterminated string',
    ],
    [
      { match: { releases: true }, expression: "object.spec.replicas > 1" },
      'customRules.0.expression: rule lb-needs-pinned-ip, line 1, column 1 (near "object.spec.replicas…"): unknown variable "object" (this rule has change, oldRelease, oldValues, release, values)',
    ],
    [
      { match: { kinds: ["Service"], releases: true } },
      "customRules.0.match: set either kinds (Kubernetes objects) or releases: true (Helm releases)",
    ],
    [
      { match: { releases: false } },
      "customRules.0.match.releases: releases can only be true (leave it out for Kubernetes objects)",
    ],
    [
      { match: { kinds: ["Service"], status: ["deleted"] } },
      "customRules.0.match.status.0: expected one of added, removed, modified, replaced, unchanged",
    ],
    [{ id: "custom/lb" }, "customRules.0.id: custom rule ids are kebab-case"],
    [
      { message: "{{subject}} in {{cluster}}" },
      "customRules.0.message: unknown placeholder {{cluster}} (available: {{subject}}, {{kind}}, {{name}}, {{namespace}}, {{file}})",
    ],
    [{ failurePolicy: "Fail" }, "customRules.0.failurePolicy: expected fail or ignore"],
    [{ when: "always" }, 'customRules.0: unknown key "when"'],
  ])("reports the custom rule change %j as %s", (change, message) => {
    expect(parseConfig({ customRules: [{ ...lbRule, ...change }] })).toEqual({
      ok: false,
      errors: [message],
    });
  });

  it("refuses two custom rules with one id (an inherited list is concatenated with the repository's)", () => {
    expect(parseConfig({ customRules: [lbRule, { ...lbRule, title: "Again" }] })).toEqual({
      ok: false,
      errors: ['customRules.1.id: "lb-needs-pinned-ip" is already the id of customRules.0'],
    });
  });
});

describe("labelFor", () => {
  it("names medium and above only", () => {
    const config = defaultConfig();
    expect(labelFor(config, "critical")).toBe("gitops-risk:critical");
    expect(labelFor(config, "medium")).toBe("gitops-risk:medium");
    expect(labelFor(config, "low")).toBeNull();
  });
});

describe("docs/config.schema.json", () => {
  it("is generated from the schema (run `npm run schema` after changing src/engine/config.ts)", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(renderConfigSchema());
  });
});
