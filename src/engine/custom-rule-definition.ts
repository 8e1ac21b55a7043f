/**
 * What a custom rule (`customRules:` in the config) is, for the config schema: its id space, the
 * subjects and variables it can use, and the checks beyond its shape (the expression compiles
 * against those variables, the message names only placeholders that exist). Each problem carries
 * the key it belongs to, so the check run can say where. The rules themselves are built in
 * src/custom-rules/.
 */
import { compileExpression, describeProblem } from "../cel/compile.js";
import type { PairStatus } from "../model/types.js";
import type { CustomRuleConfig } from "./config.js";

/**
 * Every custom rule id starts with this; catalogue ids are plain kebab-case, so a custom rule can
 * never take the name of a built-in one, today's or a future one's.
 */
export const CUSTOM_RULE_PREFIX = "custom/";

export function isCustomRuleId(id: string): boolean {
  return id.startsWith(CUSTOM_RULE_PREFIX);
}

export const SUBJECT_STATUSES = [
  "added",
  "removed",
  "modified",
  "replaced",
  "unchanged",
] as const satisfies readonly PairStatus[];

/** What a rule looks at when `match.status` is not set: subjects that exist on the head side. */
export const DEFAULT_STATUSES: readonly PairStatus[] = ["added", "modified", "replaced"];

export type RuleSubjects = "object" | "release";

/** The variables an expression sees, by what the rule matches (src/custom-rules/activation.ts builds them). */
export const VARIABLES: Readonly<Record<RuleSubjects, readonly string[]>> = {
  object: ["object", "oldObject", "change"],
  release: ["values", "oldValues", "release", "oldRelease", "change"],
};

/** Placeholders a custom rule's message may use, filled from the subject. */
export const MESSAGE_PLACEHOLDERS = ["subject", "kind", "name", "namespace", "file"] as const;

export interface DefinitionProblem {
  /** Below the rule: `["expression"]`, `["message"]`. */
  path: (string | number)[];
  message: string;
}

type Definition = Pick<CustomRuleConfig, "id" | "match" | "expression" | "message">;

export function subjectsOf(match: CustomRuleConfig["match"]): RuleSubjects {
  return match.releases ? "release" : "object";
}

export function customRuleProblems(rule: Definition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  // Without a clear match the variables are unknown; the schema reports the match itself.
  const clearMatch = (rule.match.kinds !== undefined) !== (rule.match.releases === true);
  const compiled = clearMatch ? compileExpression(rule.expression, VARIABLES[subjectsOf(rule.match)]) : null;
  if (compiled && !compiled.ok) {
    problems.push({
      path: ["expression"],
      message: `rule ${rule.id}, ${describeProblem(compiled.problem, rule.expression)}`,
    });
  }
  const known = new Set<string>(MESSAGE_PLACEHOLDERS);
  for (const [, name] of rule.message.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    if (!known.has(name!)) {
      problems.push({
        path: ["message"],
        message: `unknown placeholder {{${name}}} (available: ${MESSAGE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")})`,
      });
    }
  }
  return problems;
}

export function duplicateIdProblems(rules: readonly Pick<CustomRuleConfig, "id">[]): DefinitionProblem[] {
  const first = new Map<string, number>();
  const problems: DefinitionProblem[] = [];
  rules.forEach((rule, index) => {
    const earlier = first.get(rule.id);
    if (earlier === undefined) first.set(rule.id, index);
    else
      problems.push({
        path: [index, "id"],
        message: `"${rule.id}" is already the id of customRules.${earlier}`,
      });
  });
  return problems;
}
