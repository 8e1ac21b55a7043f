/**
 * What a review needs to know about its pull request just before it publishes, in one GraphQL
 * query: is the head still the one reviewed, which labels it carries, this App's sticky comment,
 * and the reviews (so that a redelivered event decides the gate on the approvals that exist,
 * never on the assumption that a new event means a new head). Long lists fall back to paging.
 */
import type { ProbotOctokit } from "probot";
import type { GateReview, ReviewState } from "../gate/evaluate.js";
import { STICKY_MARKER } from "../render/comment.js";
import { listReviews } from "./gate-inputs.js";
import type { PullRequestRef } from "./pull-request.js";
import type { StickyComment } from "./sticky-comment.js";

type Octokit = Pick<ProbotOctokit, "graphql" | "paginate" | "rest">;

export interface PullRequestState {
  /** OPEN, CLOSED or MERGED. */
  state: string;
  headSha: string;
  labels: string[];
  author: string | null;
  /** This App's sticky comment, when there is one. */
  sticky: StickyComment | null;
  /** Every review, oldest first. */
  reviews: GateReview[];
}

interface Actor {
  login: string;
  __typename?: string;
}

interface CommentNode {
  databaseId: number | null;
  body: string;
  url: string;
  /** True for comments this installation's bot wrote: GitHub itself says whose it is. */
  viewerDidAuthor: boolean;
}

interface CommentPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (CommentNode | null)[];
}

interface StateAnswer {
  repository: {
    pullRequest: {
      state: string;
      headRefOid: string;
      author: Actor | null;
      labels: { pageInfo: { hasNextPage: boolean }; nodes: ({ name: string } | null)[] };
      comments: CommentPage;
      reviews: {
        pageInfo: { hasPreviousPage: boolean };
        nodes: ({
          state: string;
          submittedAt: string | null;
          commit: { oid: string } | null;
          author: Actor | null;
        } | null)[];
      };
    } | null;
  } | null;
}

const COMMENT_FIELDS = "pageInfo { hasNextPage endCursor } nodes { databaseId body url viewerDidAuthor }";

const STATE_QUERY = `query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      state headRefOid author { login __typename }
      labels(first: 100) { pageInfo { hasNextPage } nodes { name } }
      comments(first: 100) { ${COMMENT_FIELDS} }
      reviews(last: 100) { pageInfo { hasPreviousPage } nodes { state submittedAt commit { oid } author { login __typename } } }
    }
  }
}`;

const COMMENTS_QUERY = `query($owner: String!, $name: String!, $number: Int!, $after: String!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) { comments(first: 100, after: $after) { ${COMMENT_FIELDS} } }
  }
}`;

const REVIEW_STATES: readonly ReviewState[] = [
  "APPROVED",
  "CHANGES_REQUESTED",
  "COMMENTED",
  "DISMISSED",
  "PENDING",
];

export class PullRequestNotFoundError extends Error {}

export async function readPullRequestState(octokit: Octokit, pr: PullRequestRef): Promise<PullRequestState> {
  const variables = { owner: pr.owner, name: pr.repo, number: pr.number };
  const answer = await octokit.graphql<StateAnswer>(STATE_QUERY, variables);
  const found = answer.repository?.pullRequest;
  if (!found) throw new PullRequestNotFoundError(`pull request #${pr.number} not found`);

  let sticky = ownSticky(found.comments.nodes);
  let page = found.comments.pageInfo;
  while (!sticky && page.hasNextPage && page.endCursor) {
    const next = await octokit.graphql<{
      repository: { pullRequest: { comments: CommentPage } | null } | null;
    }>(COMMENTS_QUERY, { ...variables, after: page.endCursor });
    const comments = next.repository?.pullRequest?.comments;
    if (!comments) break;
    sticky = ownSticky(comments.nodes);
    page = comments.pageInfo;
  }

  // Older reviews can hold someone's standing request for changes: read them all.
  const reviews = found.reviews.pageInfo.hasPreviousPage
    ? await listReviews(octokit, pr)
    : found.reviews.nodes.flatMap((node) => (node ? toGateReview(node) : []));

  const labels = found.labels.pageInfo.hasNextPage
    ? (
        await octokit.paginate(octokit.rest.issues.listLabelsOnIssue, {
          owner: pr.owner,
          repo: pr.repo,
          issue_number: pr.number,
          per_page: 100,
        })
      ).map((label) => label.name)
    : found.labels.nodes.flatMap((label) => (label ? [label.name] : []));

  return {
    state: found.state,
    headSha: found.headRefOid,
    labels,
    author: found.author ? restLogin(found.author) : null,
    sticky,
    reviews,
  };
}

/**
 * The first comment carrying the marker that this App wrote. Anyone can paste the marker into a
 * comment; editing theirs would destroy what they wrote.
 */
function ownSticky(nodes: readonly (CommentNode | null)[]): StickyComment | null {
  for (const node of nodes) {
    if (!node?.viewerDidAuthor || node.databaseId === null || !node.body.includes(STICKY_MARKER)) continue;
    return { id: node.databaseId, body: node.body, url: node.url };
  }
  return null;
}

function toGateReview(node: {
  state: string;
  submittedAt: string | null;
  commit: { oid: string } | null;
  author: Actor | null;
}): GateReview[] {
  if (!node.author || !(REVIEW_STATES as readonly string[]).includes(node.state)) return [];
  return [
    {
      user: restLogin(node.author),
      state: node.state as ReviewState,
      commitId: node.commit?.oid ?? null,
      submittedAt: node.submittedAt,
      bot: node.author.__typename === "Bot",
    },
  ];
}

/** GraphQL names a GitHub App's account `renovate`, REST `renovate[bot]`: the gate uses REST's. */
function restLogin(actor: Actor): string {
  return actor.__typename === "Bot" && !actor.login.endsWith("[bot]") ? `${actor.login}[bot]` : actor.login;
}
