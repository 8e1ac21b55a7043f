import { describe, expect, it } from "@jest/globals";
import { REPLY_MARKER } from "../../src/chatops/replies.js";
import { STICKY_MARKER, VERDICT_MARKER } from "../../src/render/comment.js";
import {
  examplePayload,
  HEAD_SHA,
  sealed,
  useMockedApp,
  verifiedState,
  type Payload,
} from "../mocks/github.js";
import { AUTHOR, checkRunsForRef, permission, reaction, reviews } from "./gate-helpers.js";

const app = useMockedApp();

const COMMENT_ID = 444;

/** A real issue_comment.created example, on PR #1 (examples lack `issue.pull_request`: added). */
function commentPayload(body: string, user = "hubot", type: "User" | "Bot" = "User") {
  const payload = examplePayload<Payload>("issue_comment", "created");
  payload.issue.number = 1;
  payload.issue.user.login = AUTHOR;
  payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
  Object.assign(payload.comment, { id: COMMENT_ID, body, performed_via_github_app: null });
  payload.comment.user = { ...payload.comment.user, login: user, type };
  payload.sender = { ...payload.sender, login: user, type };
  return payload;
}

async function send(payload: Payload, name = "issue_comment") {
  await app.probot.receive({ id: "c", name, payload } as never);
}

function expectReceipt(): void {
  app.github.installationToken(1);
  reaction(app.github, COMMENT_ID);
  app.github.pullRequest();
  app.github.createComment(9100);
}

function reply(): string {
  const [body] = app.github.bodiesOf("POST", "/issues/1/comments");
  return body.body as string;
}

describe("commands in pull request comments", () => {
  it("/help: eyes reaction, then the command list", async () => {
    expectReceipt();
    await send(commentPayload("/help"));
    expect(app.github.calls).toEqual([
      "POST /app/installations/1/access_tokens",
      `POST /repos/Codertocat/Hello-World/issues/comments/${COMMENT_ID}/reactions`,
      "GET /repos/Codertocat/Hello-World/pulls/1",
      "POST /repos/Codertocat/Hello-World/issues/1/comments",
    ]);
    expect(app.github.bodiesOf("POST", "/reactions")).toEqual([{ content: "eyes" }]);
    expect(reply()).toContain("| `/ack <rule-id> <reason>` |");
    expect(reply().endsWith(REPLY_MARKER)).toBe(true);
  });

  it("an unknown command gets the help", async () => {
    expectReceipt();
    await send(commentPayload("Thanks!\n/deploy production"));
    expect(reply().startsWith("`/deploy` is not a command I know.")).toBe(true);
  });

  it("/explain on an unknown rule suggests the closest ids, without reading the PR's files", async () => {
    expectReceipt();
    await send(commentPayload("/explain parse-problm"));
    expect(reply()).toBe(
      `There is no rule \`parse-problm\`. Did you mean \`parse-problem\`?\n\n${REPLY_MARKER}`,
    );
  });

  it("/ack by a read-only user is refused and nothing changes", async () => {
    expectReceipt();
    permission(app.github, "reader", "read");
    await send(commentPayload("/ack parse-problem the file is generated", "reader"));
    expect(app.github.calls).toEqual([
      "POST /app/installations/1/access_tokens",
      `POST /repos/Codertocat/Hello-World/issues/comments/${COMMENT_ID}/reactions`,
      "GET /repos/Codertocat/Hello-World/pulls/1",
      "GET /repos/Codertocat/Hello-World/collaborators/reader/permission",
      "POST /repos/Codertocat/Hello-World/issues/1/comments",
    ]);
    expect(reply()).toContain(
      "needs write access to this repository (you have read). Nothing was acknowledged.",
    );
    expect(reply()).not.toMatch(/@reader/);
  });

  it("/ack by the author is refused without any lookup", async () => {
    expectReceipt();
    await send(commentPayload("/ack parse-problem trust me", AUTHOR));
    expect(reply()).toContain("the pull request's author cannot acknowledge its findings");
  });

  it("/ack without a reason is refused with the usage", async () => {
    expectReceipt();
    await send(commentPayload("/ack parse-problem"));
    expect(reply()).toContain("An ack needs a rule id and a reason");
    expect(reply()).toContain("Nothing was acknowledged.");
  });

  it.each([
    ["a quote", "> /ack parse-problem fine\n\nI disagree with this."],
    ["a fenced block", "Try:\n```\n/recheck\n```"],
    ["an indented block", "Try:\n\n    /recheck"],
    ["inline text", "I would not /recheck yet"],
  ])("a command inside %s is ignored: no request at all", async (_where, body) => {
    await send(commentPayload(body));
    expect(app.github.requests).toEqual([]);
  });

  it("a bot's comment is ignored, this App's own included", async () => {
    await send(commentPayload("/recheck", "renovate[bot]", "Bot"));
    await send(commentPayload("/help", "gitops-review-bot[bot]", "Bot"));
    expect(app.github.requests).toEqual([]);
  });

  it("a comment on an issue (not a PR) is ignored", async () => {
    const payload = commentPayload("/help");
    delete payload.issue.pull_request;
    await send(payload);
    expect(app.github.requests).toEqual([]);
  });
});

describe("checklist ticks in the bot's comment", () => {
  const FP = "5e1f0c2a9b8d7e61";
  const HELD =
    "**1 finding reaches the gate (high or above):** a second reviewer should answer the checklist before this is merged.";
  const before = sealed(
    [
      STICKY_MARKER,
      "### 🟠 GitOps Review",
      "",
      `${HELD} ${VERDICT_MARKER}`,
      "",
      `- [ ] Does the file load? <!-- gitops-review-bot:check ${FP}/0 -->`,
      `- [ ] Has someone reviewed it by hand? <!-- gitops-review-bot:check ${FP}/1 -->`,
    ].join("\n"),
  );
  const ticked = before.replace(/- \[ \]/g, "- [x]");

  function editPayload(editor: string) {
    const payload = examplePayload<Payload>("issue_comment", "created");
    payload.action = "edited";
    payload.changes = { body: { from: before } };
    payload.issue.number = 1;
    payload.issue.user.login = AUTHOR;
    payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
    Object.assign(payload.comment, {
      id: 9001,
      body: ticked,
      updated_at: "2024-05-02T11:00:00Z",
      performed_via_github_app: { id: 4242, slug: "gitops-review-bot" },
    });
    payload.comment.user = { ...payload.comment.user, login: "gitops-review-bot[bot]", type: "Bot" };
    payload.sender = { ...payload.sender, login: editor, type: "User" };
    return payload;
  }

  /** The gate's reads after an edit; `editor` ticked, so their permission is looked up first. */
  function mockGate(editor: string | null, conclusion: "success" | "action_required" = "action_required") {
    app.github.installationToken(1);
    app.github.scope.get("/repos/Codertocat/Hello-World/pulls/1").reply(200, {
      number: 1,
      state: "open",
      head: { sha: HEAD_SHA },
      base: { sha: "b".repeat(40) },
      user: { login: AUTHOR },
      labels: [],
    });
    checkRunsForRef(
      app.github,
      [{ fingerprint: FP, ruleId: "parse-problem", severity: "high", checklist: 2 }],
      {
        conclusion,
        title: "1 high: second reviewer required",
        summary: HELD,
      },
    );
    if (editor === "hubot") permission(app.github, "hubot", "write");
    if (editor === "reader") permission(app.github, "reader", "read");
    app.github.config("gate:\n  checklist: required\n");
    reviews(app.github, [{ user: "hubot", state: "APPROVED" }]);
    permission(app.github, "hubot", "write");
  }

  it("ticks by a reviewer are recorded, shown and open the gate with an approval", async () => {
    mockGate("hubot");
    app.github.updateCheckRun().updateComment();
    await send(editPayload("hubot"));

    const [comment] = app.github.bodiesOf("PATCH", "/issues/comments/9001");
    const body = comment.body as string;
    expect(body).toContain(
      `- [x] Does the file load? (ticked by hubot) <!-- gitops-review-bot:check ${FP}/0 -->`,
    );
    expect(verifiedState(body)).toEqual({
      version: 1,
      ticks: {
        [`${FP}/0`]: { by: "hubot", at: "2024-05-02T11:00:00Z" },
        [`${FP}/1`]: { by: "hubot", at: "2024-05-02T11:00:00Z" },
      },
      acks: [],
    });
    expect(body).toContain(`**Second review done:** approved by @\u200Bhubot. ${VERDICT_MARKER}`);
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({ conclusion: "success" });
  });

  it("ticks by the author are not recorded: the boxes are unticked again, for a reviewer to tick", async () => {
    mockGate(AUTHOR);
    app.github.updateCheckRun().updateComment();
    await send(editPayload(AUTHOR));

    // No permission lookup for the author: their tick never counts.
    expect(app.github.calls.filter((call) => call.endsWith("/permission"))).toHaveLength(1);
    const body = app.github.bodiesOf("PATCH", "/issues/comments/9001")[0].body as string;
    expect(body).not.toContain("ticked by");
    expect(body).toContain(`- [ ] Does the file load? <!-- gitops-review-bot:check ${FP}/0 -->`);
    expect(verifiedState(body)).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(body).toContain(
      "**Still missing:** 2 checklist items need a tick from someone other than @\u200Boctocat.",
    );
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({
      conclusion: "action_required",
    });
  });

  it("an edit by a bot is ignored", async () => {
    const payload = editPayload("gitops-review-bot[bot]");
    payload.sender.type = "Bot";
    await send(payload);
    expect(app.github.requests).toEqual([]);
  });
});
