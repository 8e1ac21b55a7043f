/**
 * One review, from a change set to the Report every renderer and both front ends use:
 * review (parse -> model -> diff -> rules) -> policy -> verdict, plus coverage, groups and the
 * redactor. The front end passes the rule catalogue in: the engine knows no rule by name.
 */
import { collectSecretValues, createRedactor } from "../k8s/secrets.js";
import type { ParseLimits } from "../parse/limits.js";
import type { ChangeSet, ContextReader } from "../source/change-set.js";
import type { ReviewConfig } from "./config.js";
import { coverageOf } from "./coverage.js";
import { applyPolicy, createIgnoreMatcher, decideVerdict, type PolicyFinding } from "./policy.js";
import type { FindingGroup, Report } from "./report.js";
import { isReviewablePath, reviewChangeSet, type ReviewOptions } from "./review.js";
import type { ReviewResult, Rule } from "./types.js";

export interface PipelineInput {
  changeSet: ChangeSet;
  /** Loads unchanged files the model asks for (values files, kustomization.yaml, Chart.yaml). */
  contextReader?: ContextReader;
  /** The catalogue to run (`rules/index.ts` in the App and the CLI). */
  rules: readonly Rule[];
  config: ReviewConfig;
  limits?: ParseLimits;
  /** Where parse -> model -> diff -> rules runs: in this thread by default, review threads in the App. */
  engine?: (changeSet: ChangeSet, options: ReviewOptions) => Promise<ReviewResult>;
}

/**
 * The files a review reads under this config: YAML, minus the config's `ignore` globs. The GitHub
 * source uses it to fetch nothing else; the pipeline applies it to every source the same way.
 */
export function reviewScope(config: ReviewConfig): (path: string) => boolean {
  const ignored = createIgnoreMatcher(config.ignore);
  return (path) => isReviewablePath(path) && !ignored(path);
}

export async function buildReport(input: PipelineInput): Promise<Report> {
  const inScope = reviewScope(input.config);
  const ignored = createIgnoreMatcher(input.config.ignore);
  // Ignored files are skipped entirely, whichever source listed them ("not fetched, no findings").
  const changeSet: ChangeSet = {
    ...input.changeSet,
    files: input.changeSet.files.filter(
      (file) => !ignored(file.path) || (file.previousPath !== undefined && !ignored(file.previousPath)),
    ),
  };
  const review = await (input.engine ?? reviewChangeSet)(changeSet, {
    rules: input.rules,
    ...(input.contextReader ? { contextReader: input.contextReader } : {}),
    ...(input.limits ? { limits: input.limits } : {}),
  });
  const outcome = applyPolicy(review.findings, input.config, {
    knownRuleIds: input.rules.map((rule) => rule.meta.id),
  });
  return {
    verdict: decideVerdict(outcome, review.inScope),
    findings: outcome.findings,
    gating: outcome.gating,
    gateSeverity: outcome.gateSeverity,
    highest: outcome.highest,
    suppressed: outcome.suppressed,
    groups: outcome.findings.map(singleGroup),
    subjects: review.diffs,
    files: review.files,
    inScope: review.inScope,
    coverage: coverageOf(review, inScope),
    problems: review.problems,
    notes: [...review.notes, ...outcome.notes],
    redact: createRedactor(collectSecretValues(review.parsed)),
    rules: input.rules.map((rule) => rule.meta),
  };
}

/** Until causes are linked (one lesson, its consequences as members), each finding stands alone. */
function singleGroup(finding: PolicyFinding): FindingGroup {
  return { id: finding.fingerprint, cause: finding, members: [finding], severity: finding.severity };
}
