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

/**
 * One `opened` review of a PR changing only the policy. Both sides are loaded at their commits;
 * `headLoaded: false` when the head's `_extends` is not followed. `extra` mocks what it extends.
 */
async function review(fixture: PrFixture, extra: () => void = () => undefined, headLoaded = true) {
  const payload = pullRequestPayload("opened");
  app.github
    .installationToken(payload.installation.id)
    .createCheckRun()
    .config(IN_FORCE)
    .compare(fileEntries(fixture.files))
    .graphql(contentsFor(fixture), "any")
    .configAt(MERGE_BASE_SHA, fixture.files[0].base);
  if (headLoaded) app.github.configAt(HEAD_SHA, fixture.files[0].head);
  extra();
  app.github.prState();
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
    app.github.createComment().addLabels().updateCheckRun();
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

  it("extending a repository of another owner is high, and the App does not read it on the PR's word", async () => {
    app.github.createComment().addLabels().updateCheckRun();
    const { check, comment } = await review(
      policyChange(`_extends: someone-else/policies\n${IN_FORCE}`),
      () => undefined,
      false,
    );
    expect(check.conclusion).toBe("action_required");
    expect(comment).toContain(
      "now extends someone-else/policies:.github/gitops-review.yml, which the review does not read",
    );
    expect(app.github.calls.some((call) => call.includes("someone-else"))).toBe(false);
  });

  it("an _extends the policy in force already follows is read and compared, not reported as new", async () => {
    const shared = "gate:\n  approvals:\n    high: 2\n";
    const base = `_extends: Codertocat/policies\n${IN_FORCE}`;
    const head = `_extends: Codertocat/policies\ngate:\n  approvals:\n    critical: 1\n`;
    app.github.createComment().addLabels().updateCheckRun();
    const { comment } = await review({ files: [{ path: POLICY, base, head }], context: {} }, () => {
      // Read once per side: the base's chain, then the head's (the same file).
      app.github.configIn("Codertocat/policies", shared).configIn("Codertocat/policies", shared);
    });
    expect(comment).not.toContain("takes its policy from");
    expect(comment).not.toContain("does not read");
    // Merged over the shared file as Probot merges: high 1 -> 2 is stricter, critical 2 -> 1 is not.
    expect(comment).toContain("lowers the approvals a gated pull request needs (critical: 2 -&gt; 1)");
  });

  it("extending the organisation's .github defaults compares what they hold", async () => {
    app.github.updateCheckRun().createComment().addLabels();
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
