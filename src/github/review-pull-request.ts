/**
 * One review of one pull request head: check run in progress, config, files, the pure pipeline,
 * policy, then publish (comment, labels, check run) unless the head moved on meanwhile.
 */
import type { Logger, ProbotOctokit } from "probot";
import { rules } from "../../rules/index.js";
import type { ReviewConfig } from "../engine/config.js";
import { CONFIG_PATH } from "../engine/config.js";
import {
  applyPolicy,
  configErrorVerdict,
  createPathMatcher,
  decideVerdict,
  type PolicyOutcome,
  type Verdict,
} from "../engine/policy.js";
import { isReviewablePath, reviewChangeSet } from "../engine/review.js";
import type { ReviewResult } from "../engine/types.js";
import {
  renderCheckOutput,
  renderConfigErrorOutput,
  renderInternalErrorOutput,
  renderSupersededOutput,
} from "../render/check-output.js";
import { renderComment, renderOutOfScopeComment } from "../render/comment.js";
import type { LinkContext } from "../render/markdown-parts.js";
import { collectSecretValues, createRedactor } from "../render/safe-text.js";
import { listPullRequestFiles, loadPullRequestChangeSet, selectChanges } from "../source/github.js";
import { completeCheckRun, startCheckRun, type StartedCheckRun } from "./check-run.js";
import { applyLabels, planLabels } from "./labels.js";
import { loadRepoConfig, type ConfigSource } from "./load-config.js";
import { mergeBase, readPullRequest, type ReviewTarget } from "./pull-request.js";
import { findStickyComment, writeStickyComment } from "./sticky-comment.js";

/** What a review needs from a Probot context: its Octokit, its logger and `config()`. */
export interface ReviewContextLike extends ConfigSource {
  octokit: ProbotOctokit;
  log: Logger;
}

const KNOWN_RULE_IDS = rules.map((rule) => rule.meta.id);

export async function reviewPullRequest(context: ReviewContextLike, target: ReviewTarget): Promise<void> {
  const { octokit } = context;
  const log = context.log.child({ pr: target.number, head: target.headSha });
  const check = await startCheckRun(octokit, target, target.headSha);
  try {
    await runReview(context, target, check, log);
  } catch (error) {
    log.error({ err: error, checkRunId: check.id }, "review failed");
    // A required check must not pass silently when the review did not happen.
    await completeCheckRun(octokit, target, check.id, "failure", renderInternalErrorOutput()).catch(
      (err: unknown) =>
        log.error({ err, checkRunId: check.id }, "could not report the failure on the check run"),
    );
    throw error;
  }
}

async function runReview(
  context: ReviewContextLike,
  target: ReviewTarget,
  check: StartedCheckRun,
  log: Logger,
): Promise<void> {
  const { octokit } = context;
  const [configResult, listing] = await Promise.all([
    loadRepoConfig(context),
    listPullRequestFiles(octokit, target),
  ]);
  if (!configResult.ok) {
    log.info({ errors: configResult.errors }, "invalid configuration");
    const verdict = configErrorVerdict(configResult.errors);
    const output = renderConfigErrorOutput(verdict, configResult.errors, CONFIG_PATH);
    await completeCheckRun(octokit, target, check.id, "failure", output);
    return;
  }
  const config = configResult.config;

  const ignored = createPathMatcher(config.ignore);
  const include = (path: string) => isReviewablePath(path) && !ignored(path);
  // Nothing in scope: no merge base, no contents, straight to publishing.
  const inScope = selectChanges(listing.files, include).length > 0;
  const baseSha = inScope ? await mergeBase(octokit, target) : target.baseSha;
  const { changeSet, contextReader } = await loadPullRequestChangeSet(
    octokit,
    { ...target, baseSha },
    listing,
    {
      include,
    },
  );
  const review = await reviewChangeSet(changeSet, { contextReader });
  const outcome = applyPolicy(review.findings, config, { knownRuleIds: KNOWN_RULE_IDS });
  const verdict = decideVerdict(outcome, review.inScope);
  log.info(
    {
      listed: listing.files.length,
      reviewed: changeSet.files.length,
      findings: outcome.findings.length,
      conclusion: verdict.conclusion,
    },
    "review computed",
  );

  // The head may have moved while we read and thought: never publish over a newer review.
  const now = await readPullRequest(octokit, target);
  if (now.headSha !== target.headSha) {
    log.info({ currentHead: now.headSha }, "head moved on, result dropped");
    await completeCheckRun(octokit, target, check.id, "neutral", renderSupersededOutput(now.headSha));
    return;
  }

  await publish(
    octokit,
    { target, baseSha, check, config, review, outcome, verdict, labels: now.labels },
    log,
  );
}

interface Publication {
  target: ReviewTarget;
  baseSha: string;
  check: StartedCheckRun;
  config: ReviewConfig;
  review: ReviewResult;
  outcome: PolicyOutcome;
  verdict: Verdict;
  /** Labels on the pull request now. */
  labels: string[];
}

/** Whether a new comment is wanted; an existing one is always kept current. */
export function wantsComment(config: ReviewConfig, inScope: boolean, findings: number): boolean {
  switch (config.comment.mode) {
    case "always":
      return true;
    case "on-changes":
      return inScope;
    case "on-findings":
      return findings > 0;
  }
}

async function publish(octokit: ProbotOctokit, p: Publication, log: Logger): Promise<void> {
  const { target, check, config, review, outcome, verdict } = p;
  const links: LinkContext = { repoUrl: target.repoUrl, baseSha: p.baseSha, headSha: target.headSha };

  const existing = await findStickyComment(octokit, target, check.app);
  let commentUrl: string | null = existing?.url ?? null;
  if (existing || wantsComment(config, review.inScope, outcome.findings.length)) {
    const body = review.inScope
      ? renderComment({ verdict, outcome, review, headSha: target.headSha, links, checkRunUrl: check.url })
      : renderOutOfScopeComment(verdict, target.headSha, createRedactor(collectSecretValues(review.parsed)));
    const written = await writeStickyComment(octokit, target, existing, body);
    commentUrl = written.url;
    log.info({ action: written.action, length: body.length }, "sticky comment written");
  }

  if (config.labels.enabled) {
    const plan = planLabels(config, outcome.highest, p.labels);
    if (plan.add || plan.remove.length > 0) {
      await applyLabels(octokit, target, plan);
      log.info({ added: plan.add?.name ?? null, removed: plan.remove }, "risk labels updated");
    }
  }

  const output = renderCheckOutput({
    verdict,
    outcome,
    review,
    headSha: target.headSha,
    baseSha: p.baseSha,
    links,
    commentUrl,
  });
  await completeCheckRun(octokit, target, check.id, verdict.conclusion, output);
}
