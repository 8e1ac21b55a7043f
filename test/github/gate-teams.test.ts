/**
 * The gate's allow-list (`gate.teams`, `gate.users`) checked against the API, review requests when
 * the gate closes (`gate.requestReviewers`), and `currentHeadOnly: false` counting an approval given
 * on an older commit. Real webhook examples, every request mocked with nock and asserted.
 */
import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { STICKY_MARKER, VERDICT_MARKER } from "../../src/render/comment.js";
import {
  API,
  HEAD_SHA,
  OWNER,
  ownComment,
  sealed,
  pullRequestPayload,
  REPO,
  useMockedApp,
  type Payload,
} from "../mocks/github.js";
import { contentsFor, fileEntries, type PrFixture } from "../mocks/pull-request-files.js";
import {
  AUTHOR,
  checkRunsForRef,
  HELD,
  OLD_SHA,
  permission,
  recorder,
  reviewPayload,
  reviews,
  type ReviewSpec,
  type StateFinding,
} from "./gate-helpers.js";

const app = useMockedApp();

const ZWSP = "\u200B";
const PR_PATH = `/repos/${OWNER}/${REPO}`;
const FINDING: StateFinding = {
  fingerprint: "58004aa3117c7647",
  ruleId: "replicas-scaled-to-zero",
  severity: "high",
  checklist: 3,
};

/** `GET /orgs/:org/teams/:team/memberships/:user`: a membership, or 404 when not a member. */
function membership(team: string, user: string, state: "active" | "pending" | null, org = OWNER): void {
  nock(API)
    .get(`/orgs/${org}/teams/${team}/memberships/${user}`)
    .reply(
      state === null ? 404 : 200,
      recorder(app.github, () => (state === null ? { message: "Not Found" } : { state, role: "member" })),
    );
}

function requestedReviewers(status: 201 | 422 = 201): void {
  nock(API)
    .post(`${PR_PATH}/pulls/1/requested_reviewers`)
    .reply(
      status,
      recorder(app.github, () =>
        status === 201
          ? { number: 1 }
          : {
              message:
                "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the Codertocat/Hello-World repository.",
            },
      ),
    );
}

function checkUpdates() {
  return app.github.bodiesOf("PATCH", "/check-runs/7001") as {
    status?: string;
    conclusion: string;
    output: { title: string; summary: string };
  }[];
}

// ---------------------------------------------------------------------------------------------
// pull_request_review: the gate re-decided from the check run's state

async function reviewEvent(
  config: string,
  reviewer: string,
  list: ReviewSpec[],
  lookups: () => void,
): Promise<void> {
  app.github.installationToken(1);
  checkRunsForRef(app.github, [FINDING], {
    conclusion: "action_required",
    title: "1 high: second reviewer required",
    summary: `${HELD}\n\n- finding`,
  });
  app.github
    .comments([
      ownComment(9001, sealed(`${STICKY_MARKER}\n### 🟠 GitOps Review\n\n${HELD} ${VERDICT_MARKER}\n`)),
    ])
    .config(config);
  reviews(app.github, list);
  lookups();
  app.github.updateCheckRun().updateComment();
  await app.probot.receive({
    id: "review",
    name: "pull_request_review",
    payload: reviewPayload(reviewer),
  } as never);
}

describe("gate.teams: only members of the teams count, checked with the API", () => {
  const TEAMS = "gate:\n  teams: [platform, acme-infra/sre]\n";

  it("an approval by a write-access member of a listed team opens the gate", async () => {
    await reviewEvent(TEAMS, "hubot", [{ user: "hubot", state: "APPROVED" }], () => {
      permission(app.github, "hubot", "write");
      // Not in the first team (404), an active member of the second one (another org).
      membership("platform", "hubot", null);
      membership("sre", "hubot", "active", "acme-infra");
    });

    expect(app.github.calls).toEqual([
      "POST /app/installations/1/access_tokens",
      `GET ${PR_PATH}/commits/${HEAD_SHA}/check-runs`,
      `GET ${PR_PATH}/issues/1/comments`,
      `GET ${PR_PATH}/contents/.github/gitops-review.yml`,
      `GET ${PR_PATH}/pulls/1/reviews`,
      `GET ${PR_PATH}/collaborators/hubot/permission`,
      `GET /orgs/${OWNER}/teams/platform/memberships/hubot`,
      "GET /orgs/acme-infra/teams/sre/memberships/hubot",
      `PATCH ${PR_PATH}/check-runs/7001`,
      `PATCH ${PR_PATH}/issues/comments/9001`,
    ]);
    expect(checkUpdates()[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "1 high: approved by @\u200Bhubot" },
    });
  });

  it("an approval by someone with write access outside the teams does not count, and says who is needed", async () => {
    await reviewEvent(TEAMS, "mona", [{ user: "mona", state: "APPROVED" }], () => {
      permission(app.github, "mona", "admin");
      membership("platform", "mona", null);
      membership("sre", "mona", null, "acme-infra");
    });

    const [update] = checkUpdates();
    expect(update).toMatchObject({
      conclusion: "action_required",
      output: { title: "1 high: second reviewer required" },
    });
    // A team is named as GitHub mentions it, org/team (never as a bare user-like `@platform`).
    expect(update.output.summary.split("\n")[0]).toBe(
      `${HELD} **Still missing:** needs 1 more approval from @${ZWSP}${OWNER}/platform, @${ZWSP}acme-infra/sre ` +
        `(not @${ZWSP}${AUTHOR}).`,
    );
    const [comment] = app.github.bodiesOf("PATCH", "/issues/comments/9001");
    expect(comment.body).toContain(
      `from @${ZWSP}${OWNER}/platform, @${ZWSP}acme-infra/sre (not @${ZWSP}${AUTHOR})`,
    );
  });

  it("a pending (invited, not yet joined) team membership does not count", async () => {
    await reviewEvent("gate:\n  teams: [platform]\n", "hubot", [{ user: "hubot", state: "APPROVED" }], () => {
      permission(app.github, "hubot", "write");
      membership("platform", "hubot", "pending");
    });
    expect(checkUpdates()[0].conclusion).toBe("action_required");
  });

  it("team membership never replaces write access: a read-only member does not count", async () => {
    await reviewEvent(
      "gate:\n  teams: [platform]\n",
      "reader",
      [{ user: "reader", state: "APPROVED" }],
      () => {
        permission(app.github, "reader", "read");
        membership("platform", "reader", "active");
      },
    );
    expect(checkUpdates()[0].conclusion).toBe("action_required");
  });

  it("gate.users: a listed user counts without any team lookup", async () => {
    await reviewEvent(
      "gate:\n  teams: [platform]\n  users: [Hubot]\n",
      "hubot",
      [{ user: "hubot", state: "APPROVED" }],
      () => permission(app.github, "hubot", "write"),
    );
    expect(app.github.calls.some((call) => call.includes("/teams/"))).toBe(false);
    expect(checkUpdates()[0]).toMatchObject({ conclusion: "success" });
  });
});

// ---------------------------------------------------------------------------------------------
// Full reviews on pull_request events

/** The web Deployment in prod scaled from 3 replicas to `replicas`. */
function webScaledTo(replicas: number): PrFixture {
  const web = (count: number) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: ${count}\n`;
  return { files: [{ path: "clusters/prod/apps/web.yaml", base: web(3), head: web(replicas) }], context: {} };
}

const fixture = webScaledTo(0);
const harmless = webScaledTo(4);

async function pullRequestEvent(
  action: "opened" | "synchronize" | "reopened",
  config: string,
  pr: PrFixture,
  extra: () => void,
  list: readonly ReviewSpec[] = [],
): Promise<void> {
  const payload = pullRequestPayload(action) as unknown as Payload;
  payload.pull_request.user.login = AUTHOR;
  app.github
    .installationToken(1)
    .createCheckRun()
    .config(config)
    .compare(fileEntries(pr.files))
    .graphql(contentsFor(pr), "any")
    .prState({ author: AUTHOR, reviews: list });
  extra();
  await app.probot.receive({ id: action, name: "pull_request", payload } as never);
}

describe("gate.requestReviewers: reviews requested when the gate closes", () => {
  const CONFIG = "gate:\n  teams: [platform]\n  users: [mona, octocat]\n  requestReviewers: true\n";

  it("asks the teams and users (never the author) once the check is held", async () => {
    await pullRequestEvent("opened", CONFIG, fixture, () => {
      app.github.createComment().addLabels().updateCheckRun();
      requestedReviewers();
    });

    // No review is on this head: no permission or team is looked up.
    expect(app.github.calls.some((call) => /\/reviews|\/permission|\/teams\//.test(call))).toBe(false);
    // The verdict first, then the comment and labels, then the review request.
    expect(app.github.calls.slice(-4)).toEqual([
      `PATCH ${PR_PATH}/check-runs/7001`,
      `POST ${PR_PATH}/issues/1/comments`,
      `POST ${PR_PATH}/issues/1/labels`,
      `POST ${PR_PATH}/pulls/1/requested_reviewers`,
    ]);
    expect(checkUpdates()[0]).toMatchObject({ conclusion: "action_required" });
    expect(app.github.requests.at(-1)).toMatchObject({
      method: "POST",
      path: `${PR_PATH}/pulls/1/requested_reviewers`,
      body: { reviewers: ["mona"], team_reviewers: ["platform"] },
    });
    expect(checkUpdates()[0].output.summary.split("\n")[0]).toBe(
      // The author, though listed in gate.users, is not offered as a reviewer.
      `${HELD} **Still missing:** needs 1 more approval from @${ZWSP}mona, @${ZWSP}${OWNER}/platform ` +
        `(not @${ZWSP}${AUTHOR}).`,
    );
  });

  it("asks no one when nothing reaches the gate", async () => {
    await pullRequestEvent("opened", CONFIG, harmless, () => {
      app.github.createComment().updateCheckRun();
    });
    expect(checkUpdates()[0]).toMatchObject({ conclusion: "success" });
    expect(app.github.calls.some((call) => call.includes("requested_reviewers"))).toBe(false);
  });

  it("asks no one again on a later push", async () => {
    await pullRequestEvent("synchronize", CONFIG, fixture, () => {
      app.github.createComment().addLabels().updateCheckRun();
    });
    expect(checkUpdates()[0]).toMatchObject({ conclusion: "action_required" });
    expect(app.github.calls.some((call) => call.includes("requested_reviewers"))).toBe(false);
  });

  it("a refused request (a listed user is not a collaborator) leaves the held check as it is", async () => {
    await pullRequestEvent("opened", CONFIG, fixture, () => {
      app.github.createComment().addLabels().updateCheckRun();
      requestedReviewers(422);
    });
    // One completion, action_required; the failed request does not turn it into a failure.
    expect(checkUpdates()).toHaveLength(1);
    expect(checkUpdates()[0]).toMatchObject({ status: "completed", conclusion: "action_required" });
  });
});

describe("gate.currentHeadOnly: false", () => {
  it("an approval on an older commit still counts after a push", async () => {
    await pullRequestEvent(
      "synchronize",
      "gate:\n  currentHeadOnly: false\n",
      fixture,
      () => {
        permission(app.github, "hubot", "write");
        app.github.createComment().addLabels().updateCheckRun();
      },
      [{ user: "hubot", state: "APPROVED", commitId: OLD_SHA }],
    );
    // Even on a fresh head the approver is looked up: an older approval may count.
    expect(app.github.calls).toContain(`GET ${PR_PATH}/collaborators/hubot/permission`);
    expect(checkUpdates()[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: `1 high: approved by @${ZWSP}hubot` },
    });
    const [comment] = app.github.bodiesOf("POST", "/issues/1/comments");
    expect(comment.body).toContain(`**Second review done:** approved by @${ZWSP}hubot. ${VERDICT_MARKER}`);
  });

  it("by default the same older approval does not count, and its author is not even looked up", async () => {
    await pullRequestEvent(
      "synchronize",
      "gate:\n  currentHeadOnly: true\n",
      fixture,
      () => {
        app.github.createComment().addLabels().updateCheckRun();
      },
      [{ user: "hubot", state: "APPROVED", commitId: OLD_SHA }],
    );
    expect(app.github.calls.some((call) => /\/reviews|\/permission/.test(call))).toBe(false);
    expect(checkUpdates()[0]).toMatchObject({ conclusion: "action_required" });
  });

  it("on a review event, an older approval by a team member counts", async () => {
    await reviewEvent(
      "gate:\n  currentHeadOnly: false\n  teams: [platform]\n",
      "hubot",
      [{ user: "hubot", state: "APPROVED", commitId: OLD_SHA }],
      () => {
        permission(app.github, "hubot", "maintain");
        membership("platform", "hubot", "active");
      },
    );
    expect(checkUpdates()[0]).toMatchObject({
      conclusion: "success",
      output: { title: "1 high: approved by @\u200Bhubot" },
    });
  });
});
