/**
 * One review of one pull request head: check run in progress, config, files, the pure pipeline,
 * policy, then publish (comment, labels, check run) unless the head moved on meanwhile.
 */
import type { Logger, ProbotOctokit } from "probot";
import { rules } from "../../rules/index.js";
import { withCustomRules } from "../custom-rules/custom-rule.js";
import { CONFIG_PATH, type ReviewConfig } from "../engine/config.js";
import { buildReport, reviewScope } from "../engine/pipeline.js";
import { configErrorVerdict, type Verdict } from "../engine/policy.js";
import type { Report } from "../engine/report.js";
import { currentJob } from "../queue/job-context.js";
import { runReviewEngine } from "../review-worker/engine.js";
import {
  renderCheckOutput,
  renderConfigErrorOutput,
  renderInternalErrorOutput,
  renderSupersededOutput,
} from "../render/check-output.js";
import { renderComment, renderOutOfScopeComment } from "../render/comment.js";
import type { LinkContext } from "../render/markdown-parts.js";
import { comparePullRequest, loadPullRequestChangeSet } from "../source/github.js";
import { completeCheckRun, startCheckRun, type StartedCheckRun } from "./check-run.js";
import { applyLabels, planLabels } from "./labels.js";
import { loadConfigChange, loadRepoConfig, touchesConfig, type ConfigSource } from "./load-config.js";
import type { ReviewTarget } from "./pull-request.js";
import { readPullRequestState, type PullRequestState } from "./pull-request-state.js";
import { writeStickyComment } from "./sticky-comment.js";
import { decideGate, requestReviewers } from "./gate.js";
import { gateSeal, gateStateTrailer, openGateState, sealGateState, type GateSeal } from "../gate/seal.js";
import {
  acksByFingerprint,
  emptyGateState,
  pruneGateState,
  ticksForRender,
  type GateState,
} from "../gate/state.js";
import type { GateKeyHolder } from "./gate-key.js";

/** What a review needs from a Probot context: its Octokit, its logger, `config()` and the gate's key. */
export interface ReviewContextLike extends ConfigSource, GateKeyHolder {
  octokit: ProbotOctokit;
  log: Logger;
}

export interface ReviewRunOptions {
  /** Ask the configured reviewers when the gate holds (opened, reopened, ready for review). */
  requestReviews?: boolean;
  /** Changes the gate's state before publishing (an `/ack`), given this review's findings. */
  updateState?: (state: GateState, report: Report) => GateState;
  /** Told the configuration errors when the review stops there (`updateState` is then not called). */
  onInvalidConfig?: (errors: readonly string[]) => void;
}

/** Reviews one head and publishes; returns the verdict published, or null when nothing was. */
export async function reviewPullRequest(
  context: ReviewContextLike,
  target: ReviewTarget,
  options: ReviewRunOptions = {},
): Promise<Verdict | null> {
  const { octokit } = context;
  const log = context.log.child({ pr: target.number, head: target.headSha });
  const check = await startCheckRun(octokit, target, target.headSha);
  try {
    return await runReview(context, target, check, log, options);
  } catch (error) {
    // The job runs again and completes this same check run (found by head and App).
    if (currentJob()?.willRetry(error)) {
      log.warn({ err: error, checkRunId: check.id }, "review interrupted by a transient fault, will retry");
      throw error;
    }
    log.error({ err: error, checkRunId: check.id }, "review failed");
    // A required check must not pass silently when the review did not happen.
    await completeCheckRun(octokit, target, check.id, "failure", renderInternalErrorOutput()).catch(
      (err: unknown) =>
        log.error({ err, checkRunId: check.id }, "could not report the failure on the check run"),
    );
    throw error;
  }
}

export type ComputedReview =
  | {
      ok: true;
      config: ReviewConfig;
      report: Report;
      /** `links.baseSha` is the merge base that was reviewed. */
      links: LinkContext;
    }
  | { ok: false; errors: string[] };

/** Config, files and the pure pipeline for one head, publishing nothing (also for `/explain`). */
export async function computeReview(
  context: ReviewContextLike,
  target: ReviewTarget,
  log: Logger = context.log,
): Promise<ComputedReview> {
  const { octokit } = context;
  // The merge base and the changed files come from the same compare call.
  const [configResult, listing] = await Promise.all([
    loadRepoConfig(context),
    comparePullRequest(octokit, { ...target, baseBranchSha: target.baseSha }),
  ]);
  if (!configResult.ok) return { ok: false, errors: configResult.errors };
  const config = configResult.config;

  const baseSha = listing.mergeBase;
  const { changeSet, contextReader, changes } = await loadPullRequestChangeSet(
    octokit,
    { ...target, baseSha },
    listing,
    { include: reviewScope(config) },
  );
  // A change to the policy itself is compared side by side, `_extends` followed.
  if (touchesConfig(changes)) {
    const headFile = changeSet.files.find((file) => file.path === CONFIG_PATH)?.head ?? null;
    changeSet.reviewConfig = await loadConfigChange(octokit, { ...target, baseSha }, headFile);
  }
  const report = await buildReport({
    changeSet,
    contextReader,
    rules: withCustomRules(rules, config),
    config,
    // A review thread cannot be handed rules (code): it rebuilds the custom ones from the config.
    engine: (reviewed, options) => runReviewEngine(reviewed, { ...options, customRules: config.customRules }),
  });
  log.info(
    {
      listed: changes.length,
      reviewed: changeSet.files.length,
      findings: report.findings.length,
      conclusion: report.verdict.conclusion,
    },
    "review computed",
  );
  const links: LinkContext = { repoUrl: target.repoUrl, baseSha, headSha: target.headSha };
  return { ok: true, config, report, links };
}

async function runReview(
  context: ReviewContextLike,
  target: ReviewTarget,
  check: StartedCheckRun,
  log: Logger,
  options: ReviewRunOptions,
): Promise<Verdict | null> {
  const { octokit } = context;
  const computed = await computeReview(context, target, log);
  if (!computed.ok) {
    log.info({ errors: computed.errors }, "invalid configuration");
    options.onInvalidConfig?.(computed.errors);
    const verdict = configErrorVerdict(computed.errors);
    const output = renderConfigErrorOutput(verdict, computed.errors, CONFIG_PATH);
    await completeCheckRun(octokit, target, check.id, "failure", output);
    return verdict;
  }
  const { config, report, links } = computed;

  // The head may have moved while we read and thought: never publish over a newer review. One
  // query says where the head is now, with the labels, this App's comment and the reviews; a job
  // also knows every newer head GitHub announced since it was queued.
  const now = await readPullRequestState(octokit, target);
  const job = currentJob();
  const newer = job?.head === target.headSha ? await job.newerHead(target.headSha) : null;
  const headNow = newer ?? now.headSha;
  if (headNow !== target.headSha) {
    log.info({ currentHead: headNow }, "head moved on, result dropped");
    await completeCheckRun(octokit, target, check.id, "neutral", renderSupersededOutput(headNow));
    return null;
  }

  return publish(
    octokit,
    {
      target,
      links,
      check,
      config,
      report,
      now,
      author: target.author ?? now.author ?? "",
      seal: gateSeal(context.gateKey, target),
      options,
    },
    log,
  );
}

interface Publication {
  target: ReviewTarget;
  links: LinkContext;
  check: StartedCheckRun;
  config: ReviewConfig;
  report: Report;
  /** The pull request as GitHub has it now: labels, this App's comment, reviews. */
  now: PullRequestState;
  author: string;
  seal: GateSeal;
  options: ReviewRunOptions;
}

/** Whether a new comment is wanted; an existing one is always kept current. */
function wantsComment(config: ReviewConfig, inScope: boolean, findings: number): boolean {
  switch (config.comment.mode) {
    case "always":
      return true;
    case "on-changes":
      return inScope;
    case "on-findings":
      return findings > 0;
  }
}

async function publish(octokit: ProbotOctokit, p: Publication, log: Logger): Promise<Verdict> {
  const { target, check, config, report, links } = p;
  const gateTarget = { ...target, author: p.author };

  const existing = p.now.sticky;
  // Ticks and acks live in the comment; they follow their findings across pushes. A state whose
  // seal does not verify was edited by someone: none of it counts, and this write restores the comment.
  const verified = existing ? openGateState(existing.body, p.seal) : null;
  if (existing && !verified) log.warn({ commentId: existing.id }, "gate state in the comment not verified");
  let state = pruneGateState(
    verified ?? emptyGateState(),
    new Set(report.findings.map((finding) => finding.fingerprint)),
  );
  if (p.options.updateState) state = p.options.updateState(state, report);
  let verdict = report.verdict;
  let gateHolds = false;
  if (verdict.conclusion === "action_required") {
    const gate = await decideGate(octokit, gateTarget, {
      findings: report.findings.map((finding) => ({
        fingerprint: finding.fingerprint,
        ruleId: finding.ruleId,
        severity: finding.severity,
        checklist: finding.checklist.length,
      })),
      config: config.gate,
      state,
      baseVerdict: verdict,
      reviews: p.now.reviews,
    });
    verdict = gate.verdict;
    gateHolds = !gate.decision.open;
    log.info({ open: gate.decision.open, missing: gate.decision.missing }, "gate decided");
  }

  const wanted = existing !== null || wantsComment(config, report.inScope, report.findings.length);
  const body = !wanted
    ? null
    : report.inScope
      ? renderComment({
          report,
          verdict,
          headSha: target.headSha,
          links,
          checkRunUrl: check.url,
          ticks: ticksForRender(state),
          acks: acksByFingerprint(state),
          trailer: gateStateTrailer(state),
        })
      : renderOutOfScopeComment(verdict, target.headSha, report.redact);

  // The verdict first: the required check must not wait on, or fail with, the comment or labels.
  // A comment created below is not linked yet; an existing one is.
  const output = renderCheckOutput({
    report,
    verdict,
    headSha: target.headSha,
    baseSha: links.baseSha,
    links,
    commentUrl: existing?.url ?? null,
  });
  await completeCheckRun(octokit, target, check.id, verdict.conclusion, output);

  if (body !== null) {
    const written = await writeStickyComment(octokit, target, existing, sealGateState(body, state, p.seal));
    log.info({ action: written.action, length: body.length }, "sticky comment written");
  }

  if (config.labels.enabled) {
    const plan = planLabels(config, report.highest, p.now.labels);
    if (plan.add || plan.remove.length > 0) {
      // Cosmetic: a refused label never changes the published verdict.
      try {
        await applyLabels(octokit, target, plan, p.now.labels);
        log.info({ added: plan.add?.name ?? null, removed: plan.remove }, "risk labels updated");
      } catch (error) {
        log.warn({ err: error, plan }, "could not update the risk labels");
      }
    }
  }

  if (gateHolds && p.options.requestReviews && config.gate.requestReviewers) {
    // The check is already complete: a refused request (a listed user who is not a collaborator, a
    // team without access) must not turn the review into a failure.
    try {
      await requestReviewers(octokit, gateTarget, config.gate);
    } catch (error) {
      log.warn({ err: error }, "could not request reviews from gate.teams / gate.users");
    }
  }
  return verdict;
}
