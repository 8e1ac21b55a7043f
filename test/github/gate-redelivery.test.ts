/**
 * GitHub redelivers webhooks (by hand from the App's settings, or after a timeout), each time
 * with a new delivery id. A redelivered `opened` after the gate was opened by two approvals must
 * decide from the approvals that exist, not from the assumption that an `opened` head is fresh.
 */
import { describe, expect, it } from "@jest/globals";
import { CHECK_NAME } from "../../src/render/check-output.js";
import {
  APP_ID,
  APP_SLUG,
  HEAD_SHA,
  ownComment,
  pullRequestPayload,
  REPO_URL,
  useMockedApp,
  type Payload,
} from "../mocks/github.js";
import { contentsFor, fileEntries, type PrFixture } from "../mocks/pull-request-files.js";
import { AUTHOR, listCheckRuns, permission, reviewPayload, reviews } from "./gate-helpers.js";

const app = useMockedApp();

/** A tenant's namespace removed: one critical finding, so the gate wants two approvals. */
const TENANT_REMOVED: PrFixture = {
  files: [
    {
      path: "platform/tenants/zeta.yaml",
      base: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: zeta\n  labels:\n    tenant: zeta\n",
      head: null,
    },
  ],
  context: { "platform/tenants/alpha.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: alpha\n" },
};

const APPROVALS = [
  { user: "hubot", state: "APPROVED" as const },
  { user: "mona", state: "APPROVED" as const },
];

function openedPayload(): Payload {
  const payload = pullRequestPayload("opened", { changedFiles: 1 }) as unknown as Payload;
  payload.pull_request.user.login = AUTHOR;
  return payload;
}

/** What one review of the head reads, up to the state of the pull request. */
function mockReview(checkRunId: number, state: Parameters<typeof app.github.prState>[0]): void {
  app.github
    .createCheckRun(checkRunId)
    .config(null)
    .compare(fileEntries(TENANT_REMOVED.files), { contents: contentsFor(TENANT_REMOVED) })
    .graphql(contentsFor(TENANT_REMOVED), "any")
    .prState({ author: AUTHOR, ...state });
}

function conclusions(): string[] {
  return app.github
    .bodiesOf("PATCH", "/check-runs/")
    .flatMap((body) => (typeof body.conclusion === "string" ? [body.conclusion] : []));
}

describe("a redelivered pull_request.opened", () => {
  it("after two approvals opened the gate, publishes success again, never action_required", async () => {
    // 1. The first delivery: nobody has approved yet; the check is held for two approvals.
    const payload = openedPayload();
    app.github.installationToken(payload.installation.id);
    mockReview(7001, {});
    app.github.createComment(9001).addLabels().updateCheckRun(7001);
    await app.probot.receive({ id: "delivery-1", name: "pull_request", payload } as never);
    app.github.endGraphql();
    const [held] = app.github.bodiesOf("PATCH", "/check-runs/7001") as {
      conclusion: string;
      output: Record<string, string>;
    }[];
    expect(held).toMatchObject({
      conclusion: "action_required",
      output: { title: "1 critical: second reviewer required" },
    });
    const sticky = app.github.bodiesOf("POST", "/issues/1/comments")[0].body as string;

    // 2. Two reviewers with write access approve the head: the gate opens on the second review.
    listCheckRuns(app.github, [
      {
        id: 7001,
        name: CHECK_NAME,
        head_sha: HEAD_SHA,
        status: "completed",
        conclusion: held.conclusion,
        html_url: `${REPO_URL}/runs/7001`,
        app: { id: APP_ID, slug: APP_SLUG },
        output: held.output,
      },
    ]);
    app.github.comments([ownComment(9001, sticky)]).config(null);
    reviews(app.github, APPROVALS);
    permission(app.github, "hubot", "write");
    permission(app.github, "mona", "admin");
    app.github.updateCheckRun(7001).updateComment(9001);
    await app.probot.receive({
      id: "review",
      name: "pull_request_review",
      payload: reviewPayload("mona"),
    } as never);
    expect(conclusions()).toEqual(["action_required", "success"]);
    const approved = app.github.bodiesOf("PATCH", "/issues/comments/9001").at(-1)!.body as string;

    // 3. The same `opened` delivered again, with a new delivery id and the same head. The
    //    reviews come with the pull request's state; both approvers are looked up.
    mockReview(7002, {
      comments: [ownComment(9001, approved)],
      labels: ["gitops-risk:critical"],
      reviews: APPROVALS,
    });
    permission(app.github, "hubot", "write");
    permission(app.github, "mona", "admin");
    app.github.updateCheckRun(7002);
    await app.probot.receive({ id: "delivery-2", name: "pull_request", payload: openedPayload() } as never);

    expect(conclusions()).toEqual(["action_required", "success", "success"]);
    const [again] = app.github.bodiesOf("PATCH", "/check-runs/7002");
    expect(again).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: expect.stringContaining("approved by") },
    });
    // The comment already says so: nothing to rewrite, no second comment, no label change.
    expect(app.github.bodiesOf("POST", "/issues/1/comments")).toHaveLength(1);
    expect(app.github.calls.filter((call) => call.includes("/labels"))).toHaveLength(1);
  });

  it("of a head nobody reviewed yet looks nobody up and holds the check", async () => {
    const payload = openedPayload();
    app.github.installationToken(payload.installation.id);
    // Approvals of an earlier push only: with `currentHeadOnly` (the default) they cannot count.
    mockReview(7001, { reviews: APPROVALS.map((review) => ({ ...review, commitId: "d".repeat(40) })) });
    app.github.createComment(9001).addLabels().updateCheckRun(7001);
    await app.probot.receive({ id: "delivery-1", name: "pull_request", payload } as never);

    expect(conclusions()).toEqual(["action_required"]);
    expect(app.github.calls.some((call) => call.includes("/permission"))).toBe(false);
  });
});
