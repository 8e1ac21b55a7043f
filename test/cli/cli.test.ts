import { describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { run } from "../../src/cli/main.js";

const ROOT = join(import.meta.dirname, "../..");
const INCIDENT = join(ROOT, "examples/acme-volume-incident");
/** The incident's folders as JSON, failing on critical findings (it has one: exit 1). */
const INCIDENT_JSON = [
  "diff",
  join(INCIDENT, "before"),
  join(INCIDENT, "after"),
  "--format",
  "json",
  "--fail-on",
  "critical",
];

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe("gitops-review CLI", () => {
  it("prints the JSON contract for two folders", async () => {
    const { code, stdout } = await cli(...INCIDENT_JSON);
    const json = JSON.parse(stdout) as {
      findings: Record<string, unknown>[];
      subjects: { id: string; status: string }[];
    };
    expect(json.subjects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "release/traefik/traefik", status: "modified" }),
      ]),
    );
    for (const finding of json.findings) {
      expect(Object.keys(finding)).toEqual(
        expect.arrayContaining(["ruleId", "severity", "path", "line", "message"]),
      );
    }
    expect(json.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ruleId: "volume-shadows-persistence",
          severity: "critical",
          path: "infrastructure/controllers/traefik/helmrelease.yaml",
          line: 76,
        }),
      ]),
    );
    expect(code).toBe(1);
  });

  it("exits 0 when nothing reaches --fail-on", async () => {
    const same = await cli("diff", join(INCIDENT, "before"), join(INCIDENT, "before"));
    expect(same.code).toBe(0);
    const reachesCritical = await cli(
      "diff",
      join(INCIDENT, "before"),
      join(INCIDENT, "after"),
      "--fail-on",
      "critical",
      "--format",
      "json",
    );
    expect(reachesCritical.code).toBe(1);
  });

  it("exits 2 with one line for a missing folder", async () => {
    const { code, stdout, stderr } = await cli("diff", join(INCIDENT, "nope"), join(INCIDENT, "after"));
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^gitops-review: before folder not found: /);
  });

  it("exits 2 on a bad option value", async () => {
    const { code, stderr } = await cli("diff", "a", "b", "--fail-on", "urgent");
    expect(code).toBe(2);
    expect(stderr).toContain("--fail-on must be one of info, low, medium, high, critical");
  });

  it("exits 2 on an unknown command and shows the usage", async () => {
    const { code, stderr } = await cli("frobnicate");
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
    expect(stderr).toContain("Usage:");
  });

  it("explains a rule and suggests the closest id for a typo", async () => {
    const ok = await cli("explain", "parse-problem");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("## What it checks");
    const typo = await cli("explain", "parse-problm");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("did you mean parse-problem?");
  });

  it("runs as the installed binary (npx gitops-review)", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, "bin/gitops-review.js"), ...INCIDENT_JSON],
      { cwd: ROOT },
    ).catch((err: { stdout: string; code: number }) => {
      if (err.code === 1) return { stdout: err.stdout }; // findings at the threshold
      throw err;
    });
    expect(JSON.parse(stdout)).toHaveProperty("findings");
  });
});
