/**
 * The gate on GitHub: gather reviews and permissions, decide, and re-decide on review events and
 * checklist edits without fetching files again (the check run output carries the findings).
 */
import type { Logger, ProbotOctokit } from "probot";
import type { ReviewConfig } from "../engine/config.js";
import {
  countBySeverity,
  decideVerdict,
  type CheckConclusion,
  type PolicyOutcome,
  type Verdict,
} from "../engine/policy.js";
import { atLeast } from "../engine/types.js";
import {
  evaluateGate,
  hasWriteAccess,
  gateVerdict,
  sameLogin,
  type GateDecision,
  type GateReview,
  type GateFinding,
} from "../gate/evaluate.js";
import { gateSeal, openGateState, sealGateState, type GateSeal } from "../gate/seal.js";
import {
  applyTickChanges,
  emptyGateState,
  pruneGateState,
  renderChecklistState,
  tickChanges,
  type GateState,
  type TickChanges,
} from "../gate/state.js";
import { CHECK_NAME, checkTitle, parseCheckState, type CheckState } from "../render/check-output.js";
import { withVerdictLine } from "../render/comment.js";
import type { AppIdentity } from "./check-run.js";
import { appIdentity } from "./identity.js";
import type { GateKeyHolder } from "./gate-key.js";
import {
  allowedReviewers,
  listReviews,
  permissionOf,
  permissionsOf,
  reviewersToLookUp,
} from "./gate-inputs.js";
import { loadRepoConfig, type ConfigSource } from "./load-config.js";
import type { PullRequestRef } from "./pull-request.js";
import {
  findStickyComment,
  isOwnStickyComment,
  writeStickyComment,
  type IssueComment,
  type StickyComment,
} from "./sticky-comment.js";

type Octokit = Pick<ProbotOctokit, "rest" | "paginate">;

export interface GateTarget extends PullRequestRef {
  headSha: string;
  author: string;
}

export interface GateRun {
  decision: GateDecision;
  verdict: Verdict;
}

/**
 * Decides the gate. `reviews`, when the caller already read them, are used as they are; else
 * they are fetched, and only when they can change the answer. With `currentHeadOnly`, reviews of
 * which none is on the head (a push just arrived) cannot open the gate: no permission is looked
 * up then. That is decided from the reviews themselves, never from the event's name: a
 * redelivered `opened` can come after approvals of this very head.
 */
export async function decideGate(
  octokit: Octokit,
  target: GateTarget,
  input: {
    findings: readonly GateFinding[];
    config: ReviewConfig["gate"];
    state: GateState;
    baseVerdict: Verdict;
    reviews?: readonly GateReview[];
  },
): Promise<GateRun> {
  // A bare team slug is a team of the repository's organisation: named `@org/team`, as GitHub does.
  const config = {
    ...input.config,
    teams: input.config.teams.map((team) => (team.includes("/") ? team : `${target.owner}/${team}`)),
  };
  const gating = input.findings.filter((finding) => atLeast(finding.severity, config.severity));
  const counts = countBySeverity(input.findings);
  const base = { findings: gating, author: target.author, headSha: target.headSha, state: input.state };
  // With an allow-list and no review read yet, no one counts so far (not "anyone with write access").
  const noneYet = config.teams.length > 0 || config.users.length > 0 ? new Set<string>() : null;
  let decision = evaluateGate({ ...base, reviews: [], permissions: {}, allowed: noneYet }, config);
  const noneOnHead =
    input.reviews !== undefined && !input.reviews.some((review) => review.commitId === target.headSha);
  const needsReviews =
    decision.gating.length > 0 && !(noneOnHead && config.currentHeadOnly && decision.required > 0);
  if (needsReviews) {
    const reviews = input.reviews ?? (await listReviews(octokit, target));
    const users = reviewersToLookUp(reviews, target.author);
    const permissions = await permissionsOf(octokit, target, users);
    const allowed = await allowedReviewers(octokit, target, config, users);
    decision = evaluateGate({ ...base, reviews, permissions, allowed }, config);
  }
  return { decision, verdict: gateVerdict(input.baseVerdict, counts, decision) };
}

/** Asks the configured teams and users (never the author) to review. */
export async function requestReviewers(
  octokit: Octokit,
  target: GateTarget,
  config: ReviewConfig["gate"],
): Promise<void> {
  const reviewers = config.users.filter((user) => !sameLogin(user, target.author));
  const teams = config.teams.map((team) => (team.includes("/") ? team.split("/")[1] : team));
  if (reviewers.length === 0 && teams.length === 0) return;
  await octokit.rest.pulls.requestReviewers({
    owner: target.owner,
    repo: target.repo,
    pull_number: target.number,
    reviewers,
    team_reviewers: teams,
  });
}

interface GateCheck {
  id: number;
  conclusion: string | null;
  app: AppIdentity | null;
  title: string;
  summary: string;
  text: string;
  state: CheckState;
}

/**
 * This App's completed check run on the head, with a complete state block; null otherwise. A run of
 * the same name by another App or a workflow (anyone can create one) is never read: GitHub filters
 * by `app_id`, and so do we. Without knowing our App id, no run is ours.
 */
async function findGateCheck(
  octokit: Octokit,
  target: GateTarget,
  appId: number | null,
): Promise<GateCheck | null> {
  if (appId === null) return null;
  const { data } = await octokit.rest.checks.listForRef({
    owner: target.owner,
    repo: target.repo,
    ref: target.headSha,
    check_name: CHECK_NAME,
    app_id: appId,
    filter: "latest",
    per_page: 20,
  });
  for (const run of data.check_runs) {
    if (run.app?.id !== appId || run.status !== "completed") continue;
    const state = parseCheckState(run.output.text);
    if (!state || state.headSha !== target.headSha || !state.complete) continue;
    return {
      id: run.id,
      conclusion: run.conclusion,
      app: run.app ? { id: run.app.id, slug: run.app.slug ?? "" } : null,
      title: run.output.title ?? "",
      summary: run.output.summary ?? "",
      text: run.output.text ?? "",
      state,
    };
  }
  return null;
}

export interface ChecklistEdit {
  comment: IssueComment & { id: number };
  /** The body before the edit (`changes.body.from`). */
  from: string;
  editor: string;
  at: string;
}

export interface ReevaluateContext extends ConfigSource, GateKeyHolder {
  octokit: ProbotOctokit;
  log: Logger;
}

/**
 * Re-decides the gate for the current head from the check run's state: on a review, or after a
 * checklist edit. Returns false when there is no usable state (the caller reviews in full): no
 * finished review of the head, or a comment whose sealed state does not verify (someone edited
 * it: the full review restores it from what it can verify).
 */
export async function reevaluateGate(
  context: ReevaluateContext,
  target: GateTarget,
  edit: ChecklistEdit | null,
): Promise<boolean> {
  const { octokit, log } = context;
  const identity = await appIdentity(octokit);
  const check = await findGateCheck(octokit, target, identity?.id ?? null);
  // The check run listed by GitHub also names our slug; the JWT gives the id alone.
  const self = check?.app ?? identity;
  if (edit && !isOwnStickyComment(edit.comment, self)) return true;

  const seal = gateSeal(context.gateKey, target);
  // `trusted`: the body the bot last wrote (before the edit), the one to rewrite; `current`: as it is now.
  let comment: { current: StickyComment; trusted: string } | null = null;
  let state: GateState = emptyGateState();
  if (edit) {
    // The body before this edit must be one the bot sealed. It is not after a second edit that
    // came before the bot rewrote the first, or when someone changed the state block: then
    // nothing in either body is trusted.
    const before = openGateState(edit.from, seal);
    if (!before) {
      log.warn(
        { commentId: edit.comment.id, editor: edit.editor },
        "edited comment's gate state not verified",
      );
      return false;
    }
    const body = edit.comment.body ?? "";
    state = await recordTicks(octokit, target, before, tickChanges(edit.from, body), edit, log);
    comment = { current: { id: edit.comment.id, body, url: edit.comment.html_url }, trusted: edit.from };
  } else {
    const sticky = await findStickyComment(octokit, target, self);
    if (sticky) {
      const verified = openGateState(sticky.body, seal);
      if (!verified) {
        log.warn({ commentId: sticky.id }, "gate state in the comment not verified");
        return false;
      }
      state = verified;
      comment = { current: sticky, trusted: sticky.body };
    }
  }

  if (!check) {
    // No finished review of this head yet: keep the ticks, let a full review decide.
    if (edit && comment)
      await writeStickyComment(octokit, target, comment.current, checklistBody(comment.trusted, state, seal));
    return false;
  }
  const configResult = await loadRepoConfig(context);
  if (!configResult.ok) return true; // the check already reports the broken config

  const findings = check.state.findings;
  state = pruneGateState(state, new Set(findings.map((finding) => finding.fingerprint)));
  const gateSeverity = configResult.config.gate.severity;
  const gating = findings.filter((finding) => atLeast(finding.severity, gateSeverity));
  if (gating.length === 0) {
    // Nothing reaches the gate: the review's own verdict stands.
    if (edit && comment)
      await writeStickyComment(octokit, target, comment.current, checklistBody(comment.trusted, state, seal));
    return true;
  }
  // The policy's own verdict for these findings: decideVerdict reads only their severities.
  const held = decideVerdict({ findings, gating, gateSeverity } as unknown as PolicyOutcome, true);
  const { decision, verdict } = await decideGate(octokit, target, {
    findings,
    config: configResult.config.gate,
    state,
    baseVerdict: held,
  });
  log.info(
    { open: decision.open, missing: decision.missing, conclusion: verdict.conclusion },
    "gate re-evaluated",
  );

  const summary = replaceFirstLine(check.summary, verdict.line);
  // The same title a full review writes, so an unchanged decision causes no update.
  const title = checkTitle(verdict);
  if (verdict.conclusion !== check.conclusion || title !== check.title || summary !== check.summary) {
    await octokit.rest.checks.update({
      owner: target.owner,
      repo: target.repo,
      check_run_id: check.id,
      status: "completed",
      conclusion: verdict.conclusion as CheckConclusion,
      output: { title, summary, text: check.text },
    });
  }
  if (comment) {
    const body = checklistBody(withVerdictLine(comment.trusted, verdict.line), state, seal);
    await writeStickyComment(octokit, target, comment.current, body);
  }
  return true;
}

/** The check summary starts with the verdict line. */
function replaceFirstLine(summary: string, line: string): string {
  const end = summary.indexOf("\n");
  return end < 0 ? line : line + summary.slice(end);
}

/** The checklist lines brought in line with the state, and the state sealed: the last step of a write. */
function checklistBody(body: string, state: GateState, seal: GateSeal): string {
  return sealGateState(renderChecklistState(body, state), state, seal);
}

/**
 * Applies an edit's checkbox changes. A tick counts only from someone with write access who is not
 * the author; any other tick is not recorded, so the rewrite unticks the box again and a reviewer
 * can tick it for real. Unticking is anyone's (it only holds the gate), and needs no lookup.
 */
async function recordTicks(
  octokit: Octokit,
  target: GateTarget,
  state: GateState,
  changes: TickChanges,
  edit: ChecklistEdit,
  log: Logger,
): Promise<GateState> {
  let { ticked } = changes;
  if (ticked.length > 0) {
    const counts =
      !sameLogin(edit.editor, target.author) &&
      hasWriteAccess(await permissionOf(octokit, target, edit.editor));
    if (!counts) {
      log.info(
        { editor: edit.editor, items: ticked.length },
        "ticks not recorded: author or no write access",
      );
      ticked = [];
    }
  }
  return applyTickChanges(state, { ticked, unticked: changes.unticked }, edit.editor, edit.at);
}
