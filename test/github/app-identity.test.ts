/**
 * The App knows who it is without asking GitHub (the App JWT names its id): checklist ticks are
 * recorded before any check run exists, and only this App's "GitOps Review" check run is read.
 */
import { rules as catalogue } from "../../rules/index.js";
import { describe, expect, it } from "@jest/globals";
import { reviewChangeSet } from "../../src/engine/review.js";
import type { PolicyFinding } from "../../src/engine/policy.js";
import { appIdentity } from "../../src/github/identity.js";
import { STICKY_MARKER, VERDICT_MARKER } from "../../src/render/comment.js";
import { checklistMarkdown } from "../../src/render/markdown-parts.js";
import {
  APP_ID,
  examplePayload,
  HEAD_SHA,
  ownComment,
  sealed,
  useMockedApp,
  verifiedState,
  type ExistingComment,
  type Payload,
} from "../mocks/github.js";
import { BROKEN_YAML, contentsFor, fileEntries, localChangeSet } from "../mocks/pull-request-files.js";
import {
  AUTHOR,
  gateCheckRun,
  listCheckRuns,
  permission,
  reviewPayload,
  reviews,
  type StateFinding,
} from "./gate-helpers.js";

const app = useMockedApp();
const PR = "/repos/Codertocat/Hello-World";

describe("appIdentity", () => {
  it("reads the App id from the installation Octokit's App JWT, without any request", async () => {
    const octokit = await app.probot.auth(1);
    expect(await appIdentity(octokit)).toEqual({ id: APP_ID, slug: "" });
    expect(app.github.requests).toEqual([]);
  });

  it("keeps an identity GitHub already returned; null for an Octokit that is not an App", async () => {
    const known = { id: APP_ID, slug: "gitops-review-bot" };
    const never = { auth: async () => Promise.reject(new Error("not called")) };
    expect(await appIdentity(never, known)).toBe(known);
    expect(await appIdentity({ auth: async () => ({ type: "token", token: "ghp_x" }) })).toBeNull();
    expect(await appIdentity(never)).toBeNull();
  });
});

describe("checklist ticks before the head has a completed check run", () => {
  it("are recorded in the App's comment, then a full review keeps them", async () => {
    const { changeSet, contextReader } = localChangeSet(BROKEN_YAML);
    const [finding] = (await reviewChangeSet(changeSet, { contextReader, rules: catalogue })).findings;
    const before = sealed(
      [
        STICKY_MARKER,
        "### 🟠 GitOps Review",
        "",
        `Reviewing… ${VERDICT_MARKER}`,
        "",
        ...checklistMarkdown(finding as unknown as PolicyFinding),
      ].join("\n"),
    );
    const ticked = before.replace(/- \[ \]/g, "- [x]");

    const payload = examplePayload<Payload>("issue_comment", "created");
    payload.action = "edited";
    payload.changes = { body: { from: before } };
    payload.issue.number = 1;
    payload.issue.user.login = AUTHOR;
    payload.issue.pull_request = { url: `https://api.github.com${PR}/pulls/1` };
    Object.assign(payload.comment, {
      id: 9001,
      body: ticked,
      updated_at: "2024-05-02T11:00:00Z",
      performed_via_github_app: { id: APP_ID, slug: "gitops-review-bot" },
    });
    payload.comment.user = { ...payload.comment.user, login: "gitops-review-bot[bot]", type: "Bot" };
    payload.sender = { ...payload.sender, login: "hubot", type: "User" };

    // The comment as GitHub holds it when the full review lists it: the body the tick edit wrote.
    const current = (): ExistingComment[] => {
      const edits = app.github.bodiesOf("PATCH", "/issues/comments/9001");
      return [ownComment(9001, (edits.at(-1)?.body as string | undefined) ?? ticked)];
    };
    app.github.installationToken(payload.installation.id).pullRequest();
    listCheckRuns(app.github, []);
    permission(app.github, "hubot", "write");
    app.github
      .updateComment()
      .createCheckRun()
      .config(null)
      .compare(fileEntries(BROKEN_YAML.files))
      .graphql(contentsFor(BROKEN_YAML), "any")
      .prState({ comments: current });
    app.github.updateComment().addLabels().updateCheckRun();
    await app.probot.receive({ id: "tick", name: "issue_comment", payload } as never);

    expect(app.github.calls.filter((call) => call !== "POST /graphql")).toEqual([
      `POST /app/installations/${payload.installation.id}/access_tokens`,
      `GET ${PR}/pulls/1`,
      `GET ${PR}/commits/${HEAD_SHA}/check-runs`,
      `GET ${PR}/collaborators/hubot/permission`,
      `PATCH ${PR}/issues/comments/9001`,
      `POST ${PR}/check-runs`,
      `GET ${PR}/contents/.github/gitops-review.yml`,
      `GET ${PR}/compare/${"b".repeat(40)}...${HEAD_SHA}`,
      "GET /repos/Codertocat/.github/contents/.github/gitops-review.yml",
      `PATCH ${PR}/check-runs/7001`,
      `PATCH ${PR}/issues/comments/9001`,
      `POST ${PR}/issues/1/labels`,
    ]);
    // The check runs are asked for by this App's id, learnt without a request.
    expect(app.github.requests[2].path).toContain(`app_id=${APP_ID}`);

    const ticks = {
      [`${finding.fingerprint}/0`]: { by: "hubot", at: "2024-05-02T11:00:00Z" },
      [`${finding.fingerprint}/1`]: { by: "hubot", at: "2024-05-02T11:00:00Z" },
    };
    const [recorded, reviewed] = app.github
      .bodiesOf("PATCH", "/issues/comments/9001")
      .map((body) => body.body as string);
    expect(verifiedState(recorded)).toEqual({ version: 1, ticks, acks: [] });
    expect(recorded).toContain(`(ticked by hubot) <!-- gitops-review-bot:check ${finding.fingerprint}/0 -->`);
    expect(verifiedState(reviewed)).toEqual({ version: 1, ticks, acks: [] });
    expect(reviewed).toContain(`(ticked by hubot) <!-- gitops-review-bot:check ${finding.fingerprint}/1 -->`);
  });
});

describe("the gate reads only this App's check run", () => {
  const FINDING: StateFinding = {
    fingerprint: "5e1f0c2a9b8d7e61",
    ruleId: "parse-problem",
    severity: "high",
    checklist: 0,
  };
  const HELD = "**1 finding reaches the gate (high or above):** a second reviewer should approve.";

  it("a 'GitOps Review' run by a workflow is ignored: ours is re-decided", async () => {
    const payload = reviewPayload("hubot");

    app.github.installationToken(payload.installation.id);
    // Listed first (as if GitHub had not filtered): a run with the same name, by GitHub Actions,
    // claiming nothing gates. Answered to any query so an unfiltered request would read it too.
    listCheckRuns(
      app.github,
      [
        gateCheckRun([], { conclusion: "success", title: "No risks found", summary: "ok" }, 666, {
          id: 15368,
          slug: "github-actions",
        }),
        gateCheckRun([FINDING], { conclusion: "action_required", title: "1 high", summary: HELD }),
      ],
      true,
    );
    app.github.comments([]).config(null);
    reviews(app.github, [{ user: "hubot", state: "APPROVED" }]);
    permission(app.github, "hubot", "write");
    app.github.updateCheckRun();
    await app.probot.receive({ id: "review", name: "pull_request_review", payload } as never);

    expect(app.github.calls).toEqual([
      `POST /app/installations/${payload.installation.id}/access_tokens`,
      `GET ${PR}/commits/${HEAD_SHA}/check-runs`,
      `GET ${PR}/issues/1/comments`,
      `GET ${PR}/contents/.github/gitops-review.yml`,
      "GET /repos/Codertocat/.github/contents/.github/gitops-review.yml",
      `GET ${PR}/pulls/1/reviews`,
      `GET ${PR}/collaborators/hubot/permission`,
      `PATCH ${PR}/check-runs/7001`,
    ]);
    expect(app.github.requests[1].path).toBe(
      `${PR}/commits/${HEAD_SHA}/check-runs?check_name=GitOps Review&app_id=${APP_ID}&filter=latest&per_page=20`,
    );
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
    });
  });
});
