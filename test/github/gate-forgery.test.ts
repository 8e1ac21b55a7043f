/**
 * The gate's state lives in the bot's sticky comment, which anyone with write access (the author,
 * usually) can edit. These tests play the author forging acks and ticks in that comment, with the
 * edit's webhook delivered, never delivered, and with two edits in a row, against the real App with
 * every GitHub request mocked: the gate never opens, and the comment is restored.
 */
import { describe, expect, it } from "@jest/globals";
import type { Ack } from "../../src/gate/state.js";
import {
  APP_ID,
  APP_SLUG,
  BASE_SHA,
  examplePayload,
  HEAD_SHA,
  ownComment,
  pullRequestPayload,
  useMockedApp,
  verifiedState,
  type ExistingComment,
  type Payload,
} from "../mocks/github.js";
import { BROKEN_YAML, contentsFor, fileEntries } from "../mocks/pull-request-files.js";
import {
  AUTHOR,
  checkRunsForRef,
  HELD,
  permission,
  pullRequestNow,
  reviewPayload,
  reviews,
  type ReviewSpec,
} from "./gate-helpers.js";

const app = useMockedApp();
const STICKY_ID = 9001;
const BLOCK = /<!-- gitops-review-bot:gate (.*) -->\s*$/;

/** The author's forgery: an ack in the state block, as if a reviewer had accepted the finding. */
function forgeAck(body: string, fingerprint: string): string {
  const json = JSON.parse(BLOCK.exec(body)![1]) as { acks: Ack[] };
  json.acks.push({
    ruleId: "parse-problem",
    fingerprints: [fingerprint],
    by: "hubot",
    reason: "reviewed offline",
    at: "2024-05-02T11:30:00Z",
  });
  return body.replace(BLOCK, `<!-- gitops-review-bot:gate ${JSON.stringify(json)} -->`);
}

function tickBox(body: string, fingerprint: string, index: number): string {
  const marker = `<!-- gitops-review-bot:check ${fingerprint}/${index} -->`;
  return body
    .split("\n")
    .map((line) => (line.endsWith(marker) ? line.replace("- [ ]", "- [x]") : line))
    .join("\n");
}

/**
 * The first review of the head (`opened`): returns the comment the App created and the finding's
 * fingerprint (one high parse-problem finding with two checklist items).
 */
async function firstReview(): Promise<{ body: string; fingerprint: string }> {
  const payload = pullRequestPayload("opened");
  app.github.installationToken(payload.installation.id).createCheckRun();
  mockReviewReads([]);
  app.github.createComment(STICKY_ID).addLabels().updateCheckRun();
  await app.probot.receive({ id: "opened", name: "pull_request", payload } as never);
  app.github.endGraphql();
  const body = app.github.bodiesOf("POST", "/issues/1/comments")[0].body as string;
  app.github.requests.splice(0);
  const fingerprint = /<!-- gitops-review-bot:check ([0-9a-f]{16})\/0 -->/.exec(body)![1];
  expect(verifiedState(body)).toEqual({ version: 1, ticks: {}, acks: [] });
  return { body, fingerprint };
}

/** What a full review reads: config (none), files, merge base, contents, the PR now. */
function mockReviewReads(comments: readonly ExistingComment[], list: readonly ReviewSpec[] = []): void {
  app.github
    .config(null)
    .compare(fileEntries(BROKEN_YAML.files))
    .graphql(contentsFor(BROKEN_YAML), "any")
    .prState({ comments, reviews: list, author: AUTHOR });
}

/** A review by `reviewer` on the head of PR #1 (whose base is BASE_SHA, as the mocks expect). */
function reviewEvent(reviewer: string): Payload {
  const payload = reviewPayload(reviewer);
  payload.pull_request.base.sha = BASE_SHA;
  return payload;
}

/** A full review of the head after a gate event gave up on the comment: it rebuilds the comment. */
function mockFullReview(sticky: string, list: ReviewSpec[], roles: [string, "read" | "write"][]): void {
  app.github.createCheckRun();
  mockReviewReads([ownComment(STICKY_ID, sticky)], list);
  for (const [user, role] of roles) permission(app.github, user, role);
  app.github.updateComment(STICKY_ID).addLabels().updateCheckRun();
}

/** The App's finished check run on the head, holding one high finding. */
function mockHeldCheck(fingerprint: string): void {
  checkRunsForRef(app.github, [{ fingerprint, ruleId: "parse-problem", severity: "high", checklist: 2 }], {
    conclusion: "action_required",
    title: "1 high: second reviewer required",
    summary: `${HELD}\n\n- old`,
  });
}

/** `issue_comment.edited` on the App's sticky comment, from `from` to `to`, by `editor`. */
function editPayload(from: string, to: string, editor: string): Payload {
  const payload = examplePayload<Payload>("issue_comment", "created");
  payload.action = "edited";
  payload.changes = { body: { from } };
  payload.issue.number = 1;
  payload.issue.user.login = AUTHOR;
  payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
  Object.assign(payload.comment, {
    id: STICKY_ID,
    body: to,
    updated_at: "2024-05-02T11:40:00Z",
    performed_via_github_app: { id: APP_ID, slug: APP_SLUG },
  });
  payload.comment.user = { ...payload.comment.user, login: `${APP_SLUG}[bot]`, type: "Bot" };
  payload.sender = { ...payload.sender, login: editor, type: "User" };
  return payload;
}

async function receiveEdit(from: string, to: string, editor: string): Promise<void> {
  pullRequestNow(app.github);
  await app.probot.receive({
    id: "edit",
    name: "issue_comment",
    payload: editPayload(from, to, editor),
  } as never);
}

function lastComment(): string {
  return app.github.bodiesOf("PATCH", `/issues/comments/${STICKY_ID}`).at(-1)!.body as string;
}

function checkConclusions(): string[] {
  return app.github.bodiesOf("PATCH", "/check-runs/7001").map((body) => body.conclusion as string);
}

const NO_ACK = /acknowledged|reviewed offline/i;

describe("an author forging an ack in the bot's comment", () => {
  it("edit webhook delivered: the forged ack is not read, the comment is restored, the check stays held", async () => {
    const { body, fingerprint } = await firstReview();
    const forged = forgeAck(body, fingerprint);

    mockHeldCheck(fingerprint);
    app.github.config(null);
    reviews(app.github, []);
    app.github.updateCheckRun().updateComment(STICKY_ID);
    await receiveEdit(body, forged, AUTHOR);

    expect(checkConclusions()).toEqual(["action_required"]);
    const restored = lastComment();
    expect(verifiedState(restored)).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(restored).not.toMatch(NO_ACK);
    expect(restored).toContain("**Still missing:** needs 1 more approval");
  });

  it("edit webhook never delivered: the next event does not trust the comment and rebuilds it", async () => {
    const { body, fingerprint } = await firstReview();
    const forged = forgeAck(body, fingerprint);

    // A read-only user's approval arrives; the comment GitHub lists is the forged one.
    mockHeldCheck(fingerprint);
    app.github.comments([ownComment(STICKY_ID, forged)]);
    mockFullReview(forged, [{ user: "reader", state: "APPROVED" }], [["reader", "read"]]);
    await app.probot.receive({
      id: "review",
      name: "pull_request_review",
      payload: reviewEvent("reader"),
    } as never);

    expect(checkConclusions()).toEqual(["action_required"]);
    const restored = lastComment();
    expect(verifiedState(restored)).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(restored).not.toMatch(NO_ACK);
    // The same review as before the forgery, with what is still missing.
    expect(restored.split("\n").slice(4, 12)).toEqual(body.split("\n").slice(4, 12));
  });

  it("edit webhook never delivered, then a push: the review of the new head ignores the forged state", async () => {
    const { body, fingerprint } = await firstReview();
    const forged = forgeAck(body, fingerprint);

    const payload = pullRequestPayload("synchronize");
    app.github.createCheckRun();
    mockReviewReads([ownComment(STICKY_ID, forged)]);
    app.github.updateComment(STICKY_ID).addLabels();
    app.github.updateCheckRun();
    await app.probot.receive({ id: "push", name: "pull_request", payload } as never);

    expect(checkConclusions()).toEqual(["action_required"]);
    expect(verifiedState(lastComment())).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(lastComment()).not.toMatch(NO_ACK);
  });

  it("two edits in a row: the second edit's 'before' is the forged body, so nothing in it counts", async () => {
    const { body, fingerprint } = await firstReview();
    const first = forgeAck(body, fingerprint);
    const second = tickBox(tickBox(first, fingerprint, 0), fingerprint, 1);

    // The second edit's webhook comes first (or the first never comes).
    mockHeldCheck(fingerprint);
    mockFullReview(second, [], []);
    await receiveEdit(first, second, AUTHOR);

    expect(checkConclusions()).toEqual(["action_required"]);
    const rebuilt = lastComment();
    expect(verifiedState(rebuilt)).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(rebuilt).not.toMatch(NO_ACK);
    expect(rebuilt).not.toContain("- [x]");

    // Then the first edit's webhook, late: its 'before' is genuine, its forged ack is not kept.
    app.github.endGraphql().requests.splice(0);
    mockHeldCheck(fingerprint);
    app.github.config(null);
    reviews(app.github, []);
    app.github.updateCheckRun().updateComment(STICKY_ID);
    await receiveEdit(body, first, AUTHOR);

    expect(checkConclusions()).toEqual(["action_required"]);
    expect(verifiedState(lastComment())).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(lastComment()).not.toMatch(NO_ACK);
  });

  it("two edits in a row that keep the block: the first edit's ticks are not credited to anyone", async () => {
    const { body, fingerprint } = await firstReview();
    // The author ticks both boxes (the block still verifies: ticking is allowed), then forges an ack.
    const first = tickBox(tickBox(body, fingerprint, 0), fingerprint, 1);
    const second = forgeAck(first, fingerprint);

    mockHeldCheck(fingerprint);
    app.github.config(null);
    reviews(app.github, []);
    app.github.updateCheckRun().updateComment(STICKY_ID);
    await receiveEdit(first, second, AUTHOR);

    expect(checkConclusions()).toEqual(["action_required"]);
    const restored = lastComment();
    expect(verifiedState(restored)).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(restored).not.toContain("- [x]");
    expect(restored).not.toMatch(NO_ACK);
  });
});

describe("genuine ticks next to the author's", () => {
  const REQUIRED = "gate:\n  checklist: required\n";

  it("a reviewer's tick made on top of the author's unrewritten tick is credited for the reviewer's box only", async () => {
    const { body, fingerprint } = await firstReview();
    const authorTicked = tickBox(body, fingerprint, 0);
    const reviewerTicked = tickBox(authorTicked, fingerprint, 1);

    mockHeldCheck(fingerprint);
    permission(app.github, "hubot", "write");
    app.github.config(REQUIRED);
    reviews(app.github, []);
    app.github.updateCheckRun().updateComment(STICKY_ID);
    await receiveEdit(authorTicked, reviewerTicked, "hubot");

    const written = lastComment();
    expect(verifiedState(written)?.ticks).toEqual({
      [`${fingerprint}/1`]: { by: "hubot", at: "2024-05-02T11:40:00Z" },
    });
    expect(written).toMatch(new RegExp(`- \\[ \\] [^\\n]*<!-- gitops-review-bot:check ${fingerprint}/0 -->`));
    expect(written).toMatch(
      new RegExp(`- \\[x\\] [^\\n]* \\(ticked by hubot\\) <!-- gitops-review-bot:check ${fingerprint}/1 -->`),
    );
    expect(written).toContain("1 checklist item needs a tick from someone other than @");
  });

  it("the author ticks first (undone), then a reviewer ticks the same box: the reviewer is credited", async () => {
    const { body, fingerprint } = await firstReview();

    mockHeldCheck(fingerprint);
    app.github.config(REQUIRED);
    reviews(app.github, []);
    app.github.updateCheckRun().updateComment(STICKY_ID);
    await receiveEdit(body, tickBox(body, fingerprint, 0), AUTHOR);
    const undone = lastComment();
    expect(undone).not.toContain("- [x]");

    app.github.requests.splice(0);
    mockHeldCheck(fingerprint);
    permission(app.github, "hubot", "write");
    app.github.config(REQUIRED);
    reviews(app.github, []);
    app.github.updateCheckRun().updateComment(STICKY_ID);
    await receiveEdit(undone, tickBox(undone, fingerprint, 0), "hubot");

    expect(verifiedState(lastComment())?.ticks).toEqual({
      [`${fingerprint}/0`]: { by: "hubot", at: "2024-05-02T11:40:00Z" },
    });
  });

  it("a tick whose webhook was lost is not credited: the next review shows the box unticked", async () => {
    const { body, fingerprint } = await firstReview();
    const lost: ExistingComment = ownComment(STICKY_ID, tickBox(body, fingerprint, 0));

    mockHeldCheck(fingerprint);
    app.github.comments([lost]).config(null);
    reviews(app.github, [{ user: "reader", state: "APPROVED" }]);
    permission(app.github, "reader", "read");
    app.github.updateCheckRun().updateComment(STICKY_ID);
    await app.probot.receive({
      id: "review",
      name: "pull_request_review",
      payload: reviewEvent("reader"),
    } as never);

    // The seal still verifies (ticking is allowed), the state has no tick, so the box is unticked.
    expect(verifiedState(lastComment())).toEqual({ version: 1, ticks: {}, acks: [] });
    expect(lastComment()).not.toContain("- [x]");
    expect(app.github.calls).not.toContain("POST /repos/Codertocat/Hello-World/check-runs");
  });
});

it("the first review seals the comment it creates; HEAD_SHA is in the text the seal covers", async () => {
  const { body } = await firstReview();
  expect(body).toContain(HEAD_SHA.slice(0, 7));
  expect(verifiedState(body.replace(HEAD_SHA.slice(0, 7), "0000000"))).toBeNull();
});
