/**
 * One `gitops-risk:*` label for the highest severity found (medium and above); the others this
 * App manages are removed. Labels are created with a colour the first time they are needed.
 */
import type { ProbotOctokit } from "probot";
import { LABELLED_SEVERITIES, type LabelledSeverity, type ReviewConfig } from "../engine/config.js";
import type { Severity } from "../engine/types.js";
import type { PullRequestRef } from "./pull-request.js";

const COLOURS: Readonly<Record<LabelledSeverity, string>> = {
  critical: "b60205",
  high: "d93f0b",
  medium: "fbca04",
};

type Octokit = Pick<ProbotOctokit, "rest">;

export interface LabelPlan {
  add: { name: string; severity: LabelledSeverity } | null;
  remove: string[];
}

/** Pure: which labels to add and remove, given the PR's current labels. */
export function planLabels(
  config: ReviewConfig,
  highest: Severity | null,
  current: readonly string[],
): LabelPlan {
  const wanted = LABELLED_SEVERITIES.find((severity) => severity === highest) ?? null;
  const wantedName = wanted ? config.labels[wanted] : null;
  const managed = LABELLED_SEVERITIES.map((severity) => config.labels[severity]);
  return {
    add:
      wanted && wantedName && !current.includes(wantedName) ? { name: wantedName, severity: wanted } : null,
    remove: managed.filter((name) => name !== wantedName && current.includes(name)),
  };
}

export async function applyLabels(octokit: Octokit, pr: PullRequestRef, plan: LabelPlan): Promise<void> {
  for (const name of plan.remove) {
    try {
      await octokit.rest.issues.removeLabel({
        owner: pr.owner,
        repo: pr.repo,
        issue_number: pr.number,
        name,
      });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  if (!plan.add) return;
  try {
    await octokit.rest.issues.createLabel({
      owner: pr.owner,
      repo: pr.repo,
      name: plan.add.name,
      color: COLOURS[plan.add.severity],
      description: `gitops-review-bot: highest finding is ${plan.add.severity}`,
    });
  } catch (error) {
    // 422: the label exists already, with whatever colour the repository gave it.
    if ((error as { status?: number }).status !== 422) throw error;
  }
  await octokit.rest.issues.addLabels({
    owner: pr.owner,
    repo: pr.repo,
    issue_number: pr.number,
    labels: [plan.add.name],
  });
}
