import { describe, expect, it } from "@jest/globals";
import {
  GITHUB_BODY_LIMIT,
  renderComment,
  renderOutOfScopeComment,
  STICKY_MARKER,
} from "../../src/render/comment.js";
import { checklistKey } from "../../src/render/markdown-parts.js";
import { makeFinding, objectDiff, outcomeOf, reviewOf, VERDICT, withReport } from "./fixtures.js";

const links = { repoUrl: "https://github.com/o/r", baseSha: "a".repeat(40), headSha: "c".repeat(40) };

describe("renderComment", () => {
  it("puts the verdict first, then findings by severity with checklists, then changes, then the footer", () => {
    const body = renderComment(
      withReport({
        verdict: VERDICT,
        outcome: outcomeOf([makeFinding(1, "medium"), makeFinding(2, "critical")]),
        review: reviewOf([objectDiff("web", 2)], ["A note from the source."]),
        headSha: "c".repeat(40),
        links,
      }),
    );
    expect(body).toMatchSnapshot();
    const order = [
      STICKY_MARKER,
      VERDICT.line,
      "A note from the source.",
      "#### 🔴 Critical (1)",
      "**1. Finding number 2**",
      "- [ ] Was item 2 checked?",
      "#### 🟡 Medium (1)",
      "### What changes",
      "<details><summary><code>ConfigMap/default/web</code>: changed, 2 changes</summary>",
      "```diff",
      "Reviewed `ccccccc`",
    ].map((part) => body.indexOf(part));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toContain(
      "[`apps/app-2/values.yaml:3`](https://github.com/o/r/blob/" +
        "c".repeat(40) +
        "/apps/app-2/values.yaml#L3)",
    );
  });

  it("keeps every finding and drops details first when the body would exceed 65,536 characters", () => {
    const findings = Array.from({ length: 150 }, (_, i) => makeFinding(i, i % 3 === 0 ? "critical" : "high"));
    const diffs = Array.from({ length: 60 }, (_, i) => objectDiff(`app-${i}`, 40, "ConfigMap", 60));
    const body = renderComment(
      withReport({
        verdict: VERDICT,
        outcome: outcomeOf(findings),
        review: reviewOf(diffs),
        headSha: "c".repeat(40),
        links,
        checkRunUrl: "https://github.com/o/r/runs/1",
      }),
    );
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    for (const finding of findings) expect(body).toContain(`. ${finding.title}**`);
    expect(body).toContain(
      "to fit GitHub's comment limit; every change is in [the GitOps Review check](https://github.com/o/r/runs/1).",
    );
    expect(body.endsWith("`/recheck` to review again.</sub>")).toBe(true);
    // Details blocks are whole: every <details> is closed.
    expect(body.split("<details>").length).toBe(body.split("</details>").length);
  });

  it("condenses findings rather than dropping any when they alone are too long", () => {
    const findings = Array.from({ length: 400 }, (_, i) =>
      makeFinding(i, "high", { message: "m".repeat(300), remediation: "r".repeat(200) }),
    );
    const body = renderComment(
      withReport({ verdict: VERDICT, outcome: outcomeOf(findings), review: reviewOf() }),
    );
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    for (const finding of findings) expect(body).toContain(`. ${finding.title}**`);
    expect(body).toContain("Findings are condensed to fit GitHub's comment limit");
  });

  it("folds repeated findings below the gate into one entry, and lists gating ones one by one", () => {
    const same = {
      ruleId: "ingress-hosts-or-tls-changed",
      title: "Ingress hosts changed",
      messageId: "moved",
    };
    const repeated = [3, 4, 5].map((i) =>
      makeFinding(i, "medium", { ...same, message: `Route ${i} moved.` }),
    );
    const gating = [1, 2].map((i) =>
      makeFinding(i, "high", { ruleId: "release-removed", title: "Release removed" }),
    );
    const body = renderComment(
      withReport({
        verdict: VERDICT,
        outcome: outcomeOf([...repeated, ...gating]),
        review: reviewOf(),
      }),
    );
    expect(body).toContain("**1. Release removed** · `apps/app-1/values.yaml:2`");
    expect(body).toContain("**2. Release removed** · `apps/app-2/values.yaml:3`");
    expect(body).toContain("**3. Ingress hosts changed** · 3 places · `ingress-hosts-or-tls-changed`");
    expect(body).toContain("#### 🟡 Medium (3)");
    for (const i of [3, 4, 5])
      expect(body).toContain(`- \`apps/app-${i}/values.yaml:${i + 1}\`: Route ${i} moved.`);
    // One checklist for the group, keyed by its first finding.
    expect(body.match(/Was item 3 checked\?/g)).toHaveLength(1);
    expect(body).not.toContain("Was item 4 checked?");
  });

  it("keeps the gate's state trailer whole even when the last-resort cut runs", () => {
    const trailer = '<!-- gitops-review-bot:gate {"version":1} -->';
    const body = renderComment(
      withReport({
        verdict: VERDICT,
        outcome: outcomeOf([makeFinding(1, "high")]),
        review: reviewOf(),
        extraNotes: ["n".repeat(GITHUB_BODY_LIMIT + 1000)],
        trailer,
      }),
    );
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.endsWith(`\n${trailer}`)).toBe(true);
    expect(body).toContain("_(cut to fit GitHub's comment limit)_");
  });

  it("honours a smaller limit", () => {
    const body = renderComment(
      withReport({
        verdict: VERDICT,
        outcome: outcomeOf([makeFinding(1, "high")]),
        review: reviewOf([objectDiff("a", 200)]),
        maxLength: 5000,
      }),
    );
    expect(body.length).toBeLessThanOrEqual(5000);
    expect(body).toContain("Finding number 1");
  });

  it("shows who ticked a checklist item", () => {
    const finding = makeFinding(1, "high");
    const body = renderComment(
      withReport({
        verdict: VERDICT,
        outcome: outcomeOf([finding]),
        review: reviewOf(),
        ticks: new Map([[checklistKey(finding.fingerprint, 1), { by: "octocat" }]]),
      }),
    );
    expect(body).toContain("- [ ] Was item 1 checked? <!-- gitops-review-bot:check fp1/0 -->");
    expect(body).toContain(
      "- [x] Is there a rollback plan? (ticked by octocat) <!-- gitops-review-bot:check fp1/1 -->",
    );
  });

  it("escapes data from the pull request", () => {
    const finding = makeFinding(1, "high", {
      title: "Title",
      message: "Owner @some-team changed <img src=x onerror=alert(1)> see #12 and `@code-team`",
      location: { path: "apps/`odd`/[x](y).yaml", line: 3, side: "head" },
    });
    const body = renderComment(
      withReport({
        verdict: VERDICT,
        outcome: outcomeOf([finding]),
        review: reviewOf(),
        links,
      }),
    );
    expect(body).not.toMatch(/@some-team|@code-team|<img/);
    expect(body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(body).toContain("#\u200B12");
    expect(body).toContain("/apps/%60odd%60/%5Bx%5D%28y%29.yaml#L3");
  });

  it("masks secret values in the changes", () => {
    const diff = objectDiff("creds", 1, "Secret");
    diff.changes[0] = {
      ...diff.changes[0],
      path: "stringData.password",
      before: "hunter1",
      after: "hunter2",
    };
    const body = renderComment(
      withReport({ verdict: VERDICT, outcome: outcomeOf([]), review: reviewOf([diff]) }),
    );
    expect(body).toContain("stringData.password: ••••••");
    expect(body).not.toMatch(/hunter/);
  });
});

describe("renderOutOfScopeComment", () => {
  it("keeps the marker and says the findings no longer apply", () => {
    const body = renderOutOfScopeComment(
      { conclusion: "neutral", title: "t", line: "No files." },
      "c".repeat(40),
    );
    expect(body.startsWith(STICKY_MARKER)).toBe(true);
    expect(body).toContain("changes no file the review reads as of `ccccccc`");
  });
});
