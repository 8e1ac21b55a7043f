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
    [{ rules: { Bad_Id: "off" } }, "rules.Bad_Id: rule ids are kebab-case"],
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
