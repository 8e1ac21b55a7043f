import { describe, expect, it } from "@jest/globals";
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
});
