/**
 * Event routing only: work out which pull request heads to review, then hand over.
 */
import type { Context, Probot } from "probot";
import { CHECK_NAME } from "../render/check-output.js";
import {
  pullRequestsForCheck,
  targetFromPullRequest,
  type BaseRepo,
  type ReviewTarget,
} from "./pull-request.js";
import type { GateKey } from "../gate/seal.js";
import { gateKeyFromEnv, type GateKeyHolder } from "./gate-key.js";
import { applyRequestPolicy, type RequestPolicy, type RetryOptions } from "./request-policy.js";
import { handleCommentCreated, handleCommentEdited } from "./chatops.js";
import { reevaluateGate } from "./gate.js";
import { reviewPullRequest, type ReviewRunOptions } from "./review-pull-request.js";

export interface AppOptions {
  /** Retries, timeouts and rate-limit waits of GitHub requests (tests shorten the waits). */
  retry?: RetryOptions;
  /** Seals the gate's state in the sticky comment; from the environment when not given. */
  gateKey?: GateKey;
  /** Shared rate-limit pauses and request observation (the service sets them). */
  requests?: Pick<RequestPolicy, "pauses" | "observe">;
}

const PULL_REQUEST_EVENTS: (
  | "pull_request.opened"
  | "pull_request.synchronize"
  | "pull_request.reopened"
  | "pull_request.ready_for_review"
  | "pull_request.edited"
)[] = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
];

export function registerHandlers(app: Probot, appOptions: AppOptions = {}): void {
  const options = { ...appOptions, gateKey: appOptions.gateKey ?? gateKeyFromEnv(process.env, app.log) };
  app.on(PULL_REQUEST_EVENTS, async (context) => {
    // An edited title or body changes nothing the review reads; a new base branch does.
    if (context.payload.action === "edited" && !("base" in context.payload.changes)) return;
    prepare(context, options);
    const { action } = context.payload;
    await reviewAll(context, [targetFromPullRequest(context.payload.pull_request, baseRepo(context))], {
      requestReviews: action === "opened" || action === "reopened" || action === "ready_for_review",
    });
  });

  // The gate is re-decided from the check run's state: no file is fetched again.
  app.on(
    ["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"],
    async (context) => {
      prepare(context, options);
      const pr = context.payload.pull_request;
      if (pr.state !== "open") return;
      const target = targetFromPullRequest(pr, baseRepo(context));
      const handled = await reevaluateGate(context, { ...target, author: pr.user?.login ?? "" }, null);
      if (!handled) await reviewPullRequest(context, target);
    },
  );

  app.on("issue_comment.created", async (context) => {
    prepare(context, options);
    await handleCommentCreated(context);
  });

  app.on("issue_comment.edited", async (context) => {
    prepare(context, options);
    await handleCommentEdited(context);
  });

  app.on("check_run.rerequested", async (context) => {
    const run = context.payload.check_run;
    if (run.name !== CHECK_NAME) return;
    prepare(context, options);
    const targets = await pullRequestsForCheck(
      context.octokit,
      baseRepo(context),
      run.head_sha,
      run.pull_requests,
    );
    await reviewAll(context, targets);
  });

  app.on("check_suite.rerequested", async (context) => {
    const suite = context.payload.check_suite;
    prepare(context, options);
    const targets = await pullRequestsForCheck(
      context.octokit,
      baseRepo(context),
      suite.head_sha,
      suite.pull_requests,
    );
    await reviewAll(context, targets);
  });
}

function baseRepo(
  context: Context<"pull_request" | "pull_request_review" | "check_run" | "check_suite">,
): BaseRepo {
  const { repository } = context.payload;
  return { owner: repository.owner.login, repo: repository.name, htmlUrl: repository.html_url };
}

/** Per event: the request policy on its Octokit, and the gate's key on the context. */
function prepare<C extends Context>(
  context: C,
  options: AppOptions & GateKeyHolder,
): asserts context is C & GateKeyHolder {
  const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
  applyRequestPolicy(context.octokit, context.log, {
    ...options.retry,
    ...options.requests,
    ...(installation !== undefined ? { key: String(installation) } : {}),
  });
  Object.assign(context, { gateKey: options.gateKey });
}

async function reviewAll(
  context: Context & GateKeyHolder,
  targets: readonly ReviewTarget[],
  options: ReviewRunOptions = {},
): Promise<void> {
  if (targets.length === 0) context.log.info({ event: context.name }, "no open pull request to review");
  for (const target of targets) await reviewPullRequest(context, target, options);
}
