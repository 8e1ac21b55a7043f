import { describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { run } from "../../src/cli/main.js";
import { TempRepo } from "../source/git-repo.js";

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

/** A config file in a fresh temporary folder. */
async function configFile(yaml: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "gitops-review-cli-")), "gitops-review.yml");
  await writeFile(path, yaml);
  return path;
}

const ACME_STORAGE_RULE = `customRules:
  - id: acme-on-data
    title: ACME storage under /data
    severity: critical
    match: { releases: true }
    expression: >-
      has(values.certResolvers) &&
      values.certResolvers.exists(name, values.certResolvers[name].storage.startsWith('/data/'))
    message: "{{subject}} keeps ACME state under /data"
`;

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

  it("applies custom rules from --config, and their findings decide the exit code", async () => {
    const config = await configFile(ACME_STORAGE_RULE);
    const { code, stdout, stderr } = await cli(
      "diff",
      join(INCIDENT, "before"),
      join(INCIDENT, "after"),
      "--format",
      "json",
      "--fail-on",
      "critical",
      "--config",
      config,
    );
    const json = JSON.parse(stdout) as { findings: { ruleId: string; severity: string; message: string }[] };
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        ruleId: "custom/acme-on-data",
        severity: "critical",
        message: "release traefik/traefik (chart traefik 10.24.0) keeps ACME state under /data",
      }),
    );
    expect(code).toBe(1);
    expect(stderr).toBe("");
  });

  it("exits 2 on a malformed expression, naming the key and the position", async () => {
    const config = await configFile(ACME_STORAGE_RULE.replace("startsWith('/data/')", "startsWith('/data/)"));
    const { code, stderr } = await cli(
      "diff",
      join(INCIDENT, "before"),
      join(INCIDENT, "after"),
      "--config",
      config,
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      `gitops-review: config ${config} is invalid: customRules.0.expression: rule acme-on-data, line 1, ` +
        `column 110 (near "'/data/))"): unterminated string\n`,
    );
  });

  it("says that it does not follow _extends, and applies the file it has", async () => {
    const config = await configFile("_extends: acme/.github\nrules:\n  volume-shadows-persistence: off\n");
    const { code, stdout, stderr } = await cli(...INCIDENT_JSON, "--config", config);
    expect(stderr).toBe(
      `gitops-review: ${config} extends "acme/.github", which the CLI does not follow: only this file applies\n`,
    );
    const json = JSON.parse(stdout) as { findings: { ruleId: string }[] };
    expect(json.findings.map((finding) => finding.ruleId)).not.toContain("volume-shadows-persistence");
    expect(code).toBe(0);
  });

  it("draws a progress line on a terminal's stderr and erases it before the result", async () => {
    let stdout = "";
    let stderr = "";
    const code = await run(INCIDENT_JSON, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      stderrTerminal: { columns: 100, progress: { delayMs: 0, intervalMs: 0 } },
    });
    expect(code).toBe(1);
    // Each redraw starts with a carriage return and "erase line".
    const draws = stderr.split("\r\u001b[2K");
    expect(draws[0]).toBe("");
    expect(draws[1]).toMatch(/^gitops-review: reading the changes \(\d+\.\d s\)$/);
    expect(draws).toContainEqual(
      expect.stringMatching(/^gitops-review: running rule \d+ of \d+ \(\d+\.\d s\)$/),
    );
    expect(draws.at(-1)).toBe("");
    // The result itself is untouched.
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
  });

  it("prints no progress when stderr is not a terminal", async () => {
    const { stderr } = await cli(...INCIDENT_JSON);
    expect(stderr).toBe("");
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

  describe("review on a git range that changes the review policy", () => {
    const POLICY = ".github/gitops-review.yml";
    const deployment = (replicas: number) =>
      [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: { name: billing, namespace: payments }",
        "spec:",
        `  replicas: ${replicas}`,
        "  selector: { matchLabels: { app: billing } }",
        "  template:",
        "    metadata: { labels: { app: billing } }",
        "    spec:",
        "      containers: [{ name: billing, image: ghcr.io/acme/billing:3.1.0 }]",
        "",
      ].join("\n");

    function rangeRepo(basePolicy: string, headPolicy: string, headReplicas: number): TempRepo {
      const repo = new TempRepo();
      repo.write(POLICY, basePolicy).write("deploy/billing/deployment.yaml", deployment(3)).commit("base");
      repo.write(POLICY, headPolicy).write("deploy/billing/deployment.yaml", deployment(headReplicas));
      repo.commit("head");
      return repo;
    }

    async function reviewJson(repo: TempRepo) {
      const result = await cli("review", "--repo", repo.dir, "--base", "HEAD~1", "--format", "json");
      const json = JSON.parse(result.stdout) as {
        findings: { ruleId: string; severity: string; message: string }[];
      };
      return { code: result.code, findings: json.findings };
    }

    it("judges the range by the base's policy and reports the weakening as high", async () => {
      const repo = rangeRepo(
        "gate:\n  approvals: { high: 1 }\n",
        'gate:\n  approvals: { high: 0 }\nignore: ["**"]\n',
        0,
      );
      try {
        const { code, findings } = await reviewJson(repo);
        // The head's `ignore: ["**"]` is not applied to the range that brings it.
        expect(findings.map((f) => f.ruleId)).toEqual(
          expect.arrayContaining(["replicas-scaled-to-zero", "review-config-weakened"]),
        );
        const weakenings = findings.filter((f) => f.ruleId === "review-config-weakened");
        expect(weakenings.map((f) => f.severity)).toEqual(["high", "high"]);
        expect(weakenings.map((f) => f.message).join("\n")).toContain("high: 1 -> 0");
        expect(weakenings.map((f) => f.message).join("\n")).toContain("ignores **");
        expect(code).toBe(1);
      } finally {
        repo.cleanup();
      }
    });

    it("a policy that only gets stricter is quiet", async () => {
      const repo = rangeRepo('ignore: ["docs/**"]\n', "gate:\n  approvals: { high: 2 }\n", 3);
      try {
        const { code, findings } = await reviewJson(repo);
        expect(findings).toEqual([]);
        expect(code).toBe(0);
      } finally {
        repo.cleanup();
      }
    });
  });
});
