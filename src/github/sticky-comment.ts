/**
 * The one comment per pull request. Found by its hidden marker *and* its author being this App:
 * a human or another bot quoting the marker never gets their comment edited.
 */
import type { ProbotOctokit } from "probot";
import { STICKY_MARKER } from "../render/comment.js";
import type { AppIdentity } from "./check-run.js";
import type { PullRequestRef } from "./pull-request.js";

export interface StickyComment {
  id: number;
  body: string;
  url: string;
}

export interface IssueComment {
  id: number;
  body?: string;
  html_url: string;
  user: { login: string; type: string } | null;
  performed_via_github_app?: { id: number; slug?: string } | null;
}

type Octokit = Pick<ProbotOctokit, "rest" | "paginate">;

/**
 * Ours only when it carries the marker and was written by this App: anyone can paste the marker
 * into a comment, and editing theirs would destroy what they wrote. The App id decides; the bot
 * user's login is a fallback only for a comment without `performed_via_github_app`, and only when
 * the slug is known. Without knowing who we are, nothing is ours (a second comment is better than a
 * lost one).
 */
export function isOwnStickyComment(comment: IssueComment, app: AppIdentity | null): boolean {
  if (!app || !comment.body?.includes(STICKY_MARKER)) return false;
  if (comment.performed_via_github_app) return comment.performed_via_github_app.id === app.id;
  return app.slug !== "" && comment.user?.type === "Bot" && comment.user.login === `${app.slug}[bot]`;
}

/** Stops paging as soon as the comment is found. */
export async function findStickyComment(
  octokit: Octokit,
  pr: PullRequestRef,
  app: AppIdentity | null,
): Promise<StickyComment | null> {
  const matches = (comment: IssueComment): boolean => isOwnStickyComment(comment, app);
  let found: StickyComment | null = null;
  await octokit.paginate(
    octokit.rest.issues.listComments,
    { owner: pr.owner, repo: pr.repo, issue_number: pr.number, per_page: 100 },
    (response, done) => {
      for (const comment of response.data as IssueComment[]) {
        if (matches(comment)) {
          found = { id: comment.id, body: comment.body ?? "", url: comment.html_url };
          done();
          break;
        }
      }
      return [];
    },
  );
  return found;
}

/** Creates the comment or edits it in place; an unchanged body costs no request. */
export async function writeStickyComment(
  octokit: Octokit,
  pr: PullRequestRef,
  existing: StickyComment | null,
  body: string,
): Promise<{ url: string; action: "created" | "updated" | "unchanged" }> {
  if (existing) {
    if (existing.body === body) return { url: existing.url, action: "unchanged" };
    const { data } = await octokit.rest.issues.updateComment({
      owner: pr.owner,
      repo: pr.repo,
      comment_id: existing.id,
      body,
    });
    return { url: data.html_url, action: "updated" };
  }
  const { data } = await octokit.rest.issues.createComment({
    owner: pr.owner,
    repo: pr.repo,
    issue_number: pr.number,
    body,
  });
  return { url: data.html_url, action: "created" };
}
