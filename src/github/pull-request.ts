/**
 * Which pull request an event is about, and what GitHub says about it right now (the head SHA
 * moves while a review runs; a stale result must not be published).
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
  /** Labels as the event reported them (a stale list only makes a label write a no-op). */
  labels?: string[];
}

/** The fields of a pull request object (webhook payload or REST) this App reads. */
export interface PullRequestLike {
  number: number;
  state: string;
  head: { sha: string };
  base: { sha: string };
  changed_files?: number;
  labels?: ({ name?: string } | string)[];
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
    ...(pr.labels
      ? { labels: pr.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))) }
      : {}),
  };
}

type Octokit = Pick<ProbotOctokit, "rest">;

export interface PullRequestNow {
  state: string;
  headSha: string;
  labels: string[];
  author: string | null;
}

export async function readPullRequest(octokit: Octokit, pr: PullRequestRef): Promise<PullRequestNow> {
  const { data } = await octokit.rest.pulls.get({ owner: pr.owner, repo: pr.repo, pull_number: pr.number });
  return {
    state: data.state,
    headSha: data.head.sha,
    labels: data.labels.map((label) => label.name),
    author: data.user?.login ?? null,
  };
}

/**
 * The merge base of the base branch and the head: what GitHub's "Files changed" compares against.
 * Reading the base branch tip instead would show every later change on main as reverted.
 */
export async function mergeBase(octokit: Octokit, target: ReviewTarget): Promise<string> {
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
    owner: target.owner,
    repo: target.repo,
    basehead: `${target.baseSha}...${target.headSha}`,
    per_page: 1,
  });
  return data.merge_base_commit.sha;
}

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
