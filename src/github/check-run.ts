/**
 * The `GitOps Review` check run on the head commit: created `in_progress` as soon as the event
 * arrives, completed with the verdict, annotations sent 50 per request (GitHub appends them).
 */
import type { ProbotOctokit } from "probot";
import type { CheckConclusion } from "../engine/policy.js";
import { currentJob } from "../queue/job-context.js";
import { annotationBatches, CHECK_NAME, type CheckOutput } from "../render/check-output.js";
import { writeNotApplied } from "./faults.js";
import { appIdentity } from "./identity.js";
import type { RepoRef } from "./pull-request.js";

/**
 * The App as GitHub knows it: finds its own comment and check run. The id comes from a check run
 * GitHub returned or from the App JWT (`appIdentity`); the slug is "" when not known.
 */
export interface AppIdentity {
  id: number;
  slug: string;
}

export interface StartedCheckRun {
  id: number;
  url: string | null;
  app: AppIdentity | null;
}

type Octokit = Pick<ProbotOctokit, "rest">;

/**
 * The `in_progress` check run of this review: created, or, when an earlier attempt may have
 * created one (a retry, a job taken over from a dead worker, a POST answered with a 5xx after
 * GitHub applied it), this App's own `in_progress` run on the head is found and reused. Never a
 * blind second POST.
 */
export async function startCheckRun(
  octokit: Octokit & { auth?: (options?: Record<string, unknown>) => Promise<unknown> },
  repo: RepoRef,
  headSha: string,
): Promise<StartedCheckRun> {
  const job = currentJob();
  let started = job && job.attempt > 1 ? await findOpenCheckRun(octokit, repo, headSha) : null;
  if (!started) {
    try {
      started = await createCheckRun(octokit, repo, headSha);
    } catch (error) {
      if (writeNotApplied(error)) throw error;
      // GitHub may have applied it: look before the job's retry would create a second one.
      started = await findOpenCheckRun(octokit, repo, headSha).catch(() => null);
      if (!started) throw error;
    }
  }
  await job?.checkStarted({ owner: repo.owner, repo: repo.repo, checkRunId: started.id, headSha });
  return started;
}

async function createCheckRun(octokit: Octokit, repo: RepoRef, headSha: string): Promise<StartedCheckRun> {
  const { data } = await octokit.rest.checks.create({
    owner: repo.owner,
    repo: repo.repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: "in_progress",
  });
  return {
    id: data.id,
    url: data.html_url ?? null,
    app: data.app ? { id: data.app.id, slug: data.app.slug ?? "" } : null,
  };
}

/** This App's newest `in_progress` GitOps Review run on the head, if any. */
async function findOpenCheckRun(
  octokit: Octokit & { auth?: (options?: Record<string, unknown>) => Promise<unknown> },
  repo: RepoRef,
  headSha: string,
): Promise<StartedCheckRun | null> {
  // Without knowing who we are, another App's run of the same name could be taken for ours.
  const app = octokit.auth ? await appIdentity(octokit as Parameters<typeof appIdentity>[0]) : null;
  if (!app) return null;
  const { data } = await octokit.rest.checks.listForRef({
    owner: repo.owner,
    repo: repo.repo,
    ref: headSha,
    check_name: CHECK_NAME,
    status: "in_progress",
    app_id: app.id,
    per_page: 20,
  });
  const run = data.check_runs.find((candidate) => candidate.app?.id === app.id);
  if (!run) return null;
  return {
    id: run.id,
    url: run.html_url ?? null,
    app: run.app ? { id: run.app.id, slug: run.app.slug ?? "" } : app,
  };
}

export async function completeCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  checkRunId: number,
  conclusion: CheckConclusion | "cancelled",
  output: CheckOutput,
): Promise<void> {
  const [first, ...rest] = annotationBatches(output.annotations);
  await octokit.rest.checks.update({
    owner: repo.owner,
    repo: repo.repo,
    check_run_id: checkRunId,
    status: "completed",
    conclusion,
    output: {
      title: output.title,
      summary: output.summary,
      ...(output.text ? { text: output.text } : {}),
      ...(first.length > 0 ? { annotations: first } : {}),
    },
  });
  for (const annotations of rest) {
    await octokit.rest.checks.update({
      owner: repo.owner,
      repo: repo.repo,
      check_run_id: checkRunId,
      output: { title: output.title, summary: output.summary, annotations },
    });
  }
  await currentJob()?.checkCompleted(checkRunId, conclusion);
}
