/**
 * Chat-ops end to end: a real `issue_comment.created` example (with `issue.pull_request` added) goes
 * through Probot, every GitHub request is mocked with nock and recorded, and the replies, the
 * sticky comment and the check run are asserted on their exact bodies.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "@jest/globals";
import { HELP_TEXT, REPLY_MARKER } from "../../src/chatops/replies.js";
import { STICKY_MARKER, VERDICT_MARKER } from "../../src/render/comment.js";
import {
  API,
  BASE_SHA,
  examplePayload,
  HEAD_SHA,
  OWNER,
  ownComment,
  pullRequestPayload,
  REPO,
  REPO_URL,
  sealed,
  verifiedState,
  type ExistingComment,
  useMockedApp,
  type Payload,
} from "../mocks/github.js";
import { contentsFor, fileEntries, type PrFixture } from "../mocks/pull-request-files.js";
import { AUTHOR, permission, pullRequestNow, reaction } from "./gate-helpers.js";

const app = useMockedApp(() => {
  tokenCached = false;
  repoConfig = null;
});

/** `.github/gitops-review.yml` as the reviews read it; none unless a test sets one. */
let repoConfig: string | null = null;

const ZWSP = "\u200B";
const PR_PATH = `/repos/${OWNER}/${REPO}`;
const COMMENT_ID = 555;
const STICKY_ID = 9001;
const REPLY_ID = 9100;

function deployment(name: string, replicas: number, image: string): string {
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: ${name}`,
    "  namespace: prod",
    "spec:",
    `  replicas: ${replicas}`,
    "  selector:",
    "    matchLabels:",
    `      app: ${name}`,
    "  template:",
    "    metadata:",
    "      labels:",
    `        app: ${name}`,
    "    spec:",
    "      containers:",
    `        - name: ${name}`,
    `          image: ${image}`,
    "",
  ].join("\n");
}

const WEB = "clusters/prod/apps/web.yaml";
const API_FILE = "clusters/prod/apps/api.yaml";

/**
 * Two findings: `web` scaled to zero (high: the only one that reaches the gate) and `api` on a
 * mutable tag (medium: listed, never gating).
 */
const fixture: PrFixture = {
  files: [
    {
      path: WEB,
      base: deployment("web", 3, "ghcr.io/acme/web:1.4.2"),
      head: deployment("web", 0, "ghcr.io/acme/web:1.4.2"),
    },
    {
      path: API_FILE,
      base: deployment("api", 2, "ghcr.io/acme/api:2.0.0"),
      head: deployment("api", 2, "ghcr.io/acme/api:latest"),
    },
  ],
  context: {},
};

const HELD_TITLE = "1 high, 1 medium: second reviewer required";
const WEB_LINK = `${REPO_URL}/blob/${HEAD_SHA}/clusters/prod/apps/web.yaml#L7`;
const API_LINK = `${REPO_URL}/blob/${HEAD_SHA}/clusters/prod/apps/api.yaml#L18`;

// ---------------------------------------------------------------------------------------------
// Mocks

/** Everything one full review of the fixture reads (config, files, merge base, contents, the PR's state). */
function mockFullReview(comments: readonly ExistingComment[], labels: string[]): void {
  app.github.createCheckRun();
  mockFixtureReads();
  app.github.prState({ labels, comments, author: AUTHOR });
}

/** What `/explain` reads: the review of the head (no check run) and the sticky comment. */
function mockExplain(comments: readonly ExistingComment[]): void {
  mockFixtureReads();
  app.github.comments(comments);
}

/** The config (absent), the PR's files, the merge base and the fixture's contents. */
function mockFixtureReads(): void {
  app.github.config(repoConfig).compare(fileEntries(fixture.files)).graphql(contentsFor(fixture), "any");
}

/**
 * The token, the eyes reaction and the PR lookup every command starts with. Probot keeps the
 * installation token of an earlier event (`openPullRequest`): then no new one is asked for.
 */
let tokenCached = false;

function mockReceipt(): void {
  if (!tokenCached) app.github.installationToken(1);
  reaction(app.github, COMMENT_ID);
  pullRequestNow(app.github);
}

/** A real issue_comment.created example, on PR #1 (examples lack `issue.pull_request`: added). */
function commentPayload(body: string, user = "hubot"): Payload {
  const payload = examplePayload<Payload>("issue_comment", "created");
  payload.issue.number = 1;
  payload.issue.user.login = AUTHOR;
  payload.issue.pull_request = { url: `${API}${PR_PATH}/pulls/1` };
  Object.assign(payload.comment, {
    id: COMMENT_ID,
    body,
    created_at: "2024-05-02T12:00:00Z",
    performed_via_github_app: null,
  });
  payload.comment.user = { ...payload.comment.user, login: user, type: "User" };
  payload.sender = { ...payload.sender, login: user, type: "User" };
  return payload;
}

async function comment(body: string, user = "hubot"): Promise<void> {
  await app.probot.receive({
    id: "command",
    name: "issue_comment",
    payload: commentPayload(body, user),
  } as never);
}

/** The first review, on `pull_request.opened`: its comment is the sticky comment the commands find. */
async function openPullRequest(title = HELD_TITLE): Promise<string> {
  const payload = pullRequestPayload("opened", { changedFiles: fixture.files.length });
  app.github.installationToken(payload.installation.id);
  mockFullReview([], []);
  app.github.createComment(STICKY_ID).addLabels().updateCheckRun();
  await app.probot.receive({ id: "opened", name: "pull_request", payload } as never);
  app.github.endGraphql();

  const [check] = app.github.bodiesOf("PATCH", "/check-runs/7001");
  expect(check).toMatchObject({
    status: "completed",
    conclusion: "action_required",
    output: { title },
  });
  const [created] = app.github.bodiesOf("POST", "/issues/1/comments");
  app.github.requests.splice(0);
  tokenCached = true;
  return created.body as string;
}

/** The one reply posted to the PR. */
function theReply(): string {
  const replies = app.github.requests.filter(
    (request) => request.method === "POST" && request.path === `${PR_PATH}/issues/1/comments`,
  );
  expect(replies).toHaveLength(1);
  return (replies[0].body as { body: string }).body;
}

/** The receipt's requests come first: a new token unless Probot has one, the eyes, the PR. */
function expectReceiptRequests(): void {
  const token = tokenCached ? [] : [{ method: "POST", path: "/app/installations/1/access_tokens" }];
  expect(app.github.requests.slice(0, token.length + 2)).toMatchObject([
    ...token,
    {
      method: "POST",
      path: `${PR_PATH}/issues/comments/${COMMENT_ID}/reactions`,
      body: { content: "eyes" },
    },
    { method: "GET", path: `${PR_PATH}/pulls/1` },
  ]);
}

/** The receipt (with a new token), then one reply with exactly `body`, and nothing else. */
function expectOnlyReply(body: string): void {
  expectReceiptRequests();
  expect(app.github.calls).toHaveLength(4);
  expect(app.github.requests[3]).toMatchObject({
    method: "POST",
    path: `${PR_PATH}/issues/1/comments`,
    body: { body },
  });
}

// ---------------------------------------------------------------------------------------------

it("the network is closed: an unmocked GitHub request fails as disallowed", async () => {
  const octokit = await app.probot.auth();
  await expect(octokit.request("GET /app")).rejects.toThrow(
    /Disallowed net connect for "api\.github\.com:443\/app"/,
  );
});

describe("/ack <rule-id> <reason>", () => {
  const REASON = "web moves to the new cluster in #42, traffic already drained";

  it("by a write-access reviewer: eyes, recorded with who and why, stops gating, and a reply", async () => {
    const sticky = await openPullRequest();
    expect(sticky).toContain(`- [ ] Is stopping this workload`);
    expect(sticky).not.toContain("Acknowledged");

    mockReceipt();
    permission(app.github, "hubot", "write");
    mockFullReview([ownComment(STICKY_ID, sticky)], ["gitops-risk:high"]);
    app.github.updateComment(STICKY_ID).updateCheckRun();
    app.github.createComment(REPLY_ID);
    await comment(`Checked with the team.\n/ack replicas-scaled-to-zero ${REASON}`);

    expectReceiptRequests();
    expect(app.github.calls.slice(2)).toEqual(
      expect.arrayContaining([
        `GET ${PR_PATH}/collaborators/hubot/permission`,
        `POST ${PR_PATH}/check-runs`,
        `PATCH ${PR_PATH}/issues/comments/${STICKY_ID}`,
        `PATCH ${PR_PATH}/check-runs/7001`,
      ]),
    );
    // Nothing gates any more: the reviews are not even fetched; the labels stay as they are.
    expect(app.github.calls.some((call) => call.endsWith("/reviews"))).toBe(false);
    expect(app.github.calls.some((call) => call.includes("/labels"))).toBe(false);
    // The reply comes last, after the review it triggered has published.
    expect(app.github.calls.at(-1)).toBe(`POST ${PR_PATH}/issues/1/comments`);

    // The check goes from action_required to success.
    const [check] = app.github.bodiesOf("PATCH", "/check-runs/7001");
    expect(check).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "1 high, 1 medium: gating finding acknowledged" },
    });
    expect((check.output as { summary: string }).summary.split("\n")[0]).toBe(
      "**The finding that reaches the gate is acknowledged:** see who acknowledged it and why below.",
    );

    // The finding stays listed, with who acknowledged it and why; the state block keeps it.
    const [update] = app.github.bodiesOf("PATCH", `/issues/comments/${STICKY_ID}`);
    const body = update.body as string;
    expect(body.startsWith(STICKY_MARKER)).toBe(true);
    expect(body).toContain("Replicas scaled to zero or removed");
    expect(body).toContain(`- [ ] Is stopping this workload`);
    expect(body).toContain(
      `✋ **Acknowledged** by @${ZWSP}hubot: web moves to the new cluster in \\#${ZWSP}42, traffic already drained`,
    );
    expect(body).toContain(
      "**The finding that reaches the gate is acknowledged:** see who acknowledged it and why below. " +
        VERDICT_MARKER,
    );
    expect(verifiedState(body)).toEqual({
      version: 1,
      ticks: {},
      acks: [
        {
          ruleId: "replicas-scaled-to-zero",
          fingerprints: [expect.stringMatching(/^[0-9a-f]{16}$/)],
          by: "hubot",
          reason: REASON,
          at: "2024-05-02T12:00:00Z",
        },
      ],
    });

    expect(theReply()).toBe(
      `✋ Acknowledged \`replicas-scaled-to-zero\` (1 finding) for @${ZWSP}hubot: ` +
        `web moves to the new cluster in \\#${ZWSP}42, traffic already drained\n\n` +
        "It no longer holds the GitOps Review check; it stays listed in the review with who acknowledged it and why. " +
        "A new instance of the rule after a later push needs its own `/ack`.\n\n" +
        REPLY_MARKER,
    );
  });

  it("acking a finding below the gate records it but the check stays held", async () => {
    const sticky = await openPullRequest();

    mockReceipt();
    permission(app.github, "mona", "maintain");
    mockFullReview([ownComment(STICKY_ID, sticky)], ["gitops-risk:high"]);
    app.github.updateComment(STICKY_ID).updateCheckRun().createComment(REPLY_ID);
    await comment("/ack mutable-image-tag pinned by digest in the next PR", "mona");

    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({
      conclusion: "action_required",
      output: { title: HELD_TITLE },
    });
    const body = app.github.bodiesOf("PATCH", `/issues/comments/${STICKY_ID}`)[0].body as string;
    expect(body).toContain(`✋ **Acknowledged** by @${ZWSP}mona: pinned by digest in the next PR`);
    expect(theReply()).toContain("It is recorded (it was not holding the check)");
  });

  it("without a reason: refused with the help, nothing reviewed, nothing written", async () => {
    mockReceipt();
    app.github.createComment(REPLY_ID);
    await comment("/ack replicas-scaled-to-zero");

    expectOnlyReply(
      "An ack needs a rule id and a reason, so the next reader knows why the risk was accepted: " +
        "`/ack <rule-id> <reason>`. For example " +
        "`/ack replicas-scaled-to-zero the old volume is empty, checked with kubectl`.\n\n" +
        `Nothing was acknowledged.\n\n${HELP_TEXT}\n\n${REPLY_MARKER}`,
    );
  });

  it("with an invalid configuration: the check reports it and the reply says nothing was acknowledged", async () => {
    mockReceipt();
    permission(app.github, "hubot", "write");
    app.github
      .createCheckRun()
      .config("gate:\n  severity: extreme\n")
      .compare(fileEntries(fixture.files))
      .updateCheckRun()
      .createComment(REPLY_ID);
    await comment(`/ack replicas-scaled-to-zero ${REASON}`);

    const [check] = app.github.bodiesOf("PATCH", "/check-runs/7001");
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    const reply = theReply();
    expect(reply).toContain("The review configuration is invalid, so nothing was acknowledged:");
    expect(reply).toContain("`gate.severity: expected one of info, low, medium, high, critical`");
    expect(reply.endsWith(REPLY_MARKER)).toBe(true);
  });

  it("with neither rule nor reason: refused with the help", async () => {
    mockReceipt();
    app.github.createComment(REPLY_ID);
    await comment("/ack");
    expect(theReply()).toBe(
      "An ack needs a rule id and a reason, so the next reader knows why the risk was accepted: " +
        `\`/ack <rule-id> <reason>\`.\n\nNothing was acknowledged.\n\n${HELP_TEXT}\n\n${REPLY_MARKER}`,
    );
  });
});

describe("/explain", () => {
  it("lists every finding with links to its lines and the acks recorded", async () => {
    const sticky = await openPullRequest();
    const fingerprint = /<!-- gitops-review-bot:check ([0-9a-f]{16})\/0 -->/.exec(sticky)![1];
    const acked = sealed(sticky, {
      version: 1,
      ticks: {},
      acks: [
        {
          ruleId: "replicas-scaled-to-zero",
          fingerprints: [fingerprint],
          by: "mona",
          reason: "drained",
          at: "2024-05-02T11:00:00Z",
        },
      ],
    });
    mockReceipt();
    mockExplain([ownComment(STICKY_ID, acked)]);
    app.github.createComment(REPLY_ID);
    await comment("/explain");

    expectReceiptRequests();
    // Read only: no check run, no comment edited; and no content read again: the blobs the
    // opening review read are in the process's cache.
    expect(app.github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual(
      [`POST ${PR_PATH}/issues/comments/${COMMENT_ID}/reactions`, `POST ${PR_PATH}/issues/1/comments`],
    );
    const reply = theReply();
    expect(
      reply.startsWith(
        "**2 findings**, highest severity first:\n\n1. 🟠 **Replicas scaled to zero or removed** (high)",
      ),
    ).toBe(true);
    expect(reply).toContain(`[\`clusters/prod/apps/web.yaml:7\`](${WEB_LINK}) · \`replicas-scaled-to-zero\``);
    expect(reply).toContain(`[\`clusters/prod/apps/api.yaml:18\`](${API_LINK}) · \`mutable-image-tag\``);
    expect(reply).toContain("Deployment/prod/web: spec.replicas 3 -&gt; 0: every pod is stopped");
    expect(reply).toContain("**Fix:** Keep an explicit replica count");
    expect(reply).toContain(
      `   ✋ **Acknowledged** by @${ZWSP}mona: drained\n2. 🟡 **Mutable image tag** (medium)`,
    );
    expect(reply.indexOf("replicas-scaled-to-zero")).toBeLessThan(reply.indexOf("mutable-image-tag"));
    expect(
      reply.endsWith(
        "Reply `/explain <rule-id>` for the full lesson on one rule, `/explain <path>` for one file.\n\n" +
          REPLY_MARKER,
      ),
    ).toBe(true);
  });

  it("reads acks only from this App's comment (by App id), never from another App quoting the marker", async () => {
    const sticky = await openPullRequest();
    const fingerprint = /<!-- gitops-review-bot:check ([0-9a-f]{16})\/0 -->/.exec(sticky)![1];
    const ack = (by: string, reason: string) => ({
      version: 1 as const,
      ticks: {},
      acks: [
        {
          ruleId: "replicas-scaled-to-zero",
          fingerprints: [fingerprint],
          by,
          reason,
          at: "2024-05-02T11:00:00Z",
        },
      ],
    });
    // Another App (listed first) copied the comment with a forged ack; ours carries the real one.
    const forged: ExistingComment = {
      id: 8001,
      body: sealed(sticky, ack("mallory", "forged")),
      user: { login: "other-app[bot]", type: "Bot" },
      performed_via_github_app: { id: 7, slug: "other-app" },
    };
    mockReceipt();
    mockExplain([forged, ownComment(STICKY_ID, sealed(sticky, ack("mona", "drained")))]);
    app.github.createComment(REPLY_ID);
    await comment("/explain");

    // The App id comes from the App JWT: no request for it (no `GET /app`). The review and the
    // comment listing run side by side, so their order is not fixed.
    expectReceiptRequests();
    expect(app.github.calls.filter((call) => call !== "POST /graphql").sort()).toEqual(
      [
        `POST ${PR_PATH}/issues/comments/${COMMENT_ID}/reactions`,
        `GET ${PR_PATH}/pulls/1`,
        `GET ${PR_PATH}/contents/.github/gitops-review.yml`,
        `GET ${PR_PATH}/issues/1/comments`,
        `GET /repos/${OWNER}/.github/contents/.github/gitops-review.yml`,
        `GET ${PR_PATH}/compare/${BASE_SHA}...${HEAD_SHA}`,
        `POST ${PR_PATH}/issues/1/comments`,
      ].sort(),
    );
    const reply = theReply();
    expect(reply).toContain(`✋ **Acknowledged** by @${ZWSP}mona: drained`);
    expect(reply).not.toContain("mallory");
    expect(reply).not.toContain("forged");
  });

  it("shows no ack from a state block someone edited in this App's own comment", async () => {
    const sticky = await openPullRequest();
    const fingerprint = /<!-- gitops-review-bot:check ([0-9a-f]{16})\/0 -->/.exec(sticky)![1];
    const block = /<!-- gitops-review-bot:gate (.*) -->$/;
    const json = JSON.parse(block.exec(sticky)![1]) as { acks: unknown[] };
    json.acks.push({
      ruleId: "replicas-scaled-to-zero",
      fingerprints: [fingerprint],
      by: "mona",
      reason: "forged by the author",
      at: "2024-05-02T11:00:00Z",
    });
    const edited = sticky.replace(block, `<!-- gitops-review-bot:gate ${JSON.stringify(json)} -->`);
    mockReceipt();
    mockExplain([ownComment(STICKY_ID, edited)]);
    app.github.createComment(REPLY_ID);
    await comment("/explain");

    expect(theReply()).toContain("Replicas scaled to zero or removed");
    expect(theReply()).not.toContain("Acknowledged");
    expect(theReply()).not.toContain("forged by the author");
  });

  it("<rule-id>: the rule's explain text plus this PR's instances of it", async () => {
    mockReceipt();
    mockExplain([]);
    app.github.createComment(REPLY_ID);
    await comment("/explain replicas-scaled-to-zero");

    const reply = theReply();
    expect(
      reply.startsWith(
        "### Replicas scaled to zero or removed · `replicas-scaled-to-zero` (high by default)\n\n",
      ),
    ).toBe(true);
    // The lesson from rules/<id>/explain.md, its first paragraph verbatim.
    const explain = await readFile(
      new URL("../../rules/replicas-scaled-to-zero/explain.md", import.meta.url),
      "utf8",
    );
    const firstParagraph = explain
      .trim()
      .split(/\n\n/)
      .find((block) => !block.startsWith("#"));
    expect(firstParagraph).toBeDefined();
    expect(reply).toContain(firstParagraph!);
    // This PR's instance (web), not the other rule's finding (api).
    const here = reply.slice(reply.indexOf("#### In this pull request"));
    expect(here).toContain(
      `1. 🟠 **Replicas scaled to zero or removed** (high) · [\`clusters/prod/apps/web.yaml:7\`](${WEB_LINK})`,
    );
    expect(reply).not.toContain("api.yaml");
    expect(reply).toContain("#### What a second reviewer checks\n\n- Is stopping this workload");
  });

  it("<path>: that file's findings and its diff", async () => {
    mockReceipt();
    mockExplain([]);
    app.github.createComment(REPLY_ID);
    await comment(`/explain ./${WEB}`);

    const reply = theReply();
    expect(reply.startsWith(`### \`${WEB}\`\n\n1. 🟠 **Replicas scaled to zero or removed** (high)`)).toBe(
      true,
    );
    expect(reply).toContain(`(${WEB_LINK})`);
    expect(reply).not.toContain("mutable-image-tag");
    expect(reply).toContain("#### What changes");
    expect(reply).toContain(
      "<details><summary><code>Deployment/prod/web</code>: changed, 1 change</summary>\n\n" +
        "```diff\n- spec.replicas: 3  # clusters/prod/apps/web.yaml:7\n" +
        "+ spec.replicas: 0  # clusters/prod/apps/web.yaml:7\n```",
    );
    expect(reply).not.toContain("ghcr.io/acme/api");
  });
});

describe("custom rules in chat-ops", () => {
  const CUSTOM = `customRules:
  - id: stopped-in-prod
    title: Workload stopped in production
    severity: high
    match: { kinds: [Deployment], paths: ["clusters/prod/**"] }
    expression: "has(object.spec.replicas) && object.spec.replicas == 0"
    message: "{{subject}} is stopped"
    checklist: ["Is the on-call team aware that it stops?"]
`;

  it("/ack custom/<id> acknowledges the custom rule's finding", async () => {
    repoConfig = CUSTOM;
    const sticky = await openPullRequest("2 high, 1 medium: second reviewer required");
    expect(sticky).toContain("Workload stopped in production");

    mockReceipt();
    permission(app.github, "hubot", "write");
    mockFullReview([ownComment(STICKY_ID, sticky)], ["gitops-risk:high"]);
    // replicas-scaled-to-zero still gates: the approvals come with the pull request's state.
    app.github.updateComment(STICKY_ID).updateCheckRun().createComment(REPLY_ID);
    await comment("/ack custom/stopped-in-prod the web team stops it for the migration in #42");

    expect(theReply()).toMatch(/^✋ Acknowledged `custom\/stopped-in-prod` \(1 finding\) for @/);
    const [update] = app.github.bodiesOf("PATCH", `/issues/comments/${STICKY_ID}`);
    expect(verifiedState(update.body as string)?.acks).toEqual([
      expect.objectContaining({ ruleId: "custom/stopped-in-prod", by: "hubot" }),
    ]);
  });

  it("/explain custom/<id> explains the rule from the configuration, with this PR's instance", async () => {
    repoConfig = CUSTOM;
    mockReceipt();
    mockExplain([]);
    app.github.createComment(REPLY_ID);
    await comment("/explain custom/stopped-in-prod");

    const reply = theReply();
    expect(
      reply.startsWith("### Workload stopped in production · `custom/stopped-in-prod` (high by default)\n\n"),
    ).toBe(true);
    expect(reply).toContain("Deployment/prod/web is stopped");
    expect(reply).toContain("true when: has(object.spec.replicas) &amp;&amp; object.spec.replicas == 0");
    expect(reply).toContain("#### What a second reviewer checks");
  });

  it("/explain custom/<id> for a rule the configuration does not have lists the ids it has", async () => {
    repoConfig = CUSTOM;
    mockReceipt();
    mockExplain([]);
    app.github.createComment(REPLY_ID);
    await comment("/explain custom/stoped-in-prod");

    expect(theReply()).toContain("`custom/stopped-in-prod`");
  });
});

describe("/recheck, /help and unknown commands", () => {
  it("/recheck reviews the current head again and says what it found", async () => {
    mockReceipt();
    // The reviews come with the pull request's state: none is on this head.
    mockFullReview([], []);
    app.github.createComment(STICKY_ID).addLabels().updateCheckRun();
    app.github.createComment(REPLY_ID);
    await comment("/recheck");

    expectReceiptRequests();
    expect(app.github.requests[3]).toMatchObject({
      method: "POST",
      path: `${PR_PATH}/check-runs`,
      body: { name: "GitOps Review", head_sha: HEAD_SHA, status: "in_progress" },
    });
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({
      status: "completed",
      conclusion: "action_required",
      output: { title: HELD_TITLE },
    });
    const posted = app.github.bodiesOf("POST", "/issues/1/comments");
    expect(posted).toHaveLength(2);
    expect(posted[0].body).toEqual(expect.stringContaining(STICKY_MARKER));
    expect(posted[1]).toEqual({
      body: `Reviewed \`${HEAD_SHA.slice(0, 7)}\` again: \`${HELD_TITLE}\`.\n\n${REPLY_MARKER}`,
    });
  });

  it("/recheck and /explain from someone outside the project are refused without a review", async () => {
    mockReceipt();
    app.github.createComment(REPLY_ID);
    const payload = commentPayload("/recheck\n/explain", "drive-by");
    payload.comment.author_association = "NONE";
    await app.probot.receive({ id: "command", name: "issue_comment", payload } as never);

    expectReceiptRequests();
    // Token (unless cached), eyes, PR lookup, the reply: no check run, no file read.
    expect(app.github.calls.filter((call) => call.includes("check-runs") || call.includes("/files"))).toEqual(
      [],
    );
    const refusal =
      "Sorry @\u200Bdrive-by, only the pull request's author and the repository's members and collaborators " +
      "can ask for a review (`/recheck`, `/explain`). The findings are in the bot's comment and the GitOps Review check.";
    expect(theReply()).toBe(`${refusal}\n\n---\n\n${refusal}\n\n${REPLY_MARKER}`);
  });

  it("/help answers with the commands", async () => {
    mockReceipt();
    app.github.createComment(REPLY_ID);
    await comment("/help");
    expect(app.github.requests.at(-1)).toMatchObject({
      method: "POST",
      path: `${PR_PATH}/issues/1/comments`,
      body: {
        body: `The commands I answer in pull request comments:\n\n${HELP_TEXT}\n\n${REPLY_MARKER}`,
      },
    });
  });

  it("an unknown /foo gets the help", async () => {
    mockReceipt();
    app.github.createComment(REPLY_ID);
    await comment("/foo bar");
    expectOnlyReply(`\`/foo\` is not a command I know. These are:\n\n${HELP_TEXT}\n\n${REPLY_MARKER}`);
  });
});
