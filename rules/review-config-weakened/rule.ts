import { CONFIG_PATH } from "../../src/engine/config.js";
import { configWeakenings, type ConfigSide, type WeakeningKind } from "../../src/engine/config-change.js";
import type { FindingLocation, ReviewContext, Rule, RuleReport, Severity } from "../../src/engine/types.js";
import { locate } from "../../src/model/located.js";
import type { ParsedFile } from "../../src/parse/types.js";
import type { Side } from "../../src/source/change-set.js";

/** A broken head config fails every later review closed: worth saying, not worth holding the merge. */
const SEVERITY: Partial<Record<WeakeningKind, Severity>> = { "head-invalid": "medium" };

function parsedConfig(context: ReviewContext, side: Side): ParsedFile | null {
  return context.files.find((file) => file.file === CONFIG_PATH && file.side === side) ?? null;
}

/** One side read from the change set's file alone: `_extends` is named, not followed. */
function sideFromFile(parsed: ParsedFile | null): ConfigSide {
  if (!parsed) return { raw: null, extendsFrom: [], extendsRead: false };
  const problem = parsed.problems[0];
  if (problem) return { raw: null, extendsFrom: [], extendsRead: false, error: problem.message };
  const raw = parsed.documents.find((doc) => doc.kind !== "empty")?.value ?? null;
  const named =
    typeof raw === "object" && raw !== null && "_extends" in raw
      ? (raw as { _extends: unknown })._extends
      : null;
  return { raw, extendsFrom: named === null ? [] : [String(named)], extendsRead: false };
}

/** Both sides: as the App loaded them (`_extends` followed), else from the changed file. */
function configSides(context: ReviewContext): { base: ConfigSide; head: ConfigSide } | null {
  const file = context.changeSet.files.find(
    (change) => change.path === CONFIG_PATH || change.previousPath === CONFIG_PATH,
  );
  if (!file || file.skipped) return null;
  if (context.changeSet.reviewConfig) return context.changeSet.reviewConfig;
  return {
    // Renamed away, the head has no config file; renamed into place, the base had none.
    base: sideFromFile(
      (file.previousPath ?? file.path) === CONFIG_PATH ? parsedConfig(context, "base") : null,
    ),
    head: sideFromFile(file.path === CONFIG_PATH ? parsedConfig(context, "head") : null),
  };
}

function locationOf(context: ReviewContext, path: readonly (string | number)[]): FindingLocation {
  const head = parsedConfig(context, "head");
  const side: Side = head ? "head" : "base";
  const document = (head ?? parsedConfig(context, "base"))?.documents[0];
  const line =
    document && path.length > 0 ? (locate(document, path)?.line ?? null) : (document?.line ?? null);
  return { path: CONFIG_PATH, line, side };
}

export const rule: Rule = {
  meta: {
    id: "review-config-weakened",
    title: "Review policy weakened",
    category: "security",
    defaultSeverity: "high",
    appliesTo: ["file"],
    description:
      "A change to the review configuration (.github/gitops-review.yml or what it extends) switches rules off or lowers them, raises the gate, lowers approvals, ignores paths or widens who counts as a reviewer.",
  },
  messages: {
    "rule-off":
      "{{file}} switches rules off ({{details}}): once merged, their findings are no longer reported on any pull request.",
    "rule-lowered":
      "{{file}} lowers rule severities ({{details}}): once merged, those findings gate less or not at all.",
    "gate-severity-raised": "{{file}} raises gate.severity {{details}}.",
    "approvals-lowered": "{{file}} lowers the approvals a gated pull request needs ({{details}}).",
    "paths-ignored":
      "{{file}} ignores {{details}}: once merged, changes to those files are not reviewed at all.",
    "environment-weakened":
      "{{file}} lowers the severity some paths get from their environment: {{details}}.",
    "reviewers-widened": "{{file}} widens who counts as a second reviewer: {{details}}.",
    "older-approvals-count":
      "{{file}} sets gate.currentHeadOnly to false: an approval given before a later push still counts.",
    "checklist-optional":
      "{{file}} makes the checklist optional ({{details}}): an approval no longer needs every item ticked.",
    "extends-added":
      "{{file}} now also takes its policy from {{details}}: whoever can push there changes this repository's review without a review here.",
    "extends-unread":
      "{{file}} now extends {{details}}, which the review does not read on a pull request's word: compare the policy it brings by hand; whoever can push there changes this repository's review without a review here.",
    "not-compared":
      "{{file}} changes {{details}}, which this version of the review does not know how to compare: check by hand that it does not weaken the review.",
    "head-invalid":
      "{{file}} is invalid at the head ({{details}}): once merged, every review fails on it until it is fixed.",
  },
  remediation:
    "Keep the policy change in its own pull request and have it approved by the people who own the review policy; if the weakening is intended, say why in the pull request.",
  checklist: [
    "Is weakening the review policy intended, and agreed by the people who own it?",
    "Would the pull requests this policy will judge still get a second reviewer where they need one?",
  ],
  evaluate(context) {
    const sides = configSides(context);
    if (!sides) return [];
    const defaults = new Map((context.catalogue ?? []).map((meta) => [meta.id, meta.defaultSeverity]));
    return configWeakenings(sides.base, sides.head, defaults).map((weakening): RuleReport => ({
      messageId: weakening.kind,
      data: { file: CONFIG_PATH, details: weakening.details.join("; ") },
      ...(SEVERITY[weakening.kind] ? { severity: SEVERITY[weakening.kind] } : {}),
      location: locationOf(context, weakening.path),
      subject: `file/${CONFIG_PATH}`,
      evidence: { path: weakening.path.join(".") || weakening.kind },
    }));
  },
};
