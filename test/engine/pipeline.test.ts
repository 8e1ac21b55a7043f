import { describe, expect, it } from "@jest/globals";
import { rules as catalogue } from "../../rules/index.js";
import { parseConfig, type ReviewConfig } from "../../src/engine/config.js";
import { buildReport } from "../../src/engine/pipeline.js";
import { changeSetOf } from "./review-helpers.js";

const service = (type: string) => `apiVersion: v1
kind: Service
metadata: {name: edge, namespace: gateway}
spec:
  type: ${type}
  ports: [{port: 443}]
`;

const secret = `apiVersion: v1
kind: Secret
metadata: {name: registry, namespace: gateway}
stringData:
  token: s3cr3t-value-from-git
`;

function config(raw: unknown): ReviewConfig {
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.config;
}

describe("buildReport", () => {
  const changeSet = () =>
    changeSetOf({
      "platform/gateway/service.yaml": [service("ClusterIP"), service("LoadBalancer")],
      "platform/gateway/registry.yaml": [null, secret],
      "platform/gateway/notes.yaml": ["owner: team-a\n", "owner: team-b\n"],
      "platform/gateway/broken.yaml": ["a: 1\n", "a: [1\n"],
      "docs/README.md": ["old\n", "new\n"],
    });

  it("gives one report: findings after policy, verdict, one group per finding, the redactor", async () => {
    const report = await buildReport({ changeSet: changeSet(), rules: catalogue, config: config({}) });

    expect(report.findings.map((finding) => finding.ruleId)).toContain("plaintext-secret");
    expect(report.verdict.conclusion).toBe("action_required");
    expect(report.groups.map((group) => group.members)).toEqual(report.findings.map((finding) => [finding]));
    expect(report.redact("the token is s3cr3t-value-from-git")).toBe("the token is ••••••");
    expect(report.rules.map((rule) => rule.id)).toEqual(catalogue.map((rule) => rule.meta.id));
  });

  it("accounts for every changed file in scope, with a reason when it was not understood", async () => {
    const report = await buildReport({ changeSet: changeSet(), rules: catalogue, config: config({}) });

    expect(report.coverage).toEqual([
      { path: "platform/gateway/service.yaml", status: "modelled", reason: null },
      { path: "platform/gateway/registry.yaml", status: "modelled", reason: null },
      {
        path: "platform/gateway/notes.yaml",
        status: "not-understood",
        reason: "no format recognised its documents",
      },
      {
        path: "platform/gateway/broken.yaml",
        status: "not-understood",
        reason: expect.stringMatching(/YAML/),
      },
    ]);
  });

  it("skips ignored files entirely, whichever source listed them", async () => {
    const report = await buildReport({
      changeSet: changeSet(),
      rules: catalogue,
      config: config({ ignore: ["platform/gateway/registry.yaml"] }),
    });

    expect(report.findings.some((finding) => finding.ruleId === "plaintext-secret")).toBe(false);
    expect(report.subjects.some((diff) => diff.pair.id.includes("Secret"))).toBe(false);
    expect(report.files.map((file) => file.path)).not.toContain("platform/gateway/registry.yaml");
    expect(report.suppressed.ignoredPath).toBe(0);
  });
});
