/**
 * One `gitops-risk:*` label for the highest severity found (medium and above); the others this
 * App manages are removed, in one request; a label GitHub creates on first use then gets its colour.
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

/**
 * The plan in one request: labels added (GitHub creates a missing one), one removed, or the whole
 * set replaced when both change (`current` is what the pull request carried just before). A label
 * GitHub has just created for us is then given its colour, once per repository.
 */
export async function applyLabels(
  octokit: Octokit,
  pr: PullRequestRef,
  plan: LabelPlan,
  current: readonly string[],
): Promise<void> {
  const where = { owner: pr.owner, repo: pr.repo, issue_number: pr.number };
  let labels: { name: string; color?: string; description?: string | null }[];
  if (plan.remove.length === 0) {
    if (!plan.add) return;
    ({ data: labels } = await octokit.rest.issues.addLabels({ ...where, labels: [plan.add.name] }));
  } else if (plan.remove.length === 1 && !plan.add) {
    try {
      await octokit.rest.issues.removeLabel({ ...where, name: plan.remove[0] });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
    return;
  } else {
    const next = current.filter((name) => !plan.remove.includes(name));
    if (plan.add) next.push(plan.add.name);
    ({ data: labels } = await octokit.rest.issues.setLabels({ ...where, labels: next }));
  }
  if (!plan.add) return;
  const label = labels.find((candidate) => candidate.name === plan.add?.name);
  // Created just now by GitHub: its default colour and no description. A label someone else
  // made or recoloured keeps what they gave it.
  if (!label || label.description || label.color === COLOURS[plan.add.severity]) return;
  await octokit.rest.issues.updateLabel({
    owner: pr.owner,
    repo: pr.repo,
    name: plan.add.name,
    color: COLOURS[plan.add.severity],
    description: `gitops-review-bot: highest finding is ${plan.add.severity}`,
  });
}
