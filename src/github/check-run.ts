/**
 * The `GitOps Review` check run on the head commit: created `in_progress` as soon as the event
 * arrives, completed with the verdict, annotations sent 50 per request (GitHub appends them).
 */
import type { ProbotOctokit } from "probot";
import type { CheckConclusion } from "../engine/policy.js";
import { annotationBatches, CHECK_NAME, type CheckOutput } from "../render/check-output.js";
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

export async function startCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  headSha: string,
): Promise<StartedCheckRun> {
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
}
