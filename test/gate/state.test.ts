import { describe, expect, it } from "@jest/globals";
import type { PolicyFinding } from "../../src/engine/policy.js";
import { checklistMarkdown } from "../../src/render/markdown-parts.js";
import {
  addAck,
  applyTickChanges,
  countedTicks,
  emptyGateState,
  parseGateState,
  pruneGateState,
  readChecklist,
  renderChecklistState,
  renderGateState,
  tickChanges,
  ticksForRender,
  withGateState,
  type GateState,
} from "../../src/gate/state.js";
import { renderComment } from "../../src/render/comment.js";
import { makeFinding, objectDiff, outcomeOf, reviewOf, VERDICT, withReport } from "../render/fixtures.js";

const FP = "3f9a1c0d2b4e6a88";
const OTHER = "77aa55cc33ee1100";

function finding(fingerprint: string, checklist: string[]): PolicyFinding {
  return {
    ruleId: "volume-shadows-persistence",
    title: "Volume mount hides persisted data",
    severity: "critical",
    messageId: "shadow",
    message: "m",
    data: {},
    location: { path: "infrastructure/controllers/traefik/helmrelease.yaml", line: 40, side: "head" },
    subject: "release/traefik/traefik",
    evidence: null,
    remediation: "Fix it.",
    checklist,
    fingerprint,
  };
}

/** A body as the App renders it: the checklist lines come from the App's own renderer. */
function body(state: GateState = emptyGateState()): string {
  const lines = [
    "<!-- gitops-review-bot:sticky -->",
    "### 🔴 GitOps Review",
    "",
    "**Second reviewer required:** needs 2 more approvals.",
    "",
    "**1. Volume mount hides persisted data** · `helmrelease.yaml:40` · `volume-shadows-persistence`",
    ...checklistMarkdown(
      finding(FP, ["Is `/data` still persisted?", "Was the ACME storage backed up (acme.json)?"]),
      ticksForRender(state),
    ),
    "",
    "**2. Service type changes**",
    ...checklistMarkdown(finding(OTHER, ["Will the LoadBalancer IP change?"]), ticksForRender(state)),
    "",
    "---",
    "<sub>Reviewed `abc1234`.</sub>",
  ];
  return withGateState(lines.join("\n"), state);
}

function tickLine(text: string, index: number): string {
  const lines = text.split("\n");
  const checklist = lines.filter((line) => line.includes("gitops-review-bot:check"));
  const target = checklist[index];
  return lines.map((line) => (line === target ? line.replace("- [ ]", "- [x]") : line)).join("\n");
}

describe("gate state block", () => {
  it("round-trips and cannot close its own HTML comment", () => {
    const state: GateState = {
      version: 1,
      ticks: { [`${FP}/0`]: { by: "hubot", at: "2024-05-02T10:00:00Z" } },
      acks: [
        {
          ruleId: "x",
          fingerprints: [FP],
          by: "hubot",
          reason: "a --> <b>bold</b>",
          at: "2024-05-02T10:00:00Z",
        },
      ],
    };
    const block = renderGateState(state);
    expect(block.indexOf("-->")).toBe(block.length - 3);
    expect(block).not.toContain("<b>");
    expect(parseGateState(`text\n${block}`)).toEqual(state);
  });

  it.each([
    ["no block", "just a comment"],
    ["broken JSON", "<!-- gitops-review-bot:gate {nope -->"],
    ["wrong version", '<!-- gitops-review-bot:gate {"version":2,"ticks":{},"acks":[]} -->'],
  ])("%s reads as empty", (_name, text) => {
    expect(parseGateState(text)).toEqual(emptyGateState());
  });

  it("drops malformed entries", () => {
    const text =
      '<!-- gitops-review-bot:gate {"version":1,"ticks":{"a/0":{"by":"x","at":"t"},"a/1":{"by":3}},' +
      '"acks":[{"ruleId":"r","fingerprints":["a"],"by":"x","reason":"y","at":"t"},{"ruleId":"r"}]} -->';
    expect(parseGateState(text)).toEqual({
      version: 1,
      ticks: { "a/0": { by: "x", at: "t" } },
      acks: [{ ruleId: "r", fingerprints: ["a"], by: "x", reason: "y", at: "t" }],
    });
  });

  it("replaces an existing block in place", () => {
    const first = body();
    const second = withGateState(first, {
      version: 1,
      ticks: { [`${FP}/1`]: { by: "a", at: "t" } },
      acks: [],
    });
    expect(second.match(/gitops-review-bot:gate/g)).toHaveLength(1);
    expect(parseGateState(second).ticks).toEqual({ [`${FP}/1`]: { by: "a", at: "t" } });
  });
});

describe("ticks from an edit", () => {
  it("reads every checklist item of the App's rendering", () => {
    expect([...readChecklist(body()).entries()]).toEqual([
      [`${FP}/0`, false],
      [`${FP}/1`, false],
      [`${OTHER}/0`, false],
    ]);
  });

  it.each([
    { name: "one tick", edit: (b: string) => tickLine(b, 1), ticked: [`${FP}/1`], unticked: [] },
    {
      name: "two ticks",
      edit: (b: string) => tickLine(tickLine(b, 0), 2),
      ticked: [`${FP}/0`, `${OTHER}/0`],
      unticked: [],
    },
    {
      name: "capital X",
      edit: (b: string) => tickLine(b, 0).replace("- [x]", "- [X]"),
      ticked: [`${FP}/0`],
      unticked: [],
    },
    {
      name: "text edit only",
      edit: (b: string) => b.replace("GitOps Review", "GitOps Review!"),
      ticked: [],
      unticked: [],
    },
    {
      name: "a pasted line with a copied marker is not an item",
      edit: (b: string) => `${b}\n- [x] fake <!-- gitops-review-bot:check 1234567890abcdef/0 -->`,
      ticked: [],
      unticked: [],
    },
    {
      name: "a deleted line is no untick",
      edit: (b: string) =>
        b
          .split("\n")
          .filter((l) => !l.includes(`${OTHER}/0`))
          .join("\n"),
      ticked: [],
      unticked: [],
    },
  ])("$name", ({ edit, ticked, unticked }) => {
    const before = body();
    expect(tickChanges(before, edit(before))).toEqual({ ticked, unticked });
  });

  it("unticking clears the record; CRLF bodies from the browser parse the same", () => {
    const state = applyTickChanges(emptyGateState(), { ticked: [`${FP}/0`], unticked: [] }, "hubot", "t1");
    const before = body(state);
    const after = before.replace("- [x]", "- [ ]").replace(/\n/g, "\r\n");
    const changes = tickChanges(before, after);
    expect(changes).toEqual({ ticked: [], unticked: [`${FP}/0`] });
    expect(applyTickChanges(state, changes, "octocat", "t2").ticks).toEqual({});
  });

  it("keeps the first ticker when a second edit ticks again", () => {
    const once = applyTickChanges(emptyGateState(), { ticked: [`${FP}/0`], unticked: [] }, "hubot", "t1");
    const twice = applyTickChanges(once, { ticked: [`${FP}/0`], unticked: [] }, "octocat", "t2");
    expect(twice.ticks[`${FP}/0`]).toEqual({ by: "hubot", at: "t1" });
  });

  it("rewrites the checklist lines to the state, with who ticked", () => {
    const state = applyTickChanges(emptyGateState(), { ticked: [`${FP}/1`], unticked: [] }, "hubot", "t1");
    const edited = tickLine(tickLine(body(), 1), 0); // ticked 0 in the browser, but the state says only 1
    const rendered = renderChecklistState(edited, state);
    expect(rendered).toBe(
      body(state).replace(/<!-- gitops-review-bot:gate .* -->/, "") + renderedStateOf(edited),
    );
    expect(rendered).toContain("- [x] Was the ACME storage backed up (acme.json)? (ticked by hubot)");
    expect(rendered).toContain("- [ ] Is `/data` still persisted? <!--");
  });

  it("counts only ticks by people other than the author", () => {
    const state: GateState = {
      version: 1,
      ticks: { [`${FP}/0`]: { by: "OctoCat", at: "t" }, [`${FP}/1`]: { by: "hubot", at: "t" } },
      acks: [],
    };
    expect([...countedTicks(state, "octocat")]).toEqual([`${FP}/1`]);
  });
});

function renderedStateOf(text: string): string {
  return /<!-- gitops-review-bot:gate .* -->/.exec(text)?.[0] ?? "";
}

describe("pruning on a new push", () => {
  it("keeps ticks and acks of findings still present, drops the rest", () => {
    let state: GateState = {
      version: 1,
      ticks: { [`${FP}/0`]: { by: "hubot", at: "t" }, [`${OTHER}/0`]: { by: "hubot", at: "t" } },
      acks: [],
    };
    state = addAck(state, { ruleId: "r", fingerprints: [FP, OTHER], by: "hubot", reason: "ok", at: "t" });
    state = addAck(state, { ruleId: "s", fingerprints: [OTHER], by: "hubot", reason: "ok", at: "t" });
    expect(pruneGateState(state, new Set([FP]))).toEqual({
      version: 1,
      ticks: { [`${FP}/0`]: { by: "hubot", at: "t" } },
      acks: [{ ruleId: "r", fingerprints: [FP], by: "hubot", reason: "ok", at: "t" }],
    });
  });

  it("a second ack of the same rule by the same person replaces the first", () => {
    const once = addAck(emptyGateState(), {
      ruleId: "r",
      fingerprints: [FP],
      by: "hubot",
      reason: "a",
      at: "t1",
    });
    const twice = addAck(once, { ruleId: "r", fingerprints: [FP], by: "Hubot", reason: "b", at: "t2" });
    expect(twice.acks.map((ack) => ack.reason)).toEqual(["b"]);
  });
});

describe("a state block quoted by pull request data", () => {
  // A file name can hold any of these characters; the comment shows it verbatim in a code span.
  const forged = renderGateState({
    version: 1,
    ticks: {},
    acks: [{ ruleId: "rule-1", fingerprints: ["fp1"], by: "mallory", reason: "looks fine", at: "t" }],
  });
  const body = renderComment(
    withReport({
      verdict: VERDICT,
      outcome: outcomeOf([
        makeFinding(1, "critical", { location: { path: `apps/${forged}.yaml`, line: 3, side: "head" } }),
      ]),
      review: reviewOf([objectDiff("notes", 1)]),
    }),
  );

  it("is shown in the comment's diff, not at its end", () => {
    expect(body).toContain(forged);
    expect(body.trimEnd().endsWith(forged)).toBe(false);
  });

  it("is not the gate's state: no ack comes from a changed file", () => {
    expect(parseGateState(body)).toEqual(emptyGateState());
  });

  it("is left alone when the real state is written: the block goes at the end", () => {
    const state: GateState = { version: 1, ticks: { "fp1/0": { by: "alice", at: "t" } }, acks: [] };
    const written = withGateState(body, state);
    expect(written).toContain(forged);
    expect(written.endsWith(renderGateState(state))).toBe(true);
    expect(parseGateState(written)).toEqual(state);
  });
});
