import { describe, expect, it } from "@jest/globals";
import { rules as catalogue } from "../../rules/index.js";
import { readRuleHelp } from "../../src/docs/rule-help.js";
import { defaultConfig } from "../../src/engine/config.js";
import { buildReport } from "../../src/engine/pipeline.js";
import type { PolicyFinding } from "../../src/engine/policy.js";
import type { FindingGroup, Report } from "../../src/engine/report.js";
import type { RuleMeta } from "../../src/engine/types.js";
import { createRedactor } from "../../src/k8s/secrets.js";
import { FINGERPRINT_KEY, fileUri, renderSarif, sarifText } from "../../src/render/sarif.js";
import { changeSetOf } from "../engine/review-helpers.js";
import { sarifSchemaErrors } from "../support/sarif-schema.js";
import { makeFinding, outcomeOf, reportOf, reviewOf } from "./fixtures.js";

interface SarifLocation {
  id?: number;
  physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } };
  message?: { text: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  rank: number;
  message: { text: string; markdown?: string };
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
interface SarifRule {
  id: string;
  shortDescription: { text: string };
  help: { text: string; markdown?: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[]; "security-severity"?: string; severity: string };
}
interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: SarifRule[] } };
    results: SarifResult[];
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications?: {
        level: string;
        message: { text: string };
        associatedRule?: { id: string; index: number };
      }[];
    }[];
    properties: Record<string, unknown>;
  }[];
}

function parse(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  expect(sarifSchemaErrors(log)).toEqual([]);
  return log;
}

const deployment = (replicas: number, padding = "") => `${padding}apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: payments
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      containers:
        - name: ledger
          image: registry.example.com/ledger:2.4.1
`;

const service = (type: string, padding = "") => `${padding}apiVersion: v1
kind: Service
metadata: {name: ingress-edge, namespace: edge-system}
spec:
  type: ${type}
  selector: {app: edge}
  ports: [{port: 443, targetPort: 8443}]
`;

/** One push of a pull request that scales a workload to zero and turns a Service into a LoadBalancer. */
async function push(padding = "") {
  return buildReport({
    changeSet: changeSetOf({
      "services/payments/ledger/workload.yaml": [deployment(3), deployment(0, padding)],
      "services/edge/svc.yaml": [service("ClusterIP"), service("LoadBalancer", padding)],
    }),
    rules: catalogue,
    config: defaultConfig(),
  });
}

describe("renderSarif on a review", () => {
  it("is valid SARIF 2.1.0 with one descriptor per rule and one located result per finding", async () => {
    const report = await push();
    const help = await readRuleHelp(catalogue);
    const log = parse(renderSarif({ report, toolVersion: "1.2.3", help }));
    const run = log.runs[0]!;

    expect(log.version).toBe("2.1.0");
    expect(run.tool.driver).toMatchObject({ name: "gitops-review-bot", version: "1.2.3" });
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(catalogue.map((rule) => rule.meta.id));
    expect(report.findings.length).toBeGreaterThanOrEqual(2);
    expect(run.results).toHaveLength(report.findings.length);
    for (const [i, result] of run.results.entries()) {
      const finding = report.findings[i]!;
      expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.ruleId).toBe(finding.ruleId);
      expect(result.locations).toEqual([
        {
          physicalLocation: {
            artifactLocation: { uri: finding.location.path, uriBaseId: "%SRCROOT%" },
            region: { startLine: finding.location.line },
          },
        },
      ]);
      expect(result.partialFingerprints[FINGERPRINT_KEY]).toBe(finding.fingerprint);
      expect(result.properties.severity).toBe(finding.severity);
    }
    const scaled = run.results.find((result) => result.ruleId === "replicas-scaled-to-zero");
    expect(scaled?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      "services/payments/ledger/workload.yaml",
    );
    expect(run.properties).toMatchObject({ verdict: report.verdict.conclusion, gateSeverity: "high" });
  });

  it("takes each rule's help from its explain.md, with checklist and remediation", async () => {
    const report = await push();
    const log = parse(renderSarif({ report, toolVersion: "1.2.3", help: await readRuleHelp(catalogue) }));
    const rule = log.runs[0]!.tool.driver.rules.find((r) => r.id === "replicas-scaled-to-zero")!;
    const source = catalogue.find((r) => r.meta.id === "replicas-scaled-to-zero")!;

    expect(rule.help.markdown).toContain("## Why it matters");
    expect(rule.help.markdown).not.toContain("[object Object]");
    expect(rule.help.markdown).toContain(`- [ ] ${source.checklist[0]}`);
    expect(rule.help.markdown).toContain(source.remediation);
    expect(rule.shortDescription.text).toBe(source.meta.title);
  });

  it("maps severity to level, security-severity and rank", async () => {
    const report = reportOf(
      outcomeOf([
        makeFinding(1, "critical"),
        makeFinding(2, "high"),
        makeFinding(3, "medium"),
        makeFinding(4, "low"),
        makeFinding(5, "info"),
      ]),
      reviewOf(),
    );
    const rules: RuleMeta[] = report.findings.map((finding) => ({
      id: finding.ruleId,
      title: finding.title,
      category: "availability",
      defaultSeverity: finding.severity,
      appliesTo: ["object"],
      description: "What it checks.",
    }));
    const run = parse(renderSarif({ report: { ...report, rules }, toolVersion: "0" })).runs[0]!;

    expect(run.results.map((r) => [r.properties.severity, r.level, r.rank])).toEqual([
      ["critical", "error", 95],
      ["high", "error", 80],
      ["medium", "warning", 55],
      ["low", "note", 20],
      ["info", "note", 5],
    ]);
    expect(
      run.tool.driver.rules.map((r) => [r.defaultConfiguration.level, r.properties["security-severity"]]),
    ).toEqual([
      ["error", "9.5"],
      ["error", "8.0"],
      ["warning", "5.5"],
      ["note", "2.0"],
      ["note", undefined],
    ]);
    expect(run.tool.driver.rules[0]!.properties.tags).toEqual(["security", "gitops", "availability"]);
    expect(run.tool.driver.rules[4]!.properties.tags).toEqual(["gitops", "availability"]);
  });

  it("keeps each alert's fingerprint across pushes while its line moves", async () => {
    const first = parse(renderSarif({ report: await push(), toolVersion: "0" })).runs[0]!.results;
    const second = parse(
      renderSarif({ report: await push("# moved down by a comment\n# and another\n"), toolVersion: "0" }),
    ).runs[0]!.results;

    expect(first.length).toBeGreaterThanOrEqual(2);
    const key = (r: SarifResult) => `${r.ruleId}|${r.partialFingerprints[FINGERPRINT_KEY]}`;
    expect(second.map(key)).toEqual(first.map(key));
    expect(second.map((r) => r.partialFingerprints.primaryLocationLineHash)).toEqual(
      first.map((r) => r.partialFingerprints.primaryLocationLineHash),
    );
    const line = (r: SarifResult) => r.locations[0]!.physicalLocation.region!.startLine;
    expect(second.map(line)).toEqual(first.map((r) => line(r) + 2));
  });

  it("gives findings that share a fingerprint distinct ones, so they stay distinct alerts", () => {
    const twin = { fingerprint: "same", ruleId: "rule-1" };
    const report = reportOf(
      outcomeOf([
        makeFinding(1, "high", twin),
        makeFinding(2, "high", {
          ...twin,
          location: { path: "apps/app-1/values.yaml", line: 9, side: "head" },
        }),
      ]),
      reviewOf(),
    );
    const results = parse(renderSarif({ report, toolVersion: "0" })).runs[0]!.results;
    expect(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).toEqual(["same", "same:2"]);
  });
});

describe("the vendored SARIF schema", () => {
  it("rejects what code scanning would reject: a file URI that is not a URI reference, a result without message", () => {
    const log = (result: object) => ({
      version: "2.1.0",
      runs: [{ tool: { driver: { name: "x" } }, results: [result] }],
    });
    const at = (uri: string) => [{ physicalLocation: { artifactLocation: { uri } } }];
    expect(sarifSchemaErrors(log({ message: { text: "m" }, locations: at("a%20b.yaml") }))).toEqual([]);
    expect(sarifSchemaErrors(log({ message: { text: "m" }, locations: at("a b.yaml") }))).toEqual([
      '/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: must match format "uri-reference"',
    ]);
    expect(sarifSchemaErrors(log({ locations: at("a.yaml") }))).not.toEqual([]);
  });
});

describe("renderSarif on hostile or secret input", () => {
  const hostile = makeFinding(1, "high", {
    message: "Host [click here](https://evil.example/login) was set by @platform/admins in `a]b`",
    title: "Exposed <b>host</b> #12",
    location: { path: "apps/my app/#1 [x]@team/values%20.yaml", line: 4, side: "head" },
  });

  it("escapes embedded links and mentions in text, Markdown in markdown, and encodes file URIs", () => {
    const report = reportOf(outcomeOf([hostile]), reviewOf());
    const result = parse(renderSarif({ report, toolVersion: "0" })).runs[0]!.results[0]!;

    expect(result.message.text).toBe(
      "Host \\[click here\\](https://evil.example/login) was set by @\u200Bplatform/admins in `a\\]b`",
    );
    expect(result.message.markdown).not.toContain("[click here](");
    expect(result.message.markdown).not.toMatch(/@platform/);
    expect(result.message.markdown).toContain("&lt;b&gt;host&lt;/b&gt;");
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      "apps/my%20app/%231%20%5Bx%5D%40team/values%2520.yaml",
    );
    expect(decodeURIComponent(result.locations[0]!.physicalLocation.artifactLocation.uri)).toBe(
      hostile.location.path,
    );
  });

  it("masks secrets everywhere with the report's redactor", () => {
    const secret = "pr0d-db-passw0rd-7731";
    const finding = makeFinding(1, "critical", {
      message: `The value ${secret} is committed in plain text`,
      evidence: { path: "stringData.password", before: "old-value-0001", after: secret },
      checklist: [`Was ${secret} rotated?`],
      location: { path: `apps/${secret}/secret.yaml`, line: 3, side: "head" },
    });
    const report: Report = {
      ...reportOf(outcomeOf([finding]), reviewOf(), {
        conclusion: "action_required",
        title: `1 critical (${secret})`,
        line: "",
      }),
      redact: createRedactor([secret]),
    };
    const text = renderSarif({ report, toolVersion: "0" });

    expect(text).not.toContain(secret);
    expect(text).not.toContain("old-value-0001"); // masked by its path, like every rendering
    const result = parse(text).runs[0]!.results[0]!;
    expect(result.message.text).toBe("The value •••••• is committed in plain text");
    expect(decodeURIComponent(result.locations[0]!.physicalLocation.artifactLocation.uri)).toBe(
      "apps/••••••/secret.yaml",
    );
  });

  it("builds escaped help for a rule without an explain.md (a repository's own rule)", () => {
    const finding = makeFinding(1, "high", {
      ruleId: "custom/lb-pinned",
      remediation: "Pin it, ask @network-team.",
      checklist: ["Is [the IP](https://x.example) reserved?"],
    });
    const meta: RuleMeta = {
      id: "custom/lb-pinned",
      title: "LoadBalancer <without> a pinned IP",
      category: "engine",
      defaultSeverity: "high",
      appliesTo: ["object"],
      description: "true when: object.spec.type == 'LoadBalancer' && !has(object.spec.loadBalancerIP)",
    };
    const report = { ...reportOf(outcomeOf([finding]), reviewOf()), rules: [meta] };
    const rule = parse(renderSarif({ report, toolVersion: "0", help: new Map() })).runs[0]!.tool.driver
      .rules[0]!;

    expect(rule.help.markdown).toContain("object.spec.type == 'LoadBalancer' &amp;&amp; \\!has");
    expect(rule.help.markdown).toContain("@\u200Bnetwork-team");
    expect(rule.help.markdown).not.toContain("[the IP](");
    expect(rule.shortDescription.text).toBe("LoadBalancer <without> a pinned IP");
  });

  it("escapes square brackets for SARIF plain text, a backslash before one too", () => {
    expect(sarifText("a [b](1) \\[c]")).toBe("a \\[b\\](1) \\\\\\[c\\]");
    expect(fileUri("a:b/c d.yaml")).toBe("a%3Ab/c%20d.yaml");
  });
});

describe("renderSarif on groups, whole-change findings and coverage", () => {
  it("reports every member of a root-cause group as its own result, related to the cause", () => {
    const cause = makeFinding(1, "critical", { title: "Release renamed" });
    const consequences = [2, 3].map((i) => makeFinding(i, "high", { title: `Consequence ${i}` }));
    const outcome = outcomeOf([cause, ...consequences]);
    const report: Report = {
      ...reportOf(outcome, reviewOf()),
      // The group holds copies: members are matched by what they are, not by identity.
      groups: [
        {
          id: cause.fingerprint,
          kind: "cause",
          cause: { ...cause },
          members: [cause, ...consequences].map((finding) => ({ ...finding })),
          severity: "critical",
        } as FindingGroup,
      ],
    };
    const results = parse(renderSarif({ report, toolVersion: "0" })).runs[0]!.results;

    expect(results).toHaveLength(3);
    const [first, second] = results as [SarifResult, SarifResult];
    expect(first.relatedLocations?.map((l) => [l.id, l.physicalLocation.artifactLocation.uri])).toEqual([
      [1, "apps/app-2/values.yaml"],
      [2, "apps/app-3/values.yaml"],
    ]);
    expect(first.message.text).toContain(
      "([Consequence: Consequence 2](1), [Consequence: Consequence 3](2))",
    );
    expect(second.relatedLocations).toEqual([
      expect.objectContaining({ id: 1, message: { text: "Root cause: Release renamed" } }),
    ]);
    expect(second.properties.group).toBe(cause.fingerprint);
  });

  it("relates the places of one finding repeated on many subjects to each other, not as cause and consequence", () => {
    const places = [1, 2, 3].map((i) =>
      makeFinding(i, "medium", { ruleId: "route-moved", title: "Route moved" }),
    );
    const report = reportOf(outcomeOf(places), reviewOf());
    // The grouping of findings by cause marks such a group `kind: "places"`.
    const group = {
      id: "g",
      kind: "places",
      cause: places[0]!,
      members: places,
      severity: "medium",
    } as FindingGroup;
    const results = parse(renderSarif({ report: { ...report, groups: [group] }, toolVersion: "0" })).runs[0]!
      .results;

    expect(results.map((r) => r.relatedLocations?.map((l) => l.message?.text))).toEqual([
      ["Same finding at apps/app-2/values.yaml:3", "Same finding at apps/app-3/values.yaml:4"],
      ["Same finding at apps/app-1/values.yaml:2", "Same finding at apps/app-3/values.yaml:4"],
      ["Same finding at apps/app-1/values.yaml:2", "Same finding at apps/app-2/values.yaml:3"],
    ]);
  });

  it("says what it could not place or read as notifications of the run, not as lost results", () => {
    const failed = makeFinding(1, "medium", {
      ruleId: "internal-error",
      title: "A rule failed to run",
      message: "Rule x failed on this change",
      location: { path: "", line: null, side: "head" },
    });
    const report: Report = {
      ...reportOf(outcomeOf([failed, makeFinding(2, "low")]), reviewOf()),
      coverage: [
        { path: "apps/app-2/values.yaml", status: "modelled", reason: null },
        {
          path: "charts/odd/values.yaml",
          status: "not-understood",
          reason: "no format recognised its documents",
        },
      ],
    };
    const run = parse(renderSarif({ report, toolVersion: "0" })).runs[0]!;

    expect(run.results.map((r) => r.ruleId)).toEqual(["rule-2"]);
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(["internal-error", "rule-2"]);
    expect(run.invocations[0]!.toolExecutionNotifications).toEqual([
      {
        level: "warning",
        message: { text: "A rule failed to run: Rule x failed on this change" },
        associatedRule: { id: "internal-error", index: 0 },
      },
      expect.objectContaining({
        level: "warning",
        message: { text: "charts/odd/values.yaml was not understood: no format recognised its documents" },
      }),
    ]);
  });

  it("is valid with no finding at all", () => {
    const run = parse(
      renderSarif({ report: reportOf(outcomeOf([] as PolicyFinding[]), reviewOf()), toolVersion: "0" }),
    ).runs[0]!;
    expect(run.results).toEqual([]);
  });
});
