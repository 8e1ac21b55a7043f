/**
 * The sticky comment posted with the workflow's token. That token writes as github-actions[bot]
 * (the GitHub Actions App), so that is the only author whose marked comment this edits: a
 * person's or another bot's comment that quotes the marker is never touched.
 */
import { Octokit } from "@octokit/rest";
import type { AppIdentity } from "../github/check-run.js";
import { findStickyComment, writeStickyComment } from "../github/sticky-comment.js";

/** The GitHub Actions App, author of every comment made with a workflow's GITHUB_TOKEN. */
export const GITHUB_ACTIONS_APP: AppIdentity = { id: 15368, slug: "github-actions" };

export interface CommentTarget {
  owner: string;
  repo: string;
  number: number;
}

export type CommentOutcome =
  { ok: true; url: string; action: "created" | "updated" | "unchanged" } | { ok: false; reason: string };

export async function postStickyComment(
  options: { token: string; apiUrl?: string },
  target: CommentTarget,
  body: string,
): Promise<CommentOutcome> {
  const octokit = new Octokit({
    auth: options.token,
    ...(options.apiUrl ? { baseUrl: options.apiUrl } : {}),
    userAgent: "gitops-review-bot-action",
    // A failed request is reported once, as advice (commentFailure), not also as Octokit's log line.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  // The sticky-comment helpers need only `rest.issues` and `paginate`, which @octokit/rest has.
  const client = octokit as unknown as Parameters<typeof findStickyComment>[0];
  try {
    const existing = await findStickyComment(client, target, GITHUB_ACTIONS_APP);
    const written = await writeStickyComment(client, target, existing, body);
    return { ok: true, ...written };
  } catch (err) {
    return { ok: false, reason: commentFailure(err) };
  }
}

/** What went wrong, as advice: a read-only token is the usual cause (forks, missing permission). */
function commentFailure(err: unknown): string {
  const status = (err as { status?: unknown }).status;
  if (status === 403 || status === 404)
    return (
      "the token cannot write pull request comments: give the job `permissions: pull-requests: write`; " +
      "pull requests from forks get a read-only token on `pull_request`"
    );
  return `commenting failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
}
