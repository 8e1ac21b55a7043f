import { describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/main.js";
import { packageVersion } from "../../src/package-root.js";
import { sarifSchemaErrors } from "../support/sarif-schema.js";

const INCIDENT = join(import.meta.dirname, "../../examples/acme-volume-incident");

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe("gitops-review --format sarif", () => {
  it("prints valid SARIF 2.1.0 for the incident and still fails on its critical finding", async () => {
    const { code, stdout, stderr } = await cli(
      "diff",
      join(INCIDENT, "before"),
      join(INCIDENT, "after"),
      "--format",
      "sarif",
    );
    const log = JSON.parse(stdout) as {
      runs: {
        tool: { driver: { version: string; rules: { id: string; help: { markdown: string } }[] } };
        results: { ruleId: string; level: string; locations: { physicalLocation: unknown }[] }[];
      }[];
    };

    expect(stderr).toBe("");
    expect(sarifSchemaErrors(log)).toEqual([]);
    const run0 = log.runs[0]!;
    expect(run0.tool.driver.version).toBe(packageVersion());
    expect(run0.tool.driver.rules.find((r) => r.id === "volume-shadows-persistence")?.help.markdown).toMatch(
      /^## What it checks/,
    );
    expect(run0.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ruleId: "volume-shadows-persistence",
          level: "error",
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: "infrastructure/controllers/traefik/helmrelease.yaml",
                  uriBaseId: "%SRCROOT%",
                },
                region: { startLine: 76 },
              },
            },
          ],
        }),
      ]),
    );
    expect(code).toBe(1);
  });

  it("lists a repository's custom rule like a built-in one, with help from its own text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gitops-review-sarif-cli-"));
    try {
      const service = (type: string) =>
        `apiVersion: v1\nkind: Service\nmetadata: {name: gateway, namespace: edge}\nspec:\n  type: ${type}\n  ports: [{port: 443}]\n`;
      for (const [side, type] of [
        ["before", "ClusterIP"],
        ["after", "LoadBalancer"],
      ] as const) {
        mkdirSync(join(dir, side, "edge"), { recursive: true });
        writeFileSync(join(dir, side, "edge", "gateway.yaml"), service(type));
      }
      writeFileSync(
        join(dir, "policy.yml"),
        [
          "customRules:",
          "  - id: lb-needs-pinned-ip",
          "    title: LoadBalancer without a pinned IP",
          "    severity: low",
          "    match: { kinds: [Service] }",
          "    expression: \"object.spec.type == 'LoadBalancer' && !has(object.spec.loadBalancerIP)\"",
          '    message: "{{subject}} gets a new address when it is recreated"',
          '    checklist: ["Is the address reserved in @net-team\'s DNS?"]',
          "",
        ].join("\n"),
      );
      const { stdout } = await cli(
        "diff",
        join(dir, "before"),
        join(dir, "after"),
        "--config",
        join(dir, "policy.yml"),
        "--format",
        "sarif",
      );
      const log = JSON.parse(stdout) as {
        runs: {
          tool: {
            driver: {
              rules: { id: string; help: { markdown: string }; defaultConfiguration: { level: string } }[];
            };
          };
          results: { ruleId: string; ruleIndex: number; message: { text: string } }[];
        }[];
      };

      expect(sarifSchemaErrors(log)).toEqual([]);
      const { rules } = log.runs[0]!.tool.driver;
      const result = log.runs[0]!.results.find((r) => r.ruleId === "custom/lb-needs-pinned-ip")!;
      expect(result.message.text).toBe("Service/edge/gateway gets a new address when it is recreated");
      const rule = rules[result.ruleIndex]!;
      expect(rule.id).toBe("custom/lb-needs-pinned-ip");
      expect(rule.defaultConfiguration.level).toBe("note");
      expect(rule.help.markdown).toContain("- Is the address reserved in @\u200Bnet-team's DNS?");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
