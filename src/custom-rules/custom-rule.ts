/**
 * Custom rules from `.github/gitops-review.yml` as ordinary catalogue rules: the same runner,
 * policy, gate, comment and JSON handle their findings. A front end adds them where it picks the
 * catalogue: `withCustomRules(rules, config)`.
 */
import type { CustomRuleConfig } from "../engine/config.js";
import { createPathMatcher } from "../engine/policy.js";
import {
  describeSubject,
  objectDiffs,
  pairLocation,
  releaseDiffs,
  type ObjectPairDiff,
  type ReleasePairDiff,
} from "../engine/rule-kit.js";
import type { ReviewContext, Rule, RuleReport } from "../engine/types.js";
import { compileExpression, describeProblem, type CelProblem, type CelProgram } from "../cel/compile.js";
import { withTimeLimit } from "../cel/time-limit.js";
import {
  CUSTOM_RULE_PREFIX,
  DEFAULT_STATUSES,
  subjectsOf,
  VARIABLES,
} from "../engine/custom-rule-definition.js";
import { objectBindings, releaseBindings } from "./activation.js";

/**
 * Time one custom rule may spend on one review, all its subjects together. Typical expressions
 * take tens of microseconds per subject; only a runaway (nested comprehensions over long lists, a
 * backtracking regular expression) comes near it.
 */
export const TIME_LIMIT_MS = 1000;

const DEFAULT_REMEDIATION =
  "Change the pull request so the rule no longer matches, or acknowledge the finding with a reason.";

const MESSAGES = {
  evaluationFailed:
    "This rule could not be evaluated on {{subject}}: {{error}}. {{hint}}It counts as a finding (failurePolicy: fail) until the expression handles this subject.",
  timedOut:
    "This rule was stopped after {{limit}} ms, with {{left}} of {{total}} subjects not checked; simplify the expression (nested comprehensions over long lists, regular expressions).",
} as const;

const MISSING_FIELD_HINT =
  "Guard fields that may be absent with has(), e.g. `has(object.spec.x) && object.spec.x == 'y'`. ";

export function withCustomRules(
  catalogue: readonly Rule[],
  config: { readonly customRules: readonly CustomRuleConfig[] },
): readonly Rule[] {
  return config.customRules.length === 0 ? catalogue : [...catalogue, ...customRulesFrom(config.customRules)];
}

export interface CustomRuleOptions {
  /** Per rule and review; default TIME_LIMIT_MS. */
  timeLimitMs?: number;
}

/** Rules from definitions the config schema has already validated (the expressions compile). */
export function customRulesFrom(
  definitions: readonly CustomRuleConfig[],
  options: CustomRuleOptions = {},
): Rule[] {
  return definitions.map((definition) => customRule(definition, options.timeLimitMs ?? TIME_LIMIT_MS));
}

function customRule(definition: CustomRuleConfig, timeLimitMs: number): Rule {
  const subjects = subjectsOf(definition.match);
  const compiled = compileExpression(definition.expression, VARIABLES[subjects]);
  if (!compiled.ok) {
    // parseConfig refuses such a config; reaching this is a caller that skipped it.
    throw new Error(
      `custom rule ${definition.id}: ${describeProblem(compiled.problem, definition.expression)}`,
    );
  }
  const program = compiled.program;
  const id = `${CUSTOM_RULE_PREFIX}${definition.id}`;
  const statuses = new Set(definition.match.status ?? DEFAULT_STATUSES);
  const inPaths = definition.match.paths ? createPathMatcher(definition.match.paths) : () => true;
  const kinds = definition.match.kinds?.includes("*") ? undefined : definition.match.kinds;

  return {
    meta: {
      id,
      title: definition.title,
      category: "custom",
      defaultSeverity: definition.severity,
      appliesTo: [subjects],
      // What `/explain custom/<id>` teaches: the rule is its expression.
      description: `A custom rule of this repository (customRules in .github/gitops-review.yml), true when: ${definition.expression.replace(/\s+/g, " ")}`,
    },
    messages: { matched: definition.message, ...MESSAGES },
    remediation: definition.remediation ?? DEFAULT_REMEDIATION,
    checklist: definition.checklist,
    evaluate(context: ReviewContext): RuleReport[] {
      const diffs: (ObjectPairDiff | ReleasePairDiff)[] =
        subjects === "release" ? releaseDiffs(context) : objectDiffs(context, kinds);
      const selected = diffs.filter(
        (diff) =>
          statuses.has(diff.pair.status) &&
          [diff.head, diff.base].some((subject) => subject !== null && inPaths(fileOf(subject))),
      );
      const reports: RuleReport[] = [];
      let checked = 0;
      const run = withTimeLimit(timeLimitMs, () => {
        for (const diff of selected) {
          const bindings =
            subjects === "release"
              ? releaseBindings(diff as ReleasePairDiff)
              : objectBindings(diff as ObjectPairDiff);
          const report = judge(program, bindings, diff, definition.failurePolicy);
          if (report) reports.push(report);
          checked += 1;
        }
      });
      if (!run.ok) {
        reports.push({
          messageId: "timedOut",
          data: { limit: timeLimitMs, left: selected.length - checked, total: selected.length },
          location: { path: "", line: null, side: "head" },
        });
      }
      return reports;
    },
  };
}

function judge(
  program: CelProgram,
  bindings: Parameters<CelProgram["evaluate"]>[0],
  diff: ObjectPairDiff | ReleasePairDiff,
  failurePolicy: CustomRuleConfig["failurePolicy"],
): RuleReport | null {
  const result = program.evaluate(bindings);
  const problem: CelProblem | null = !result.ok
    ? result.problem
    : typeof result.value === "boolean"
      ? null
      : { message: `the expression gave ${describeValue(result.value)}, not true or false`, position: null };
  if (!problem) return result.ok && result.value === true ? report(diff, "matched", {}) : null;
  if (failurePolicy === "ignore") return null;
  const missingField = /field not found|no such key/i.test(problem.message);
  return report(diff, "evaluationFailed", {
    error: describeProblem(problem, program.source),
    hint: missingField ? MISSING_FIELD_HINT : "",
  });
}

function report(
  diff: ObjectPairDiff | ReleasePairDiff,
  messageId: string,
  extra: Record<string, string>,
): RuleReport {
  const subject = (diff.head ?? diff.base)!;
  const name = subject.type === "object" ? subject.identity.name : subject.releaseName;
  const namespace = subject.type === "object" ? subject.identity.namespace : subject.namespace;
  const location = pairLocation(diff.pair);
  return {
    messageId,
    data: {
      subject: describeSubject(subject),
      kind: subject.type === "object" ? subject.identity.kind : "release",
      name,
      namespace: namespace ?? "",
      file: location.path,
      ...extra,
    },
    location,
    subject: diff.pair.id,
  };
}

function fileOf(subject: NonNullable<ObjectPairDiff["head"] | ReleasePairDiff["head"]>): string {
  return subject.type === "object" ? subject.document.file : subject.location.file;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return `the int ${value}`;
  if (typeof value === "number") return `the double ${value}`;
  if (typeof value === "string") return "a string";
  return "a list or map";
}
