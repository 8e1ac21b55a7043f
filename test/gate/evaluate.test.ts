import { describe, expect, it } from "@jest/globals";
import { defaultConfig, parseConfig, type ReviewConfigInput } from "../../src/engine/config.js";
import type { Verdict } from "../../src/engine/policy.js";
import {
  approvalsFor,
  evaluateGate,
  gateVerdict,
  latestReviews,
  type GateFinding,
  type GateInput,
  type GateReview,
  type Permission,
} from "../../src/gate/evaluate.js";
import { emptyGateState, type GateState } from "../../src/gate/state.js";

const HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const OLD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

const HIGH: GateFinding = {
  fingerprint: "a1b2c3d4e5f60718",
  ruleId: "service-type-change",
  severity: "high",
  checklist: 2,
};
const CRITICAL: GateFinding = {
  fingerprint: "0f1e2d3c4b5a6978",
  ruleId: "ingress-controller-removed",
  severity: "critical",
  checklist: 1,
};

const PERMISSIONS: Record<string, Permission> = {
  octocat: "write", // the author
  hubot: "write",
  "mona-lisa": "maintain",
  reviewer: "admin",
  reader: "read",
  triager: "triage",
};

let clock = Date.parse("2024-05-02T10:00:00Z");
function review(user: string, state: GateReview["state"], commitId = HEAD): GateReview {
  clock += 60_000;
  return { user, state, commitId, submittedAt: new Date(clock).toISOString() };
}

function gateConfig(gate: ReviewConfigInput["gate"] = {}) {
  const result = parseConfig({ gate });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config.gate;
}

function input(over: Partial<GateInput> = {}): GateInput {
  return {
    findings: [HIGH],
    author: "octocat",
    headSha: HEAD,
    reviews: [],
    permissions: PERMISSIONS,
    allowed: null,
    state: emptyGateState(),
    ...over,
  };
}

describe("approvalsFor", () => {
  it.each([
    [{}, "high", 1],
    [{}, "critical", 2],
    [{}, "medium", 1],
    [{ approvals: { critical: 3 } }, "high", 1],
    [{ approvals: { medium: 2, critical: 3 } }, "high", 2],
    [{ approvals: { high: 0 } }, "critical", 0],
  ] as const)("config %j, %s -> %d", (gate, severity, expected) => {
    expect(approvalsFor(gateConfig(gate), severity)).toBe(expected);
  });
});

describe("latestReviews", () => {
  it("keeps each user's latest decisive review; comments change nothing, dismissals cancel", () => {
    const reviews = [
      review("hubot", "APPROVED"),
      review("hubot", "COMMENTED"),
      review("mona-lisa", "CHANGES_REQUESTED"),
      review("mona-lisa", "APPROVED"),
      review("reviewer", "APPROVED"),
      review("reviewer", "DISMISSED"),
      review("Hubot", "CHANGES_REQUESTED"),
    ];
    expect(latestReviews(reviews).map((r) => [r.user, r.state])).toEqual([
      ["Hubot", "CHANGES_REQUESTED"],
      ["mona-lisa", "APPROVED"],
    ]);
  });

  it("orders by submission time, not list order", () => {
    const later = review("hubot", "CHANGES_REQUESTED");
    const earlier = { ...review("hubot", "APPROVED"), submittedAt: "2024-01-01T00:00:00Z" };
    expect(latestReviews([later, earlier]).map((r) => r.state)).toEqual(["CHANGES_REQUESTED"]);
  });
});

describe("evaluateGate", () => {
  const missingOne = "needs 1 more approval from someone other than @octocat with write access";
  const cases: {
    name: string;
    over: Partial<GateInput>;
    gate?: ReviewConfigInput["gate"];
    open: boolean;
    missing: string[];
  }[] = [
    { name: "no review", over: {}, open: false, missing: [missingOne] },
    {
      name: "the author's own approval",
      over: { reviews: [review("octocat", "APPROVED")] },
      open: false,
      missing: [missingOne],
    },
    {
      name: "a write-access collaborator approves",
      over: { reviews: [review("hubot", "APPROVED")] },
      open: true,
      missing: [],
    },
    {
      name: "maintain counts",
      over: { reviews: [review("mona-lisa", "APPROVED")] },
      open: true,
      missing: [],
    },
    {
      name: "read and triage do not count",
      over: { reviews: [review("reader", "APPROVED"), review("triager", "APPROVED")] },
      open: false,
      missing: [missingOne],
    },
    {
      name: "an unknown reviewer (no permission known) does not count",
      over: { reviews: [review("stranger", "APPROVED")] },
      open: false,
      missing: [missingOne],
    },
    {
      // github-actions[bot] has write access when a workflow's token does: a workflow in the PR can approve.
      name: "a bot's approval does not count, even with write access",
      over: {
        reviews: [{ ...review("github-actions[bot]", "APPROVED"), bot: true }],
        permissions: { ...PERMISSIONS, "github-actions[bot]": "write" },
      },
      open: false,
      missing: [`${missingOne} (@github-actions[bot] is a bot; a bot counts only when gate.users names it)`],
    },
    {
      name: "a bot that gate.users names counts, without a permission to look up",
      // The caller resolves the allow-list for the humans only (no permission lookup for a bot).
      over: {
        reviews: [{ ...review("release-captain[bot]", "APPROVED"), bot: true }],
        allowed: new Set(["hubot"]),
      },
      gate: { users: ["release-captain[bot]", "hubot"] },
      open: true,
      missing: [],
    },
    {
      name: "a bot's request for changes does not block a human approval",
      over: {
        reviews: [
          review("hubot", "APPROVED"),
          { ...review("lint-bot[bot]", "CHANGES_REQUESTED"), bot: true },
        ],
      },
      open: true,
      missing: [],
    },
    {
      name: "an approval of an older commit",
      over: { reviews: [review("hubot", "APPROVED", OLD)] },
      open: false,
      missing: [`${missingOne} (@hubot approved an older commit; approvals count on the current head only)`],
    },
    {
      name: "an approval of an older commit with currentHeadOnly off",
      over: { reviews: [review("hubot", "APPROVED", OLD)] },
      gate: { currentHeadOnly: false },
      open: true,
      missing: [],
    },
    {
      name: "changes requested after the approval",
      over: { reviews: [review("hubot", "APPROVED"), review("hubot", "CHANGES_REQUESTED")] },
      open: false,
      missing: ["changes requested by @hubot: their review must approve or be dismissed", missingOne],
    },
    {
      name: "changes requested by another eligible reviewer blocks despite an approval",
      over: { reviews: [review("hubot", "APPROVED"), review("mona-lisa", "CHANGES_REQUESTED", OLD)] },
      open: false,
      missing: ["changes requested by @mona-lisa: their review must approve or be dismissed"],
    },
    {
      name: "changes requested by a read-only user does not block",
      over: { reviews: [review("hubot", "APPROVED"), review("reader", "CHANGES_REQUESTED")] },
      open: true,
      missing: [],
    },
    {
      name: "a dismissed request for changes no longer blocks",
      over: {
        reviews: [
          review("hubot", "APPROVED"),
          review("mona-lisa", "CHANGES_REQUESTED"),
          review("mona-lisa", "DISMISSED"),
        ],
      },
      open: true,
      missing: [],
    },
    {
      name: "a comment after an approval keeps the approval",
      over: { reviews: [review("hubot", "APPROVED"), review("hubot", "COMMENTED")] },
      open: true,
      missing: [],
    },
    {
      name: "critical needs two",
      over: { findings: [CRITICAL, HIGH], reviews: [review("hubot", "APPROVED")] },
      open: false,
      missing: [missingOne],
    },
    {
      name: "critical with two approvals",
      over: {
        findings: [CRITICAL, HIGH],
        reviews: [review("hubot", "APPROVED"), review("reviewer", "APPROVED")],
      },
      open: true,
      missing: [],
    },
    {
      name: "critical with none",
      over: { findings: [CRITICAL] },
      open: false,
      missing: ["needs 2 more approvals from someone other than @octocat with write access"],
    },
    {
      name: "allow-list: a writer outside it does not count",
      over: { reviews: [review("hubot", "APPROVED")], allowed: new Set(["mona-lisa"]) },
      gate: { users: ["mona-lisa"], teams: ["acme/platform"] },
      open: false,
      missing: ["needs 1 more approval from @mona-lisa, @acme/platform (not @octocat)"],
    },
    {
      name: "allow-list: a member counts (case-insensitive)",
      over: { reviews: [review("Mona-Lisa", "APPROVED")], allowed: new Set(["mona-lisa"]) },
      gate: { users: ["mona-lisa"] },
      open: true,
      missing: [],
    },
    { name: "nothing gating", over: { findings: [] }, open: true, missing: [] },
  ];

  it.each(cases)("$name", ({ over, gate, open, missing }) => {
    const decision = evaluateGate(input(over), gateConfig(gate));
    expect({ open: decision.open, missing: decision.missing }).toEqual({ open, missing });
  });

  it("an ack takes the finding out of the gate", () => {
    const state: GateState = {
      version: 1,
      ticks: {},
      acks: [
        {
          ruleId: CRITICAL.ruleId,
          fingerprints: [CRITICAL.fingerprint],
          by: "hubot",
          reason: "empty",
          at: "x",
        },
      ],
    };
    const decision = evaluateGate(input({ findings: [CRITICAL, HIGH], state }), gateConfig());
    expect(decision).toMatchObject({ required: 1, acknowledged: [CRITICAL.fingerprint], open: false });
    expect(decision.missing).toEqual([missingOne]);
  });

  describe("checklist: required", () => {
    const gate = { checklist: "required" } as const;
    const approved = [review("hubot", "APPROVED")];
    const tick = (by: string) => ({ by, at: "2024-05-02T10:00:00Z" });

    it.each([
      {
        name: "no ticks",
        ticks: {},
        open: false,
        missing: ["2 checklist items need a tick from someone other than @octocat"],
      },
      {
        name: "ticked by the author",
        ticks: { [`${HIGH.fingerprint}/0`]: tick("octocat"), [`${HIGH.fingerprint}/1`]: tick("OctoCat") },
        open: false,
        missing: ["2 checklist items need a tick from someone other than @octocat"],
      },
      {
        name: "one ticked by a reviewer",
        ticks: { [`${HIGH.fingerprint}/0`]: tick("hubot"), [`${HIGH.fingerprint}/1`]: tick("octocat") },
        open: false,
        missing: ["1 checklist item needs a tick from someone other than @octocat"],
      },
      {
        name: "all ticked by reviewers",
        ticks: { [`${HIGH.fingerprint}/0`]: tick("hubot"), [`${HIGH.fingerprint}/1`]: tick("mona-lisa") },
        open: true,
        missing: [],
      },
    ])("$name", ({ ticks, open, missing }) => {
      const decision = evaluateGate(
        input({ reviews: approved, state: { version: 1, ticks, acks: [] } }),
        gateConfig(gate),
      );
      expect({ open: decision.open, missing: decision.missing }).toEqual({ open, missing });
    });

    it("optional checklist ignores ticks", () => {
      expect(evaluateGate(input({ reviews: approved }), defaultConfig().gate).open).toBe(true);
    });
  });
});

describe("gateVerdict", () => {
  const held: Verdict = {
    conclusion: "action_required",
    title: "1 critical, 1 high: second reviewer required",
    line: "held",
  };

  it("says exactly what is missing", () => {
    const decision = evaluateGate(input({ findings: [CRITICAL, HIGH] }), gateConfig());
    expect(gateVerdict(held, "1 critical, 1 high", decision)).toEqual({
      conclusion: "action_required",
      title: "1 critical, 1 high: second reviewer required",
      line: "held **Still missing:** needs 2 more approvals from someone other than @\u200Boctocat with write access.",
    });
  });

  it("opens with the approvers", () => {
    const decision = evaluateGate(input({ reviews: [review("hubot", "APPROVED")] }), gateConfig());
    expect(gateVerdict(held, "1 high", decision)).toEqual({
      conclusion: "success",
      title: "1 high: approved by @hubot",
      line: "**Second review done:** approved by @\u200Bhubot.",
    });
  });

  it("opens when every gating finding is acknowledged", () => {
    const state: GateState = {
      version: 1,
      ticks: {},
      acks: [
        { ruleId: HIGH.ruleId, fingerprints: [HIGH.fingerprint], by: "hubot", reason: "planned", at: "x" },
      ],
    };
    const verdict = gateVerdict(held, "1 high", evaluateGate(input({ state }), gateConfig()));
    expect(verdict).toMatchObject({ conclusion: "success", title: "1 high: gating finding acknowledged" });
  });

  it("leaves verdicts that do not hold alone", () => {
    const neutral: Verdict = { conclusion: "neutral", title: "No GitOps files changed", line: "none" };
    expect(gateVerdict(neutral, "", evaluateGate(input({ findings: [] }), gateConfig()))).toBe(neutral);
  });
});
