import { describe, expect, it } from "@jest/globals";
import { STICKY_MARKER } from "../../src/render/comment.js";
import { blobId } from "../../src/source/snapshot.js";
import {
  HEAD_SHA,
  MERGE_BASE_SHA,
  ownComment,
  pullRequestPayload,
  useMockedApp,
  type ExistingComment,
  type FileEntry,
  type GitHubMock,
  type PullRequestPayload,
} from "../mocks/github.js";
import { contentsFor, fileEntries, type PrFixture } from "../mocks/pull-request-files.js";

const HELMRELEASE = "apps/podinfo/helmrelease.yaml";

function podinfo(message: string): string {
  return [
    "apiVersion: helm.toolkit.fluxcd.io/v2",
    "kind: HelmRelease",
    "metadata:",
    "  name: podinfo",
    "  namespace: podinfo",
    "spec:",
    "  chart:",
    "    spec:",
    "      chart: podinfo",
    '      version: "6.5.0"',
    "      sourceRef:",
    "        kind: HelmRepository",
    "        name: podinfo",
    "  values:",
    "    ui:",
    `      message: ${message}`,
    "",
  ].join("\n");
}

const benign: PrFixture = {
  files: [{ path: HELMRELEASE, base: podinfo("hello"), head: podinfo("hello again") }],
  context: {},
};

const app = useMockedApp();

/** What every review starts with: the token, the check run, the (absent) config and the PR's files. */
function mockReviewStart(payload: PullRequestPayload, files: readonly FileEntry[]): GitHubMock {
  return app.github.installationToken(payload.installation.id).createCheckRun().config(null).compare(files);
}

/** A review of `benign` up to the comments it finds (`existing`). */
function mockBenignReview(payload: PullRequestPayload, existing: ExistingComment[] = []): GitHubMock {
  return app.github
    .installationToken(payload.installation.id)
    .createCheckRun()
    .config(null)
    .compare(fileEntries(benign.files), { contents: contentsFor(benign) })
    .graphql(contentsFor(benign))
    .prState({ comments: existing });
}

async function receive(payload: PullRequestPayload): Promise<void> {
  await app.probot.receive({ id: "1", name: "pull_request", payload } as never);
}

describe("nock setup", () => {
  it("blocks real network access", async () => {
    await expect(fetch("https://example.com/")).rejects.toThrow(
      /Disallowed net connect for "example.com:443\/"/,
    );
  });
});

describe("a benign values change", () => {
  it("completes success, comments in on-changes mode and adds no label", async () => {
    const payload = pullRequestPayload("opened");
    mockBenignReview(payload).createComment().updateCheckRun();

    await receive(payload);

    expect(app.github.calls).toEqual([
      `POST /app/installations/${payload.installation.id}/access_tokens`,
      "POST /repos/Codertocat/Hello-World/check-runs",
      "GET /repos/Codertocat/Hello-World/contents/.github/gitops-review.yml",
      // The changed files and the merge base in one request.
      `GET /repos/Codertocat/Hello-World/compare/${"b".repeat(40)}...${HEAD_SHA}`,
      "GET /repos/Codertocat/.github/contents/.github/gitops-review.yml",
      // Both sides of the file: the base by path, the head by the blob id the compare listed.
      "POST /graphql",
      // The head now, the labels and the sticky comment in one query.
      "POST /graphql",
      // The verdict before the comment.
      "PATCH /repos/Codertocat/Hello-World/check-runs/7001",
      "POST /repos/Codertocat/Hello-World/issues/1/comments",
    ]);
    expect(app.github.bodiesOf("POST", "/check-runs")).toEqual([
      { name: "GitOps Review", head_sha: HEAD_SHA, status: "in_progress" },
    ]);
    const graphql = app.github.bodiesOf("POST", "/graphql")[0] as { variables: Record<string, string> };
    expect(graphql.variables).toEqual({
      owner: "Codertocat",
      name: "Hello-World",
      o0: blobId(benign.files[0].head!),
      e1: `${MERGE_BASE_SHA}:${HELMRELEASE}`,
    });

    const [comment] = app.github.bodiesOf("POST", "/issues/1/comments");
    expect(comment.body).toContain(STICKY_MARKER);
    expect(comment.body).toContain("podinfo");
    expect(comment.body).toMatch(
      /- ui\.message: hello +# apps\/podinfo\/helmrelease\.yaml:16\n\+ ui\.message: hello again/,
    );
    expect(comment.body).toContain("ui.message");
    expect(comment.body).toContain(`Reviewed \`${HEAD_SHA.slice(0, 7)}\``);

    const [completed] = app.github.bodiesOf("PATCH", "/check-runs/7001");
    expect(completed).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: expect.stringMatching(/No risks found|below the gate/) },
    });
    // Completed before the comment exists: no link to a comment that may never be written.
    expect((completed.output as { summary: string }).summary).not.toContain("issuecomment");
  });
});

describe("someone else's comment with the bot's marker", () => {
  it("is left alone: the review posts its own comment instead of editing theirs", async () => {
    const payload = pullRequestPayload("synchronize");
    const pasted: ExistingComment = {
      id: 555,
      body: `${STICKY_MARKER}\nmy notes on this PR, please keep`,
      user: { login: "mallory", type: "User" },
      performed_via_github_app: null,
    };
    mockBenignReview(payload, [pasted]).createComment().updateCheckRun();

    await receive(payload);

    expect(app.github.calls).toContain("POST /repos/Codertocat/Hello-World/issues/1/comments");
    expect(
      app.github.calls.filter((call) =>
        call.startsWith("PATCH /repos/Codertocat/Hello-World/issues/comments"),
      ),
    ).toEqual([]);
  });
});

describe("a pull request without files in scope", () => {
  it("completes neutral without reading contents or commenting", async () => {
    const payload = pullRequestPayload("opened");
    mockReviewStart(payload, [
      { filename: "README.md", status: "modified" },
      { filename: "src/main.go", status: "added" },
    ])
      .prState()
      .updateCheckRun();

    await receive(payload);

    // No content is read: the one GraphQL query is the pull request's state.
    expect(app.github.calls.filter((call) => call === "POST /graphql")).toHaveLength(1);
    expect(JSON.stringify(app.github.bodiesOf("POST", "/graphql"))).not.toContain("object(");
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")).toEqual([
      {
        status: "completed",
        conclusion: "neutral",
        output: expect.objectContaining({ title: "No GitOps files changed" }),
      },
    ]);
  });

  it("updates an earlier comment to say the findings no longer apply", async () => {
    const payload = pullRequestPayload("synchronize");
    mockReviewStart(payload, [{ filename: "README.md", status: "modified" }])
      .prState({ comments: [ownComment(9001, `${STICKY_MARKER}\nold findings`)] })
      .updateComment(9001)
      .updateCheckRun();

    await receive(payload);

    const [update] = app.github.bodiesOf("PATCH", "/issues/comments/9001");
    expect(update.body).toContain("changes no file the review reads");
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({ conclusion: "neutral" });
  });
});
