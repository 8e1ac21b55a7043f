import { describe, expect, it } from "@jest/globals";
import {
  gateKeyFrom,
  gateSeal,
  gateStateTrailer,
  openGateState,
  randomGateKey,
  sealGateState,
} from "../../src/gate/seal.js";
import { emptyGateState, renderChecklistState, type GateState } from "../../src/gate/state.js";
import { renderComment } from "../../src/render/comment.js";
import { makeFinding, objectDiff, outcomeOf, reviewOf, VERDICT, withReport } from "../render/fixtures.js";

const KEY = gateKeyFrom("s3cret-webhook");
const PR = { owner: "acme", repo: "platform-gitops", number: 17 };
const SEAL = gateSeal(KEY, PR);
const FP = "9c0ffee5a1b2c3d4";

const BODY = [
  "<!-- gitops-review-bot:sticky -->",
  "### 🔴 GitOps Review",
  "",
  "**1 finding reaches the gate (high or above):** a second reviewer should answer the checklist.",
  "",
  "**1. PersistentVolumeClaim replaced** · `apps/db/pvc.yaml:4` · `pvc-changed`",
  `- [ ] Is the data backed up? <!-- gitops-review-bot:check ${FP}/0 -->`,
  `- [ ] Was the restore tested? <!-- gitops-review-bot:check ${FP}/1 -->`,
  "",
  "<sub>Reviewed `1a2b3c4`.</sub>",
].join("\n");

const STATE: GateState = {
  version: 1,
  ticks: { [`${FP}/1`]: { by: "hubot", at: "2024-06-01T09:00:00Z" } },
  acks: [
    {
      ruleId: "pvc-changed",
      fingerprints: [FP],
      by: "mona",
      reason: "restored from the snapshot --> <b>twice</b>",
      at: "2024-06-01T09:05:00Z",
    },
  ],
};

const FORGED_ACK = {
  ruleId: "pvc-changed",
  fingerprints: [FP],
  by: "mona",
  reason: "lgtm",
  at: "2024-06-01T10:00:00Z",
};

/** The JSON of the block at the end of a sealed body. */
function blockJson(body: string): Record<string, unknown> {
  const json = /<!-- gitops-review-bot:gate (.*) -->\s*$/.exec(body)![1];
  return JSON.parse(json) as Record<string, unknown>;
}

function withBlockJson(body: string, json: Record<string, unknown>): string {
  return body.replace(
    /<!-- gitops-review-bot:gate .* -->\s*$/,
    `<!-- gitops-review-bot:gate ${JSON.stringify(json)} -->`,
  );
}

describe("a sealed gate state", () => {
  const sealed = sealGateState(renderChecklistState(BODY, STATE), STATE, SEAL);

  it("round-trips, at the very end of the body, and cannot close its own HTML comment", () => {
    expect(openGateState(sealed, SEAL)).toEqual(STATE);
    const block = sealed.slice(sealed.lastIndexOf("<!-- gitops-review-bot:gate "));
    expect(block.indexOf("-->")).toBe(block.length - 3);
    expect(block).not.toContain("<b>");
    expect(blockJson(sealed).sig).toMatch(/^[0-9a-f]{64}$/);
  });

  it("still verifies after reviewers tick and untick boxes in the browser (CRLF line endings)", () => {
    const browser = sealed
      .replace("- [ ] Is the data backed up?", "- [x] Is the data backed up?")
      .replace(
        "- [x] Was the restore tested? (ticked by hubot)",
        "- [ ] Was the restore tested? (ticked by hubot)",
      )
      .replace(/\n/g, "\r\n");
    expect(openGateState(browser, SEAL)).toEqual(STATE);
  });

  it("replaces its own block when sealed again: one block, the new state", () => {
    const next: GateState = { ...STATE, ticks: {} };
    const resealed = sealGateState(sealed, next, SEAL);
    expect(resealed.match(/gitops-review-bot:gate/g)).toHaveLength(1);
    expect(openGateState(resealed, SEAL)).toEqual(next);
  });

  it("has the length of the trailer a renderer reserves for it", () => {
    const trailer = gateStateTrailer(STATE);
    expect(sealed.length - sealed.lastIndexOf("<!-- gitops-review-bot:gate ")).toBe(trailer.length);
  });

  it.each([
    ["an ack added to the block", (b: string) => withBlockJson(b, { ...blockJson(b), acks: [FORGED_ACK] })],
    [
      "a tick added to the block",
      (b: string) =>
        withBlockJson(b, {
          ...blockJson(b),
          ticks: { ...STATE.ticks, [`${FP}/0`]: { by: "hubot", at: "2024-06-01T09:00:00Z" } },
        }),
    ],
    ["an ack's reason changed", (b: string) => b.replace("twice", "once")],
    [
      "the signature removed (an unsealed block)",
      (b: string) => withBlockJson(b, { ...blockJson(b), sig: undefined }),
    ],
    ["the signature truncated", (b: string) => withBlockJson(b, { ...blockJson(b), sig: "ab12" })],
    [
      "a text edit around the genuine block",
      (b: string) => b.replace("a second reviewer should answer the checklist", "nothing to review"),
    ],
    ["a checklist item removed", (b: string) => b.replace(/- \[ \] Is the data backed up\?.*\n/, "")],
    ["broken JSON", (b: string) => b.replace(/"acks":\[/, '"acks":[[')],
    ["a __proto__ tick key", (b: string) => b.replace(`"${FP}/1":`, '"__proto__":')],
  ])("is refused with %s", (_name, edit) => {
    const edited = edit(sealed);
    expect(edited).not.toBe(sealed);
    expect(openGateState(edited, SEAL)).toBeNull();
  });

  it("is refused on another pull request, in another repository, or under another key", () => {
    expect(openGateState(sealed, gateSeal(KEY, { ...PR, number: 18 }))).toBeNull();
    expect(openGateState(sealed, gateSeal(KEY, { ...PR, repo: "platform-gitops-fork" }))).toBeNull();
    expect(openGateState(sealed, gateSeal(gateKeyFrom("another secret"), PR))).toBeNull();
    expect(openGateState(sealed, gateSeal(randomGateKey(), PR))).toBeNull();
    // Owner and repository names are case-insensitive on GitHub.
    expect(openGateState(sealed, gateSeal(KEY, { ...PR, owner: "ACME" }))).toEqual(STATE);
  });

  it("is refused when an older block of the same comment is pasted into a newer body", () => {
    const older = sealGateState(BODY, STATE, SEAL);
    const newer = sealGateState(BODY.replace("`1a2b3c4`", "`5d6e7f8`"), emptyGateState(), SEAL);
    const oldBlock = older.slice(older.lastIndexOf("<!-- gitops-review-bot:gate "));
    const replayed = newer.slice(0, newer.lastIndexOf("<!-- gitops-review-bot:gate ")) + oldBlock;
    expect(openGateState(replayed, SEAL)).toBeNull();
    expect(openGateState(newer, SEAL)).toEqual(emptyGateState());
  });

  it("an unsealed block (as this App wrote before sealing) is not trusted", () => {
    const legacy = `${BODY}\n<!-- gitops-review-bot:gate ${JSON.stringify(STATE)} -->`;
    expect(openGateState(legacy, SEAL)).toBeNull();
  });

  it.each([
    ["no body", null],
    ["no block", BODY],
    ["an empty body", ""],
  ])("%s opens as nothing", (_name, body) => {
    expect(openGateState(body, SEAL)).toBeNull();
  });
});

describe("a state block quoted by pull request data", () => {
  // A file name can hold any of these characters; the comment shows it verbatim in a code span.
  const quoted = sealGateState("x", { version: 1, ticks: {}, acks: [FORGED_ACK] }, SEAL).slice(2);
  const body = renderComment(
    withReport({
      verdict: VERDICT,
      outcome: outcomeOf([
        makeFinding(1, "critical", { location: { path: `apps/${quoted}.yaml`, line: 3, side: "head" } }),
      ]),
      review: reviewOf([objectDiff("notes", 1)]),
    }),
  );

  it("is shown in the comment's diff, not at its end, and is not the state", () => {
    expect(body).toContain(quoted);
    expect(body.trimEnd().endsWith(quoted)).toBe(false);
    expect(openGateState(body, SEAL)).toBeNull();
  });

  it("is left alone when the real state is sealed: the block goes at the end", () => {
    const state: GateState = { version: 1, ticks: { [`${FP}/0`]: { by: "alice", at: "t" } }, acks: [] };
    const written = sealGateState(body, state, SEAL);
    expect(written).toContain(quoted);
    expect(openGateState(written, SEAL)).toEqual(state);
  });
});

describe("gateKeyFrom", () => {
  it("derives a distinct key per secret and refuses an empty one", () => {
    expect(gateKeyFrom("a").bytes.equals(gateKeyFrom("b").bytes)).toBe(false);
    expect(gateKeyFrom("a").bytes).toHaveLength(32);
    expect(() => gateKeyFrom("")).toThrow("non-empty secret");
  });
});
