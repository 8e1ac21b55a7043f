/**
 * Several commands in one comment get one reply: it must stay within GitHub's 65,536-character
 * body limit (a longer body is refused with a 422 and nobody gets an answer).
 */
import { expect, it } from "@jest/globals";
import { HELP_TEXT, REPLY_MARKER } from "../../src/chatops/replies.js";
import { joinAnswers } from "../../src/chatops/reply-fit.js";
import { GITHUB_BODY_LIMIT } from "../../src/render/comment.js";
import { examplePayload, HEAD_SHA, useMockedApp, type Payload } from "../mocks/github.js";
import { contentsFor, fileEntries, type PrFixture } from "../mocks/pull-request-files.js";
import { AUTHOR, reaction } from "./gate-helpers.js";

const app = useMockedApp();
const PR = "/repos/Codertocat/Hello-World";
const FILE = "clusters/prod/apps/fleet.yaml";

function deployments(count: number, replicas: number): string {
  return Array.from({ length: count }, (_, i) =>
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      `  name: worker-${i}`,
      "  namespace: prod",
      "spec:",
      `  replicas: ${replicas}`,
      "  selector:",
      "    matchLabels:",
      `      app: worker-${i}`,
      "  template:",
      "    metadata:",
      "      labels:",
      `        app: worker-${i}`,
      "    spec:",
      "      containers:",
      `        - name: worker`,
      `          image: ghcr.io/acme/worker:1.0.${i}`,
      "",
    ].join("\n"),
  ).join("---\n");
}

/** 150 Deployments scaled to zero: `/explain` alone fills a comment. */
const fleet: PrFixture = {
  files: [{ path: FILE, base: deployments(150, 3), head: deployments(150, 0) }],
  context: {},
};

it("/help and /explain of a huge PR: one reply within the limit, the cut said and closed", async () => {
  const payload = examplePayload<Payload>("issue_comment", "created");
  payload.issue.number = 1;
  payload.issue.user.login = AUTHOR;
  payload.issue.pull_request = { url: `https://api.github.com${PR}/pulls/1` };
  Object.assign(payload.comment, { id: 555, body: "/help\n/explain", performed_via_github_app: null });
  payload.comment.user = { ...payload.comment.user, login: "hubot", type: "User" };
  payload.sender = { ...payload.sender, login: "hubot", type: "User" };

  app.github.installationToken(payload.installation.id);
  reaction(app.github, 555);
  app.github
    .pullRequest()
    .config(null)
    .compare(fileEntries(fleet.files))
    .graphql(contentsFor(fleet), "any")
    .comments([])
    .createComment(9100);
  await app.probot.receive({ id: "c", name: "issue_comment", payload } as never);

  expect(app.github.calls.filter((call) => call !== "POST /graphql").sort()).toEqual(
    [
      `POST /app/installations/${payload.installation.id}/access_tokens`,
      `POST ${PR}/issues/comments/555/reactions`,
      `GET ${PR}/pulls/1`,
      `GET ${PR}/contents/.github/gitops-review.yml`,
      "GET /repos/Codertocat/.github/contents/.github/gitops-review.yml",
      `GET ${PR}/compare/${"b".repeat(40)}...${HEAD_SHA}`,
      `GET ${PR}/issues/1/comments`,
      `POST ${PR}/issues/1/comments`,
    ].sort(),
  );
  const replies = app.github.bodiesOf("POST", `${PR}/issues/1/comments`);
  expect(replies).toHaveLength(1);
  const body = replies[0].body as string;
  expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
  // The whole /help, then as much of /explain as fits, whole lines only.
  expect(body.startsWith(`The commands I answer in pull request comments:\n\n${HELP_TEXT}\n\n---\n\n`)).toBe(
    true,
  );
  expect(body).toContain("**150 findings**, highest severity first:\n\n1. 🟠 **Replicas scaled to zero");
  expect(body).toMatch(
    /\n\n_\(The rest of this reply was cut to fit GitHub's comment limit\.\)_\n\n<!-- gitops-review-bot:reply -->$/,
  );
  expect(body.endsWith(REPLY_MARKER)).toBe(true);
  expect(body.split(REPLY_MARKER)).toHaveLength(2);
  // Nothing left open by the cut: fences and <details> are balanced.
  expect((body.match(/^ {0,3}```/gm) ?? []).length % 2).toBe(0);
  expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
});

it("joinAnswers: a cut inside a diff closes its fence and <details>, and counts the answers left out", () => {
  const diff = [
    "### `web.yaml`",
    "",
    "<details><summary><code>Deployment/prod/web</code>: changed</summary>",
    "",
    "````diff",
    ...Array.from({ length: 40 }, (_, i) => `- key${i}: 🟠 old value ${i}`),
    "````",
    "",
    "</details>",
  ].join("\n");
  const body = joinAnswers([`short answer\n\n${REPLY_MARKER}`, diff, "third", "fourth"], 800);
  expect(body.length).toBeLessThanOrEqual(800);
  expect(body.startsWith("short answer\n\n---\n\n### `web.yaml`\n")).toBe(true);
  expect(body).toMatch(
    /\n- key\d+: 🟠 old value \d+\n````\n\n<\/details>\n\n_\(The rest of this reply was cut to fit GitHub's comment limit; 2 more answers were left out\.\)_\n\n<!-- gitops-review-bot:reply -->$/,
  );
  // Under the limit: unchanged, one marker at the end.
  expect(joinAnswers([`a\n\n${REPLY_MARKER}`, `b\n\n${REPLY_MARKER}`])).toBe(
    `a\n\n---\n\nb\n\n${REPLY_MARKER}`,
  );
});
