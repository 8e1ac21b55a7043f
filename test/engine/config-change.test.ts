import { describe, expect, it } from "@jest/globals";
import { parseConfig, type ReviewConfig } from "../../src/engine/config.js";
import {
  compareConfigs,
  configWeakenings,
  type ConfigSide,
  type Weakening,
} from "../../src/engine/config-change.js";
import type { Severity } from "../../src/engine/types.js";

const DEFAULTS = new Map<string, Severity>([
  ["pvc-changed", "high"],
  ["mutable-image-tag", "low"],
  ["namespace-deleted", "critical"],
]);

function side(raw: unknown, extra: Partial<ConfigSide> = {}): ConfigSide {
  return { raw, extendsFrom: [], extendsRead: true, ...extra };
}

function weakenings(base: unknown, head: unknown): Weakening[] {
  return configWeakenings(side(base), side(head), DEFAULTS);
}

/** `kind: detail; detail` per weakening: what a reader of the finding sees. */
function summary(base: unknown, head: unknown): string[] {
  return weakenings(base, head).map((w) => `${w.kind}: ${w.details.join("; ")}`);
}

function config(raw: unknown): ReviewConfig {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

describe("configWeakenings", () => {
  it.each<[string, unknown, unknown, string[]]>([
    ["no change", { gate: { severity: "high" } }, { gate: { severity: "high" } }, []],
    ["no file on either side", null, null, []],
    [
      "a file with only the defaults, added",
      null,
      { gate: { severity: "high", approvals: { high: 1, critical: 2 } } },
      [],
    ],

    // rules
    ["a rule switched off", {}, { rules: { "pvc-changed": "off" } }, ["rule-off: pvc-changed: high -> off"]],
    [
      "a rule lowered below its default",
      {},
      { rules: { "namespace-deleted": "medium" } },
      ["rule-lowered: namespace-deleted: critical -> medium"],
    ],
    [
      "an override above the default removed",
      { rules: { "mutable-image-tag": "high" } },
      {},
      ["rule-lowered: mutable-image-tag: high -> low"],
    ],
    ["a rule raised", {}, { rules: { "mutable-image-tag": "critical" } }, []],
    ["a rule switched back on", { rules: { "pvc-changed": "off" } }, { rules: { "pvc-changed": "low" } }, []],
    ["an unknown rule without a setting on one side", {}, { rules: { "future-rule": "info" } }, []],
    [
      "an unknown rule switched off from an explicit severity",
      { rules: { "future-rule": "high" } },
      { rules: { "future-rule": "off" } },
      ["rule-off: future-rule: high -> off"],
    ],

    // gate severity and approvals
    [
      "gate severity raised",
      {},
      { gate: { severity: "critical" } },
      ["gate-severity-raised: high -> critical (high findings no longer need a second reviewer)"],
    ],
    ["gate severity lowered", {}, { gate: { severity: "medium" } }, []],
    [
      "approvals set to zero (the key replaces the default: critical follows high)",
      {},
      { gate: { approvals: { high: 0 } } },
      ["approvals-lowered: high: 1 -> 0; critical: 2 -> 0"],
    ],
    [
      "approvals for a level below the gate",
      {},
      { gate: { approvals: { medium: 0, high: 1, critical: 2 } } },
      [],
    ],
    ["more approvals", {}, { gate: { approvals: { high: 2, critical: 3 } } }, []],
    [
      "gate raised and the remaining level needs fewer approvals",
      { gate: { approvals: { high: 1, critical: 3 } } },
      { gate: { severity: "critical", approvals: { critical: 1 } } },
      [
        "gate-severity-raised: high -> critical (high findings no longer need a second reviewer)",
        "approvals-lowered: critical: 3 -> 1",
      ],
    ],

    // ignore
    ["a path ignored", { ignore: ["docs/**"] }, { ignore: ["docs/**", "**"] }, ["paths-ignored: **"]],
    ["an ignore removed", { ignore: ["docs/**", "legacy/**"] }, { ignore: ["docs/**"] }, []],
    ["an ignore narrowed", { ignore: ["docs/**"] }, { ignore: ["docs/drafts/**"] }, []],
    [
      "an ignore widened",
      { ignore: ["docs/drafts/**"] },
      { ignore: ["docs/**"] },
      ["paths-ignored: docs/**"],
    ],

    // reviewers
    [
      "a reviewer added to an allow-list in force",
      { gate: { users: ["mona"] } },
      { gate: { users: ["mona", "hubot"] } },
      ["reviewers-widened: adds hubot"],
    ],
    [
      "a team added next to users",
      { gate: { users: ["mona"] } },
      { gate: { users: ["mona"], teams: ["acme/contractors"] } },
      ["reviewers-widened: adds team acme/contractors"],
    ],
    [
      "the allow-list emptied",
      { gate: { teams: ["sre"] } },
      { gate: { teams: [] } },
      ["reviewers-widened: gate.teams and gate.users emptied: anyone with write access now counts"],
    ],
    ["an allow-list introduced (narrower)", {}, { gate: { teams: ["sre"], users: ["mona"] } }, []],
    [
      "a name removed from the allow-list",
      { gate: { users: ["mona", "hubot"] } },
      { gate: { users: ["mona"] } },
      [],
    ],
    [
      "a bot named, even where anyone could review before",
      {},
      { gate: { users: ["mona", "deploy-helper[bot]"] } },
      ["reviewers-widened: bot deploy-helper[bot] can now approve"],
    ],
    ["the same names in another case", { gate: { users: ["Mona"] } }, { gate: { users: ["mona"] } }, []],

    // other gate keys
    [
      "older approvals count again",
      {},
      { gate: { currentHeadOnly: false } },
      ["older-approvals-count: true -> false"],
    ],
    [
      "the checklist made optional",
      { gate: { checklist: "required" } },
      {},
      ["checklist-optional: required -> optional"],
    ],
    ["the checklist made required", {}, { gate: { checklist: "required" } }, []],
    [
      "how the bot talks: comment, labels, review requests",
      { gate: { requestReviewers: true } },
      { comment: { mode: "on-findings" }, labels: { enabled: false }, gate: { requestReviewers: false } },
      [],
    ],
  ])("%s", (_name, base, head, expected) => {
    expect(summary(base, head)).toEqual(expected);
  });

  describe("environments", () => {
    const prod = { paths: ["clusters/prod/**"], raise: 1 };
    const dev = { paths: ["clusters/dev/**"], lower: 1 };

    it.each<[string, unknown, unknown, string[]]>([
      [
        "the raise lowered",
        { prod },
        { prod: { ...prod, raise: undefined } },
        ["prod: raise 1 -> no change"],
      ],
      ["the raise increased", { prod }, { prod: { ...prod, raise: 2 } }, []],
      ["a raising environment removed", { prod, dev }, { dev }, ["prod (raise 1) removed"]],
      ["a lowering environment removed", { prod, dev }, { prod }, []],
      ["a lowering environment added", { prod }, { prod, dev }, ["dev (lower 1) added"]],
      ["a raising environment added", { dev }, { dev, prod }, []],
      [
        "a raising environment narrowed",
        { prod: { ...prod, paths: ["clusters/prod/**", "clusters/production/**"] } },
        { prod },
        ["prod (raise 1) no longer covers clusters/production/**"],
      ],
      ["a raising environment widened", { prod }, { prod: { ...prod, paths: ["clusters/**"] } }, []],
      [
        "a lowering environment widened",
        { dev },
        { dev: { ...dev, paths: ["clusters/**"] } },
        ["dev (lower 1) now also covers clusters/**"],
      ],
      [
        "a lowering environment moved before a raising one",
        { prod, dev },
        { dev, prod },
        ["dev (lower 1) now comes before prod (raise 1)"],
      ],
      [
        "a neutral environment added in front of a raising one",
        { prod },
        { staging: { paths: ["clusters/**"], raise: 0 }, prod },
        ["staging (no change) added"],
      ],
    ])("%s", (_name, base, head, expected) => {
      const details = weakenings({ environments: base }, { environments: head }).flatMap((w) => w.details);
      expect(details).toEqual(expected);
    });

    it("points at the environment in the head's file", () => {
      const [weakening] = weakenings(
        { environments: { prod, dev } },
        { environments: { prod: { ...prod, raise: 0 }, dev } },
      );
      expect(weakening).toMatchObject({ kind: "environment-weakened", path: ["environments", "prod"] });
    });
  });

  describe("sources and validity", () => {
    it("a new source the policy extends is reported; the org's .github defaults are not a source", () => {
      const base = side({}, { extendsFrom: [] });
      const head = side({}, { extendsFrom: ["someone/policies:.github/gitops-review.yml"] });
      expect(configWeakenings(base, head, DEFAULTS)).toEqual([
        {
          kind: "extends-added",
          path: ["_extends"],
          details: ["someone/policies:.github/gitops-review.yml"],
        },
      ]);
      expect(configWeakenings(head, head, DEFAULTS)).toEqual([]);
    });

    it("a source that could not be read says so, and the file's own keys are still compared", () => {
      const base = side({ gate: { approvals: { high: 2 } } }, { extendsRead: false });
      const head = side(
        { _extends: "other-org/.github", gate: { approvals: { high: 1 } } },
        { extendsFrom: ["other-org/.github"], extendsRead: false },
      );
      expect(configWeakenings(base, head, DEFAULTS).map((w) => w.kind)).toEqual([
        "extends-unread",
        "approvals-lowered",
      ]);
    });

    it("an invalid head is reported with its errors; an invalid base yields nothing", () => {
      expect(summary({}, { gate: { severity: "extreme" } })).toEqual([
        "head-invalid: gate.severity: expected one of info, low, medium, high, critical",
      ]);
      expect(configWeakenings(side({}), side(null, { error: "invalid YAML" }), DEFAULTS)).toEqual([
        { kind: "head-invalid", path: [], details: ["invalid YAML"] },
      ]);
      expect(summary({ gate: { severity: "extreme" } }, { ignore: ["**"] })).toEqual([]);
    });
  });
});

describe("compareConfigs on a key it does not know", () => {
  it("reports a changed key of a newer schema as not compared, and is quiet when it is unchanged", () => {
    const base = { ...config({}), coverage: { conclusion: "neutral" } } as ReviewConfig;
    const head = { ...config({}), coverage: { conclusion: "success" } } as ReviewConfig;
    expect(compareConfigs(base, head, DEFAULTS)).toEqual([
      { kind: "not-compared", path: ["coverage"], details: ["coverage"] },
    ]);
    expect(compareConfigs(base, base, DEFAULTS)).toEqual([]);
    const gateBase = config({});
    const gateHead = { ...gateBase, gate: { ...gateBase.gate, minimumReviewAge: "1h" } } as ReviewConfig;
    expect(compareConfigs(gateBase, gateHead, DEFAULTS)).toEqual([
      { kind: "not-compared", path: ["gate", "minimumReviewAge"], details: ["gate.minimumReviewAge"] },
    ]);
  });
});
