import { beforeAll, describe, expect, it } from "@jest/globals";
import { decideAck } from "../../src/chatops/ack.js";
import {
  closestIds,
  renderExplainAll,
  renderExplainPath,
  renderExplainRule,
  renderHelp,
  renderUnknownRule,
  REPLY_MARKER,
  type ExplainInput,
} from "../../src/chatops/replies.js";
import { atLeast } from "../../src/engine/types.js";
import type { Report } from "../../src/engine/report.js";
import { emptyGateState } from "../../src/gate/state.js";
import type { LinkContext } from "../../src/render/markdown-parts.js";
import { reviewed, serviceTypeRule } from "./fixtures.js";

const LINKS: LinkContext = {
  repoUrl: "https://github.com/Codertocat/Hello-World",
  baseSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  headSha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
};

let report: Report;
let input: ExplainInput;

beforeAll(async () => {
  report = await reviewed();
  input = { report, links: LINKS, state: emptyGateState() };
});

/** Nothing a reply sends may ping someone, inject HTML or show a secret. */
function expectSafe(body: string): void {
  expect(body).not.toMatch(/@[A-Za-z0-9]/);
  expect(body).not.toContain("hunter2");
  const prose = body.replace(/```[\s\S]*?```/g, "").replace(/(`+)[^`]*?\1/g, "");
  const tags = [...prose.matchAll(/<\/?([a-z][a-z0-9]*)/gi)].map((m) => m[1].toLowerCase());
  expect(tags.filter((tag) => !["details", "summary", "code"].includes(tag))).toEqual([]);
  expect(body.endsWith(REPLY_MARKER)).toBe(true);
}

describe("/explain", () => {
  it("lists every finding in a few lines with links", () => {
    const body = renderExplainAll(input);
    expect(body).toContain(
      "[`apps/shop/service.yaml:9`](https://github.com/Codertocat/Hello-World/blob/6dcb09b5b57875f334f61aebed695e2e4193db5e/apps/shop/service.yaml#L9)",
    );
    expect(body).toContain("`parse-problem`");
    expect(body).toMatchSnapshot();
    expectSafe(body);
  });

  it("says so when there is nothing", () => {
    expect(renderExplainAll({ ...input, report: { ...report, findings: [] } })).toContain("**No findings**");
  });

  it("shows who acknowledged a finding and why, mention neutralised", () => {
    const fingerprint = report.findings[0].fingerprint;
    const body = renderExplainAll({
      ...input,
      state: {
        version: 1,
        ticks: {},
        acks: [
          {
            ruleId: "service-type-change",
            fingerprints: [fingerprint],
            by: "hubot",
            reason: "ask @ops <b>first</b>",
            at: "t",
          },
        ],
      },
    });
    expect(body).toContain("✋ **Acknowledged** by @\u200Bhubot: ask @\u200Bops &lt;b&gt;first&lt;/b&gt;");
    expectSafe(body);
  });
});

describe("/explain <rule-id>", () => {
  it("wraps the rule's lesson with this PR's instances", () => {
    const body = renderExplainRule({
      ...input,
      rule: serviceTypeRule,
      explainText: "## What it checks\n\nService types.",
    });
    expect(body).toContain(
      "### Service types changes · `service-type-change` (high by default)".replace("types", "type"),
    );
    expect(body).toContain("#### In this pull request");
    expect(body).toContain("Service web changes type from ClusterIP to LoadBalancer");
    expect(body).not.toContain("values.yaml");
    expect(body).toMatchSnapshot();
    expectSafe(body);
  });

  it.each([
    [
      "service-type-chnage",
      ["parse-problem", "service-type-change", "volume-shadows-persistence"],
      "Did you mean `service-type-change`?",
    ],
    [
      "volume",
      ["volume-mounts-changed", "volume-shadows-persistence", "parse-problem"],
      "Did you mean `volume-mounts-changed`, `volume-shadows-persistence`?",
    ],
    ["zzz", ["parse-problem"], "Reply `/explain` to see the rules that found something here."],
  ])("unknown rule %s suggests the closest ids", (id, known, hint) => {
    const body = renderUnknownRule(id, known);
    expect(body).toBe(`There is no rule \`${id}\`. ${hint}\n\n${REPLY_MARKER}`);
  });

  it("escapes a hostile rule id", () => {
    const body = renderUnknownRule("@everyone-<img>", ["parse-problem"]);
    expectSafe(body);
  });

  it("closestIds ranks by edit distance", () => {
    expect(closestIds("parse-problems", ["parse-problem", "pdb-removed", "service-type-change"])).toEqual([
      "parse-problem",
    ]);
  });
});

describe("/explain <path>", () => {
  it("shows the findings and the diff of that file, secrets masked", () => {
    const body = renderExplainPath({ ...input, path: "apps/shop/service.yaml" });
    expect(body).toContain("Service web changes type");
    expect(body).toContain("core/Service/shop/web".length > 0 ? "spec.type" : "");
    expect(body).not.toContain("parse-problem");
    expect(body).toMatchSnapshot();
    expectSafe(body);
  });

  it("a file without findings still shows its changes, and masks secrets", () => {
    const body = renderExplainPath({ ...input, path: "apps/shop/config.yaml" });
    expect(body).toContain("No finding in this file.");
    expect(body).toContain("data.mode");
    expectSafe(body);
  });

  it("a file the PR does not touch suggests the closest paths", () => {
    const body = renderExplainPath({ ...input, path: "apps/shop/servise.yaml" });
    expect(body).toBe(
      "This pull request does not change `apps/shop/servise.yaml`. Did you mean `apps/shop/service.yaml`?" +
        `\n\n${REPLY_MARKER}`,
    );
  });
});

describe("/help", () => {
  it.each([
    [null, "The commands I answer in pull request comments:"],
    ["deploy", "`/deploy` is not a command I know."],
  ])("unknown %s", (unknown, opening) => {
    const body = renderHelp(unknown);
    expect(body).toContain("| `/ack <rule-id> <reason>` |");
    expect(body.startsWith(opening)).toBe(true);
    expectSafe(body);
  });
});

describe("decideAck", () => {
  const gating = (severity: "info" | "low" | "medium" | "high" | "critical") => atLeast(severity, "high");
  const base = () => ({
    ruleId: "service-type-change" as string | null,
    reason: "the old ClusterIP has no clients, checked in Grafana",
    sender: "hubot",
    author: "octocat",
    permission: "write" as const,
    findings: report.findings,
    gateSeverity: "high" as const,
    state: emptyGateState(),
    at: "2024-05-02T10:00:00Z",
  });

  it("records an ack by a writer who is not the author", () => {
    const decision = decideAck(base(), gating);
    expect(decision.accepted).toBe(true);
    if (!decision.accepted) return;
    expect(decision.state.acks).toEqual([
      {
        ruleId: "service-type-change",
        fingerprints: [report.findings.find((f) => f.ruleId === "service-type-change")!.fingerprint],
        by: "hubot",
        reason: "the old ClusterIP has no clients, checked in Grafana",
        at: "2024-05-02T10:00:00Z",
      },
    ]);
    expect(decision.reply).toContain("It no longer holds the GitOps Review check");
    expectSafe(decision.reply);
  });

  it.each([
    {
      name: "no reason",
      over: { reason: "" },
      refusal: "no-reason",
      text: "An ack needs a rule id and a reason",
    },
    {
      name: "no rule",
      over: { ruleId: null, reason: "" },
      refusal: "no-reason",
      text: "An ack needs a rule id and a reason",
    },
    {
      name: "the author",
      over: { sender: "OctoCat" },
      refusal: "author",
      text: "the pull request's author cannot acknowledge",
    },
    {
      name: "read access",
      over: { sender: "reader", permission: "read" as const },
      refusal: "permission",
      text: "needs write access to this repository (you have read)",
    },
    {
      name: "triage access",
      over: { permission: "triage" as const },
      refusal: "permission",
      text: "(you have triage)",
    },
    {
      name: "a rule without findings here",
      over: { ruleId: "service-type-chnge" },
      refusal: "unknown-rule",
      text: "Did you mean `service-type-change`?",
    },
  ])("refuses: $name", ({ over, refusal, text }) => {
    const decision = decideAck({ ...base(), ...over }, gating);
    expect(decision).toMatchObject({ accepted: false, refusal });
    expect(decision.reply).toContain(text);
    expect(decision.reply).toContain("Nothing was acknowledged");
    expect("state" in decision).toBe(false);
    expectSafe(decision.reply);
  });
});
