/**
 * Risk labels in one request: added (GitHub creates a missing label), one removed, or the set
 * replaced when the severity moves; a label GitHub just created gets its colour once.
 */
import { describe, expect, it } from "@jest/globals";
import { defaultConfig } from "../../src/engine/config.js";
import { applyLabels, planLabels } from "../../src/github/labels.js";

const PR = { owner: "acme", repo: "fleet", number: 12 };
/** How the issues API names the pull request. */
const ISSUE = { owner: "acme", repo: "fleet", issue_number: 12 };

interface Call {
  route: string;
  params: Record<string, unknown>;
}

/** The issues API as labels use it; `existing` labels answer with their colour and description. */
function fakeOctokit(existing: Record<string, { color: string; description: string | null }> = {}) {
  const calls: Call[] = [];
  const answer = (labels: string[]) => ({
    data: labels.map((name) => ({ name, ...(existing[name] ?? { color: "ededed", description: null }) })),
  });
  const record =
    (route: string, reply: (params: Record<string, unknown>) => unknown = () => ({ data: [] })) =>
    async (params: Record<string, unknown>) => {
      calls.push({ route, params });
      return reply(params);
    };
  const octokit = {
    rest: {
      issues: {
        addLabels: record("POST labels", (params) => answer(params.labels as string[])),
        setLabels: record("PUT labels", (params) => answer(params.labels as string[])),
        removeLabel: record("DELETE label"),
        updateLabel: record("PATCH label"),
      },
    },
  };
  return { octokit: octokit as never, calls };
}

describe("applyLabels", () => {
  const config = defaultConfig();

  it("adds the first risk label in one request, then gives the label GitHub created its colour", async () => {
    const { octokit, calls } = fakeOctokit();
    const plan = planLabels(config, "critical", ["team:payments"]);
    await applyLabels(octokit, PR, plan, ["team:payments"]);
    expect(calls).toEqual([
      { route: "POST labels", params: { ...ISSUE, labels: ["gitops-risk:critical"] } },
      {
        route: "PATCH label",
        params: {
          owner: "acme",
          repo: "fleet",
          name: "gitops-risk:critical",
          color: "b60205",
          description: "gitops-review-bot: highest finding is critical",
        },
      },
    ]);
  });

  it("leaves a label the repository already has as it is", async () => {
    const { octokit, calls } = fakeOctokit({
      "gitops-risk:high": { color: "5319e7", description: "ours now" },
    });
    await applyLabels(octokit, PR, planLabels(config, "high", []), []);
    expect(calls.map((call) => call.route)).toEqual(["POST labels"]);
  });

  it("moves the label from critical to medium in one request, keeping everyone else's labels", async () => {
    const existing = {
      "gitops-risk:medium": { color: "fbca04", description: "gitops-review-bot: highest finding is medium" },
    };
    const { octokit, calls } = fakeOctokit(existing);
    const current = ["gitops-risk:critical", "team:payments", "needs-docs"];
    await applyLabels(octokit, PR, planLabels(config, "medium", current), current);
    expect(calls).toEqual([
      {
        route: "PUT labels",
        params: { ...ISSUE, labels: ["team:payments", "needs-docs", "gitops-risk:medium"] },
      },
    ]);
  });

  it("removes the only risk label when nothing is risky any more", async () => {
    const { octokit, calls } = fakeOctokit();
    await applyLabels(octokit, PR, planLabels(config, "low", ["gitops-risk:high", "bug"]), [
      "gitops-risk:high",
      "bug",
    ]);
    expect(calls).toEqual([{ route: "DELETE label", params: { ...ISSUE, name: "gitops-risk:high" } }]);
  });
});
