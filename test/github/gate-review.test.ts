import { describe, expect, it } from "@jest/globals";
import type { PolicyFinding } from "../../src/engine/policy.js";
import { STICKY_MARKER, VERDICT_MARKER } from "../../src/render/comment.js";
import { checklistMarkdown } from "../../src/render/markdown-parts.js";
import { HEAD_SHA, ownComment, sealed, useMockedApp } from "../mocks/github.js";
import {
  AUTHOR,
  checkRunsForRef,
  HELD,
  OLD_SHA,
  permission,
  reviewPayload,
  reviews,
  type ReviewSpec,
  type StateFinding,
} from "./gate-helpers.js";

const FINDING: StateFinding = {
  fingerprint: "5e1f0c2a9b8d7e61",
  ruleId: "parse-problem",
  severity: "high",
  checklist: 2,
};

const app = useMockedApp();

function policyFinding(f: StateFinding): PolicyFinding {
  return {
    ruleId: f.ruleId,
    title: "File could not be reviewed",
    severity: f.severity,
    messageId: "yaml-syntax",
    message: "m",
    data: {},
    location: { path: "clusters/prod/apps/web.yaml", line: 6, side: "head" },
    subject: null,
    evidence: null,
    remediation: "Fix.",
    checklist: ["Does the file load?", "Has someone reviewed by hand what the bot could not read?"].slice(
      0,
      f.checklist,
    ),
    fingerprint: f.fingerprint,
  };
}

/** The sticky comment as the App wrote it for a held check. */
function stickyBody(line: string, findings: readonly StateFinding[] = [FINDING]): string {
  return sealed(
    [
      STICKY_MARKER,
      "### 🟠 GitOps Review",
      "",
      `${line} ${VERDICT_MARKER}`,
      "",
      "**1. File could not be reviewed** · `clusters/prod/apps/web.yaml:6` · `parse-problem`",
      ...findings.flatMap((f) => checklistMarkdown(policyFinding(f))),
    ].join("\n"),
  );
}

interface Scenario {
  reviewer: string;
  list: ReviewSpec[];
  permissions: [string, "admin" | "write" | "read"][];
  findings?: StateFinding[];
  current?: { conclusion: string; title: string; summary: string; line: string };
  config?: string | null;
}

/** hubot, a collaborator with write access, approves the head; `over` changes any part. */
function byHubot(over: Partial<Scenario> = {}): Scenario {
  return {
    reviewer: "hubot",
    list: [{ user: "hubot", state: "APPROVED" }],
    permissions: [["hubot", "write"]],
    ...over,
  };
}

const CRITICAL: StateFinding = { ...FINDING, severity: "critical" };
/** The check as the App left it for one critical finding: held. */
const HELD_CRITICAL = {
  conclusion: "action_required",
  title: "1 critical: second reviewer required",
  summary: HELD,
  line: HELD,
};

async function reviewEvent(
  s: Scenario,
  action: "approved" | "changes_requested" | "dismissed" = "approved",
  token = true,
) {
  const payload = reviewPayload(s.reviewer, action);
  const current = s.current ?? {
    conclusion: "action_required",
    title: "1 high: second reviewer required",
    summary: `${HELD}\n\n- finding`,
    line: HELD,
  };
  if (token) app.github.installationToken(payload.installation.id);
  checkRunsForRef(app.github, s.findings ?? [FINDING], current);
  app.github.comments([ownComment(9001, stickyBody(current.line, s.findings))]).config(s.config ?? null);
  reviews(app.github, s.list);
  for (const [user, role] of s.permissions) permission(app.github, user, role);
  await app.probot.receive({ id: "review", name: "pull_request_review", payload } as never);
}

function checkUpdates() {
  return app.github.bodiesOf("PATCH", "/check-runs/7001") as {
    conclusion: string;
    output: { title: string; summary: string; text: string };
  }[];
}

function commentUpdates() {
  return app.github.bodiesOf("PATCH", "/issues/comments/9001").map((body) => body.body as string);
}

const MISSING_ONE = "needs 1 more approval from someone other than @\u200Boctocat with write access";

describe("pull_request_review re-decides the gate from the check run state, without fetching files", () => {
  it("an approval by the author does not open the gate", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent({ reviewer: AUTHOR, list: [{ user: AUTHOR, state: "APPROVED" }], permissions: [] });

    expect(app.github.calls).toEqual([
      "POST /app/installations/1/access_tokens",
      `GET /repos/Codertocat/Hello-World/commits/${HEAD_SHA}/check-runs`,
      "GET /repos/Codertocat/Hello-World/issues/1/comments",
      "GET /repos/Codertocat/Hello-World/contents/.github/gitops-review.yml",
      "GET /repos/Codertocat/.github/contents/.github/gitops-review.yml",
      "GET /repos/Codertocat/Hello-World/pulls/1/reviews",
      "PATCH /repos/Codertocat/Hello-World/check-runs/7001",
      "PATCH /repos/Codertocat/Hello-World/issues/comments/9001",
    ]);
    const [update] = checkUpdates();
    expect(update).toMatchObject({
      conclusion: "action_required",
      output: { title: "1 high: second reviewer required" },
    });
    expect(update.output.summary).toBe(`${HELD} **Still missing:** ${MISSING_ONE}.\n\n- finding`);
    expect(update.output.text).toContain("<!-- gitops-review-bot:state ");
    expect(commentUpdates()[0]).toContain(`${HELD} **Still missing:** ${MISSING_ONE}. ${VERDICT_MARKER}`);
  });

  it("an approval by a collaborator with write access opens it", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent(byHubot());

    expect(app.github.calls).toContain("GET /repos/Codertocat/Hello-World/collaborators/hubot/permission");
    expect(checkUpdates()).toEqual([
      {
        status: "completed",
        conclusion: "success",
        output: expect.objectContaining({ title: "1 high: approved by @\u200Bhubot" }),
      },
    ]);
    expect(checkUpdates()[0].output.summary.split("\n")[0]).toBe(
      "**Second review done:** approved by @\u200Bhubot.",
    );
    expect(commentUpdates()[0]).toContain(
      `**Second review done:** approved by @\u200Bhubot. ${VERDICT_MARKER}`,
    );
    expect(commentUpdates()[0]).not.toContain(HELD);
  });

  it("an approval by a read-only user does not count", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent({
      reviewer: "reader",
      list: [{ user: "reader", state: "APPROVED" }],
      permissions: [["reader", "read"]],
    });
    expect(checkUpdates()[0].conclusion).toBe("action_required");
    expect(commentUpdates()[0]).toContain(MISSING_ONE);
  });

  it("an approval by a bot with write access does not count, and its permission is not looked up", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent({
      reviewer: "github-actions[bot]",
      list: [{ user: "github-actions[bot]", state: "APPROVED", type: "Bot" }],
      permissions: [],
    });
    expect(app.github.calls.some((call) => call.includes("/permission"))).toBe(false);
    expect(checkUpdates()[0].conclusion).toBe("action_required");
    expect(checkUpdates()[0].output.summary).toContain(
      `${MISSING_ONE} (@\u200Bgithub-actions\\[bot\\] is a bot; a bot counts only when gate.users names it)`,
    );
  });

  it("a bot that gate.users names counts", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent({
      reviewer: "release-captain[bot]",
      list: [{ user: "release-captain[bot]", state: "APPROVED", type: "Bot" }],
      permissions: [],
      config: "gate:\n  users:\n    - release-captain[bot]\n",
    });
    expect(checkUpdates()[0]).toMatchObject({
      conclusion: "success",
      output: { title: "1 high: approved by @\u200Brelease-captain[bot]" },
    });
  });

  it("an approval on an older commit does not count by default", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent(byHubot({ list: [{ user: "hubot", state: "APPROVED", commitId: OLD_SHA }] }));
    expect(checkUpdates()[0].conclusion).toBe("action_required");
    expect(checkUpdates()[0].output.summary).toContain(
      `${MISSING_ONE} (@\u200Bhubot approved an older commit; approvals count on the current head only)`,
    );
  });

  it("counts an older approval when currentHeadOnly is off", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent(
      byHubot({
        list: [{ user: "hubot", state: "APPROVED", commitId: OLD_SHA }],
        config: "gate:\n  currentHeadOnly: false\n",
      }),
    );
    expect(checkUpdates()[0].conclusion).toBe("success");
  });

  it("changes requested after an approval closes it again", async () => {
    const opened = "**Second review done:** approved by @\u200Bhubot.";
    app.github.updateCheckRun().updateComment();
    await reviewEvent(
      byHubot({
        list: [
          { user: "hubot", state: "APPROVED" },
          { user: "hubot", state: "CHANGES_REQUESTED" },
        ],
        current: {
          conclusion: "success",
          title: "1 high: approved by @\u200Bhubot",
          summary: `${opened}\n\n- finding`,
          line: opened,
        },
      }),
      "changes_requested",
    );
    const [update] = checkUpdates();
    expect(update).toMatchObject({
      conclusion: "action_required",
      output: { title: "1 high: second reviewer required" },
    });
    expect(update.output.summary.split("\n")[0]).toBe(
      `${HELD} **Still missing:** changes requested by @\u200Bhubot: their review must approve or be dismissed; ${MISSING_ONE}.`,
    );
  });

  it("a critical finding needs two approvals", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent(byHubot({ findings: [CRITICAL], current: HELD_CRITICAL }));
    expect(checkUpdates()[0]).toMatchObject({ conclusion: "action_required" });
    expect(checkUpdates()[0].output.summary).toContain(MISSING_ONE);
  });

  it("two approvals open a critical finding's gate", async () => {
    app.github.updateCheckRun().updateComment();
    await reviewEvent({
      reviewer: "mona",
      list: [
        { user: "hubot", state: "APPROVED" },
        { user: "mona", state: "APPROVED" },
      ],
      permissions: [
        ["hubot", "write"],
        ["mona", "admin"],
      ],
      findings: [CRITICAL],
      current: HELD_CRITICAL,
    });
    expect(checkUpdates()[0]).toMatchObject({
      conclusion: "success",
      output: { title: "1 critical: approved by @\u200Bhubot, @\u200Bmona" },
    });
  });

  it("changes nothing when the decision and texts are unchanged", async () => {
    const line = `${HELD} **Still missing:** ${MISSING_ONE}.`;
    await reviewEvent({
      reviewer: AUTHOR,
      list: [{ user: AUTHOR, state: "COMMENTED" }],
      permissions: [],
      current: {
        conclusion: "action_required",
        title: "1 high: second reviewer required",
        summary: `${line}\n\n- finding`,
        line,
      },
    });
    expect(app.github.requests.filter((r) => r.method === "PATCH")).toEqual([]);
  });
});
