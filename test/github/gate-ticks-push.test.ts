import { rules as catalogue } from "../../rules/index.js";
import { expect, it } from "@jest/globals";
import { reviewChangeSet } from "../../src/engine/review.js";
import { STICKY_MARKER } from "../../src/render/comment.js";
import { ownComment, pullRequestPayload, sealed, useMockedApp } from "../mocks/github.js";
import { BROKEN_YAML, contentsFor, fileEntries, localChangeSet } from "../mocks/pull-request-files.js";

const app = useMockedApp();

it("ticked items are kept after a new push while the finding stays; ticks of gone findings drop", async () => {
  const { changeSet, contextReader } = localChangeSet(BROKEN_YAML);
  const [finding] = (await reviewChangeSet(changeSet, { contextReader, rules: catalogue })).findings;
  const state = {
    version: 1 as const,
    ticks: {
      [`${finding.fingerprint}/1`]: { by: "hubot", at: "2024-05-02T10:00:00Z" },
      "00000000deadbeef/0": { by: "hubot", at: "2024-05-02T10:00:00Z" },
    },
    acks: [],
  };
  const previous = sealed(`${STICKY_MARKER}\n### 🟠 GitOps Review\n\nold review`, state);

  const payload = pullRequestPayload("synchronize");
  app.github
    .installationToken(payload.installation.id)
    .createCheckRun()
    .config(null)
    .compare(fileEntries(BROKEN_YAML.files))
    .graphql(contentsFor(BROKEN_YAML), "any")
    .prState({ comments: [ownComment(9001, previous)] })
    .updateComment()
    .addLabels()
    .updateCheckRun();
  await app.probot.receive({ id: "push", name: "pull_request", payload } as never);

  const body = app.github.bodiesOf("PATCH", "/issues/comments/9001")[0].body as string;
  expect(body).toMatch(
    new RegExp(
      `- \\[x\\] [^\\n]* \\(ticked by hubot\\) <!-- gitops-review-bot:check ${finding.fingerprint}/1 -->`,
    ),
  );
  expect(body).toContain("- [ ] ");
  expect(body).not.toContain("00000000deadbeef");
  // No review is on the new head: none can count, nobody is looked up; the verdict says what is missing.
  expect(app.github.calls.some((call) => /\/reviews|\/permission/.test(call))).toBe(false);
  expect(body).toContain("**Still missing:** needs 1 more approval from someone other than @");
});
