/**
 * The GitHub Action (action.yml): reviews the pull request's range in the job's checkout, writes
 * the review to the job summary and a SARIF file for `github/codeql-action/upload-sarif`,
 * annotates the lines, optionally keeps the sticky comment current with the workflow's token, and
 * fails per `fail-on`. Exit codes as the CLI: 0 below `fail-on`, 1 at or above it, 2 a problem
 * with the workflow (a shallow checkout, a wrong input), said in one error line.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { rules } from "../../rules/index.js";
import { withCustomRules } from "../custom-rules/custom-rule.js";
import { readRuleHelp } from "../docs/rule-help.js";
import { CONFIG_PATH } from "../engine/config.js";
import { buildReport } from "../engine/pipeline.js";
import type { Report } from "../engine/report.js";
import { atLeast, type Severity } from "../engine/types.js";
import { packageVersion } from "../package-root.js";
import { renderComment } from "../render/comment.js";
import { renderSarif } from "../render/sarif.js";
import { SourceError } from "../source/change-set.js";
import { changeSetFromGit } from "../source/git.js";
import { baseRevisionConfig, loadConfig } from "../cli/review-config.js";
import { postStickyComment } from "./comment.js";
import { ActionError } from "./errors.js";
import { readPullRequestEvent, type PullRequestEvent } from "./event.js";
import { readInputs, type ActionInputs } from "./inputs.js";
import { resolveRange } from "./range.js";
import { appendSummary, command, setOutputs } from "./workflow.js";

/** Annotations per run: the runner shows only a few per step, the rest is in the summary and SARIF. */
const MAX_ANNOTATIONS = 50;

export interface ActionOutput {
  stdout: (text: string) => void;
}

const processOutput: ActionOutput = { stdout: (text) => process.stdout.write(text) };

export async function runAction(
  env: NodeJS.ProcessEnv = process.env,
  output: ActionOutput = processOutput,
): Promise<number> {
  try {
    return await review(env, output);
  } catch (err) {
    if (err instanceof ActionError || err instanceof SourceError) {
      output.stdout(command("error", `GitOps review: ${err.message}`));
      return 2;
    }
    throw err;
  }
}

export async function main(): Promise<void> {
  process.exitCode = await runAction();
}

async function review(env: NodeJS.ProcessEnv, output: ActionOutput): Promise<number> {
  const inputs = readInputs(env);
  const event = await readPullRequestEvent(env.GITHUB_EVENT_PATH, env.GITHUB_EVENT_NAME);
  const range = await resolveRange(inputs.repo, event);
  output.stdout(
    `Reviewing ${range.base.slice(0, 7)}..${range.head.slice(0, 7)} of #${event.number} (${range.how === "merge-commit" ? "GitHub's merge commit and its base" : "merge base with the base branch"})\n`,
  );

  const source = await changeSetFromGit({ repo: inputs.repo, base: range.base, head: range.head });
  const config = inputs.config ? await loadConfig(inputs.config) : await baseRevisionConfig(source);
  if (config._extends) {
    output.stdout(
      command(
        "warning",
        `GitOps review: ${inputs.config ? "the config" : CONFIG_PATH} extends "${config._extends}", which only the App follows: only this file applies`,
      ),
    );
  }
  // The repository's custom rules run, and appear in the SARIF, like the built-in ones.
  const catalogue = withCustomRules(rules, config);
  const report = await buildReport({ ...source, rules: catalogue, config });

  const body = renderComment({
    report,
    headSha: range.head,
    links: { repoUrl: event.repoUrl, baseSha: range.base, headSha: range.head },
    commands: false,
  });
  if (inputs.summary) await appendSummary(env, body);

  await mkdir(dirname(inputs.sarifFile), { recursive: true });
  await writeFile(
    inputs.sarifFile,
    renderSarif({ report, toolVersion: packageVersion(), help: await readRuleHelp(catalogue) }) + "\n",
    "utf8",
  );

  if (inputs.annotations) output.stdout(annotations(report, inputs, env).join(""));

  const commentUrl = inputs.comment ? await comment(inputs, event, body, env, output) : "";
  await setOutputs(env, {
    verdict: report.verdict.conclusion,
    title: report.verdict.title,
    findings: String(report.findings.length),
    gating: String(report.gating.length),
    highest: report.highest ?? "",
    "sarif-file": inputs.sarifFile,
    "comment-url": commentUrl,
  });

  output.stdout(`GitOps review: ${report.verdict.title}\n`);
  if (inputs.failOn && report.findings.some((finding) => atLeast(finding.severity, inputs.failOn!))) {
    output.stdout(command("error", `GitOps review: ${report.verdict.title} (fail-on: ${inputs.failOn})`));
    return 1;
  }
  return 0;
}

const ANNOTATION: Readonly<Record<Severity, "error" | "warning" | "notice">> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "notice",
  info: "notice",
};

/** One annotation per located finding, on the line in the pull request's diff. */
function annotations(report: Report, inputs: ActionInputs, env: NodeJS.ProcessEnv): string[] {
  // Annotation paths are relative to the workspace; the checkout may sit in a folder of it.
  const prefix = relative(env.GITHUB_WORKSPACE || process.cwd(), inputs.repo);
  const inWorkspace = prefix === "" || !prefix.startsWith("..") ? prefix : "";
  return report.findings
    .filter((finding) => finding.location.path !== "")
    .slice(0, MAX_ANNOTATIONS)
    .map((finding) =>
      command(ANNOTATION[finding.severity], report.redact(finding.message), {
        file: report.redact(inWorkspace ? `${inWorkspace}/${finding.location.path}` : finding.location.path),
        ...(finding.location.line ? { line: finding.location.line } : {}),
        title: report.redact(`${finding.severity}: ${finding.title} (${finding.ruleId})`),
      }),
    );
}

async function comment(
  inputs: ActionInputs,
  event: PullRequestEvent,
  body: string,
  env: NodeJS.ProcessEnv,
  output: ActionOutput,
): Promise<string> {
  const outcome = await postStickyComment(
    { token: inputs.token, ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}) },
    { owner: event.owner, repo: event.repo, number: event.number },
    body,
  );
  if (!outcome.ok) {
    // The review itself stands (summary, SARIF, exit code): a comment that could not be written
    // is a warning, not a lost review.
    output.stdout(command("warning", `GitOps review: the sticky comment was not written: ${outcome.reason}`));
    return "";
  }
  output.stdout(`Sticky comment ${outcome.action}: ${outcome.url}\n`);
  return outcome.url;
}
