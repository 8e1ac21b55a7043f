/**
 * Which pull request an event is about: the head commit a review is of, and the pull requests a
 * re-requested check run names.
 */
import type { ProbotOctokit } from "probot";

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestRef extends RepoRef {
  number: number;
}

/** A pull request at one head commit: what one review run is about. */
export interface ReviewTarget extends PullRequestRef {
  headSha: string;
  /** Tip of the base branch; the review reads the merge base of this and the head. */
  baseSha: string;
  /** `https://github.com/owner/repo`, for links to lines. */
  repoUrl: string;
  changedFiles?: number;
  /** Login of the pull request's author (the gate never counts their approval). */
  author?: string;
}

/** The fields of a pull request object (webhook payload or REST) this App reads. */
export interface PullRequestLike {
  number: number;
  state: string;
  head: { sha: string };
  base: { sha: string };
  changed_files?: number;
  user?: { login: string } | null;
}

/** The base repository: everything is read and written there, for forks too. */
export interface BaseRepo extends RepoRef {
  htmlUrl: string;
}

export function targetFromPullRequest(pr: PullRequestLike, repo: BaseRepo): ReviewTarget {
  return {
    owner: repo.owner,
    repo: repo.repo,
    number: pr.number,
    headSha: pr.head.sha,
    baseSha: pr.base.sha,
    repoUrl: repo.htmlUrl,
    ...(pr.changed_files !== undefined ? { changedFiles: pr.changed_files } : {}),
    ...(pr.user?.login ? { author: pr.user.login } : {}),
  };
}

type Octokit = Pick<ProbotOctokit, "rest">;

/**
 * Open pull requests a re-requested check is about. GitHub fills `pull_requests` only for
 * branches of the same repository; for forks, look the head commit up.
 */
export async function pullRequestsForCheck(
  octokit: Octokit,
  repo: BaseRepo,
  headSha: string,
  listed: readonly { number: number }[],
): Promise<ReviewTarget[]> {
  const targets: ReviewTarget[] = [];
  if (listed.length > 0) {
    for (const { number } of listed) {
      const { data } = await octokit.rest.pulls.get({
        owner: repo.owner,
        repo: repo.repo,
        pull_number: number,
      });
      if (data.state === "open") targets.push(targetFromPullRequest(data, repo));
    }
    return targets;
  }
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: repo.owner,
    repo: repo.repo,
    commit_sha: headSha,
  });
  for (const pr of data) {
    if (pr.state === "open" && pr.head.sha === headSha) targets.push(targetFromPullRequest(pr, repo));
  }
  return targets;
}
