import { describe, expect, it } from "@jest/globals";
import type { PolicyFinding } from "../../src/engine/policy.js";
import { checklistMarkdown } from "../../src/render/markdown-parts.js";
import {
  addAck,
  applyTickChanges,
  countedTicks,
  checklistSkeleton,
  emptyGateState,
  pruneGateState,
  readChecklist,
  renderChecklistState,
  tickChanges,
  ticksForRender,
  type GateState,
} from "../../src/gate/state.js";

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
  return lines.join("\n");
}

function tickLine(text: string, index: number): string {
  const lines = text.split("\n");
  const checklist = lines.filter((line) => line.includes("gitops-review-bot:check"));
  const target = checklist[index];
  return lines.map((line) => (line === target ? line.replace("- [ ]", "- [x]") : line)).join("\n");
}

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
    expect(rendered).toBe(body(state));
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

describe("checklistSkeleton", () => {
  const ticked = renderChecklistState(
    tickLine(body(), 0),
    applyTickChanges(emptyGateState(), { ticked: [`${FP}/0`], unticked: [] }, "hubot", "t1"),
  );

  it("is the same whatever the checkboxes, the tick notes and the line endings", () => {
    expect(checklistSkeleton(ticked)).toBe(checklistSkeleton(body()));
    expect(checklistSkeleton(body().replace(/\n/g, "\r\n") + "\n\n")).toBe(checklistSkeleton(body()));
    expect(checklistSkeleton(tickLine(body(), 2).replace("- [x]", "- [X]"))).toBe(checklistSkeleton(body()));
  });

  it.each([
    ["a word of the text", (b: string) => b.replace("needs 2 more approvals", "needs no approval")],
    ["a checklist item's text", (b: string) => b.replace("Is `/data` still persisted?", "Is it fine?")],
    ["a line removed", (b: string) => b.replace("**2. Service type changes**\n", "")],
    ["a line added", (b: string) => `${b}\n- [x] all good`],
  ])("changes with %s", (_name, edit) => {
    expect(checklistSkeleton(edit(body()))).not.toBe(checklistSkeleton(body()));
  });
});
