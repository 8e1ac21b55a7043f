/**
 * Checks a custom rule's definition beyond its shape, for the config schema: the expression
 * compiles against the variables its `match` gives, and the message names only placeholders
 * that exist. Each problem carries the key it belongs to, so the check run can say where.
 */
import type { CustomRuleConfig } from "../engine/config.js";
import { VARIABLES, type RuleSubjects } from "./activation.js";
import { compileExpression, describeProblem } from "./cel.js";

export interface DefinitionProblem {
  /** Below the rule: `["expression"]`, `["message"]`. */
  path: (string | number)[];
  message: string;
}

/** Placeholders a custom rule's message may use, filled from the subject. */
export const MESSAGE_PLACEHOLDERS = ["subject", "kind", "name", "namespace", "file"] as const;

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
