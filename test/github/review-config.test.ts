/**
 * A pull request that changes the review's own configuration: judged by the default branch's
 * configuration (never its own), with the change compared side by side, `_extends` followed.
 */
import { describe, expect, it } from "@jest/globals";
import { HEAD_SHA, MERGE_BASE_SHA, pullRequestPayload, useMockedApp } from "../mocks/github.js";
import { contentsFor, fileEntries, type PrFixture } from "../mocks/pull-request-files.js";

const app = useMockedApp();
const POLICY = ".github/gitops-review.yml";

/** The policy in force on the default branch: it ignores the whole `.github` folder. */
const IN_FORCE =
  'ignore:\n  - ".github/**"\n  - "docs/**"\ngate:\n  approvals:\n    high: 1\n    critical: 2\n';

function policyChange(head: string): PrFixture {
  return { files: [{ path: POLICY, base: IN_FORCE, head }], context: {} };
}

/** One `opened` review of a PR changing only the policy; `extra` mocks what its `_extends` reads. */
async function review(fixture: PrFixture, extra: () => void = () => undefined) {
  const payload = pullRequestPayload("opened");
  app.github
    .installationToken(payload.installation.id)
    .createCheckRun()
    .config(IN_FORCE)
    .listFiles(fileEntries(fixture.files))
    .compare()
    .graphql(contentsFor(fixture), "any")
    .configAt(MERGE_BASE_SHA, fixture.files[0].base)
    .configAt(HEAD_SHA, fixture.files[0].head);
  extra();
  app.github.pullRequest().comments([]);
  await app.probot.receive({ id: "opened", name: "pull_request", payload } as never);
  const [check] = app.github.bodiesOf("PATCH", "/check-runs/7001") as {
    conclusion: string;
    output: { title: string; text: string };
  }[];
  const comment = app.github.bodiesOf("POST", "/issues/1/comments")[0]?.body as string | undefined;
  return { check, comment: comment ?? "" };
}

describe("a pull request that changes .github/gitops-review.yml", () => {
  it("weakening it (approvals 0, ignore everything) is high and gates, although the policy in force ignores .github/**", async () => {
    app.github.createComment().createLabel().addLabels().updateCheckRun();
    const { check, comment } = await review(
      policyChange('ignore: ["**"]\ngate:\n  approvals:\n    high: 0\n'),
    );

    expect(check).toMatchObject({
      conclusion: "action_required",
      output: { title: "2 high: second reviewer required" },
    });
    expect(comment).toContain("Review policy weakened");
    expect(comment).toContain("high: 1 -&gt; 0; critical: 2 -&gt; 0");
    expect(comment).toContain("ignores \\*\\*");
    // The configuration file was read although the policy in force ignores `.github/**`.
    expect(app.github.calls).toContain("POST /graphql");
  });

  it("making it stricter is quiet", async () => {
    app.github.updateCheckRun().createComment();
    const { check, comment } = await review(
      policyChange(
        'ignore:\n  - "docs/**"\ngate:\n  approvals:\n    high: 2\n    critical: 2\n  checklist: required\n',
      ),
    );
    expect(check).toMatchObject({ conclusion: "success", output: { title: "No risks found" } });
    expect(comment).not.toContain("Review policy weakened");
  });

  it("extending a repository of another owner is high, even when its content is the same", async () => {
    app.github.createComment().createLabel().addLabels().updateCheckRun();
    const { check, comment } = await review(policyChange("_extends: someone-else/policies\n"), () =>
      app.github.configIn("someone-else/policies", IN_FORCE),
    );
    expect(check.conclusion).toBe("action_required");
    expect(comment).toContain(
      "now also takes its policy from someone-else/policies:.github/gitops-review.yml",
    );
  });

  it("extending the organisation's .github defaults compares what they hold", async () => {
    app.github.updateCheckRun().createComment().createLabel().addLabels();
    const { check, comment } = await review(policyChange("_extends: .github\n"), () =>
      app.github.configIn(
        "Codertocat/.github",
        'gate:\n  severity: critical\nignore:\n  - ".github/**"\n  - "docs/**"\n',
      ),
    );
    // No new source (the org defaults are the policy's home), but their content raises the gate.
    expect(comment).not.toContain("takes its policy from");
    expect(comment).toContain("raises gate.severity high -&gt; critical");
    expect(check.conclusion).toBe("action_required");
  });
});
