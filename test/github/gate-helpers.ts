/**
 * Extra nock replies for the gate and chat-ops tests (reviews, permissions, check runs by ref,
 * reactions), recorded into the same GitHubMock request list.
 */
import nock from "nock";
import { CHECK_NAME } from "../../src/render/check-output.js";
import type { Severity } from "../../src/engine/types.js";
import {
  API,
  APP_ID,
  APP_SLUG,
  BASE_SHA,
  examplePayload,
  GitHubMock,
  HEAD_SHA,
  OWNER,
  REPO,
  REPO_URL,
  type Payload,
} from "../mocks/github.js";

/** The author of PR #1 in the gate and chat-ops tests. */
export const AUTHOR = "octocat";
/** A commit before the head, for approvals given on an older push. */
export const OLD_SHA = "d".repeat(40);
/** The first line of a check held by one high finding. */
export const HELD =
  "**1 finding reaches the gate (high or above):** a second reviewer should answer the checklist before this is merged.";

/** A nock reply that records the request into `github.requests`, then answers with `reply(body)`. */
export function recorder(github: GitHubMock, reply: (body: unknown) => unknown) {
  return async (request: Request) => {
    const url = new URL(request.url);
    const text = await request.text();
    const body = text ? (JSON.parse(text) as unknown) : null;
    github.requests.push({
      method: request.method,
      path: decodeURIComponent(url.pathname + url.search),
      body,
    });
    return reply(body) as nock.ReplyBody;
  };
}

/** `GET /pulls/1` as GitHub answers it: the head, the author and the labels on the PR now. */
export function pullRequestNow(github: GitHubMock, labels: string[] = []): void {
  nock(API)
    .get(`/repos/${OWNER}/${REPO}/pulls/1`)
    .reply(
      200,
      recorder(github, () => ({
        number: 1,
        state: "open",
        head: { sha: HEAD_SHA },
        base: { sha: BASE_SHA },
        user: { login: AUTHOR, type: "User" },
        labels: labels.map((name) => ({ name })),
      })),
    );
}

/** A real `pull_request_review` example: `reviewer` reviews the head of PR #1 by AUTHOR. */
export function reviewPayload(
  reviewer: string,
  state: "approved" | "changes_requested" | "dismissed" = "approved",
): Payload {
  const payload = examplePayload<Payload>("pull_request_review", "submitted");
  payload.action = state === "dismissed" ? "dismissed" : "submitted";
  payload.review.user.login = reviewer;
  payload.review.state = state;
  payload.review.commit_id = HEAD_SHA;
  Object.assign(payload.pull_request, { number: 1, state: "open" });
  payload.pull_request.head.sha = HEAD_SHA;
  payload.pull_request.user.login = AUTHOR;
  return payload;
}

export interface ReviewSpec {
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  commitId?: string;
  /** GitHub's `user.type`; "User" unless given. */
  type?: "User" | "Bot";
}

export function reviews(github: GitHubMock, list: readonly ReviewSpec[]): void {
  let minute = 0;
  nock(API)
    .get(`/repos/${OWNER}/${REPO}/pulls/1/reviews`)
    .query({ per_page: "100" })
    .reply(
      200,
      recorder(github, () =>
        list.map((review, index) => ({
          id: 100 + index,
          user: { login: review.user, type: review.type ?? "User" },
          state: review.state,
          commit_id: review.commitId ?? HEAD_SHA,
          submitted_at: `2024-05-02T10:${String((minute += 1)).padStart(2, "0")}:00Z`,
        })),
      ),
    );
}

export function permission(
  github: GitHubMock,
  user: string,
  role: "admin" | "maintain" | "write" | "triage" | "read",
): void {
  const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
  nock(API)
    .get(`/repos/${OWNER}/${REPO}/collaborators/${user}/permission`)
    .reply(
      200,
      recorder(github, () => ({ permission: legacy, role_name: role, user: { login: user } })),
    );
}

export interface StateFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  checklist: number;
}

/** The App's completed check run on the head, carrying the gate's state like renderCheckOutput does. */
export function checkRunsForRef(
  github: GitHubMock,
  findings: readonly StateFinding[],
  current: { conclusion: string; title: string; summary: string },
  id = 7001,
): void {
  listCheckRuns(github, [gateCheckRun(findings, current, id)]);
}

/** A completed "GitOps Review" check run on the head with a complete state block, by `app`. */
export function gateCheckRun(
  findings: readonly StateFinding[],
  current: { conclusion: string; title: string; summary: string },
  id = 7001,
  app: { id: number; slug: string } = { id: APP_ID, slug: APP_SLUG },
): Record<string, unknown> {
  const state = {
    version: 1,
    headSha: HEAD_SHA,
    baseSha: "a".repeat(40),
    gateSeverity: "high",
    findings,
    complete: true,
  };
  return {
    id,
    name: CHECK_NAME,
    head_sha: HEAD_SHA,
    status: "completed",
    conclusion: current.conclusion,
    html_url: `${REPO_URL}/runs/${id}`,
    app,
    output: {
      title: current.title,
      summary: current.summary,
      text: `## findings\n\n<!-- gitops-review-bot:state ${JSON.stringify(state)} -->`,
    },
  };
}

/**
 * `GET /commits/:head/check-runs` as the gate asks for it (this App's runs only). `anyQuery` also
 * answers a request without `app_id`, so a test can show what an unfiltered request would read.
 */
export function listCheckRuns(
  github: GitHubMock,
  runs: readonly Record<string, unknown>[],
  anyQuery = false,
): void {
  nock(API)
    .get(`/repos/${OWNER}/${REPO}/commits/${HEAD_SHA}/check-runs`)
    .query(
      anyQuery ? true : { check_name: CHECK_NAME, app_id: String(APP_ID), filter: "latest", per_page: "20" },
    )
    .reply(
      200,
      recorder(github, () => ({ total_count: runs.length, check_runs: runs })),
    );
}

export function reaction(github: GitHubMock, commentId: number): void {
  nock(API)
    .post(`/repos/${OWNER}/${REPO}/issues/comments/${commentId}/reactions`)
    .reply(
      201,
      recorder(github, () => ({ id: 1, content: "eyes" })),
    );
}

export function requestReviewers(github: GitHubMock): void {
  nock(API)
    .post(`/repos/${OWNER}/${REPO}/pulls/1/requested_reviewers`)
    .reply(
      201,
      recorder(github, () => ({ number: 1 })),
    );
}
