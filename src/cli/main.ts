/**
 * `gitops-review`: the review engine on a local git range or two folders, for CI and for trying
 * the bot out. Exit codes: 0 below the threshold, 1 findings at or above it, 2 usage or I/O error.
 */
import { parseArgs } from "node:util";
import { rules } from "../../rules/index.js";
import { withCustomRules } from "../custom-rules/custom-rule.js";
import { CONFIG_PATH } from "../engine/config.js";
import { buildReport } from "../engine/pipeline.js";
import { atLeast, isSeverity, SEVERITIES, type Rule, type Severity } from "../engine/types.js";
import { renderComment } from "../render/comment.js";
import { renderJson } from "../render/json.js";
import { renderSarif } from "../render/sarif.js";
import { renderText } from "../render/text.js";
import { SourceError, type ChangeSet, type ContextReader } from "../source/change-set.js";
import { changeSetFromFolders } from "../source/folders.js";
import { changeSetFromGit } from "../source/git.js";
import { readRuleHelp } from "../docs/rule-help.js";
import { packageVersion } from "../package-root.js";
import { explainRule, listRules } from "./explain.js";
import { createProgress, type Progress, type ProgressOptions } from "./progress.js";
import { baseRevisionConfig, loadConfig } from "./review-config.js";

const FORMATS = ["text", "markdown", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

export const USAGE = `Usage:
  gitops-review diff <before-dir> <after-dir> [options]   review the change between two folders
  gitops-review review [--repo DIR] [--base REF] [--head REF] [options]
                                                          review a local git range (default base:
                                                          merge-base with the default branch)
  gitops-review rules                                     list the rules
  gitops-review explain <rule-id>                         what a rule checks and why

Options:
  --format text|markdown|json|sarif
                                output format (default: text); sarif is SARIF 2.1.0 for code scanning
  --fail-on <severity>          exit 1 when a finding is at or above it: ${SEVERITIES.join(", ")} (default: high)
  --config FILE                 a .github/gitops-review.yml to apply (review: the repo's own at the base
                                revision by default; the head's is reviewed, not applied)
  -h, --help                    this help
`;

class UsageError extends Error {}

interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Set when stderr is a terminal: long runs draw a progress line there. */
  stderrTerminal?: { columns?: number; progress?: Pick<ProgressOptions, "delayMs" | "intervalMs"> };
}

const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the CLI and returns its exit code (sets process.exitCode when called from the binary). */
export async function run(argv: readonly string[], output: Output = processOutput): Promise<number> {
  try {
    return await dispatch(argv, output);
  } catch (err) {
    if (err instanceof UsageError) {
      output.stderr(
        `gitops-review: ${err.message}\n${err.message.startsWith("unknown command") ? USAGE : ""}`,
      );
      return 2;
    }
    if (err instanceof SourceError || isNodeError(err)) {
      output.stderr(`gitops-review: ${(err as Error).message.split("\n")[0]}\n`);
      return 2;
    }
    throw err;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const stderrTerminal = process.stderr.isTTY ? { columns: process.stderr.columns } : undefined;
  process.exitCode = await run(argv, { ...processOutput, ...(stderrTerminal ? { stderrTerminal } : {}) });
}

function isNodeError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string";
}

async function dispatch(argv: readonly string[], output: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: "string", default: "text" },
        "fail-on": { type: "string", default: "high" },
        config: { type: "string" },
        repo: { type: "string", default: "." },
        base: { type: "string" },
        head: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || !command) {
    output.stdout(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === "rules") {
    output.stdout(listRules(rules));
    return 0;
  }
  if (command === "explain") {
    const explained = await explainRule(rules, args[0] ?? "");
    if (!explained.ok) throw new UsageError(explained.message);
    output.stdout(explained.text);
    return 0;
  }

  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  const failOn = values["fail-on"];
  if (!isSeverity(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(", ")}`);

  if (command !== "diff" && command !== "review") throw new UsageError(`unknown command "${command}"`);
  if (command === "diff" && args.length !== 2)
    throw new UsageError("diff needs two folders: gitops-review diff <before> <after>");

  const progress = createProgress({
    write: output.stderr,
    isTTY: output.stderrTerminal !== undefined,
    columns: output.stderrTerminal?.columns,
    ...output.stderrTerminal?.progress,
  });
  try {
    return await reviewAndRender(command, args, values, format, failOn, output, progress);
  } finally {
    progress.done();
  }
}

async function reviewAndRender(
  command: "diff" | "review",
  args: readonly string[],
  values: { config?: string; repo: string; base?: string; head?: string },
  format: Format,
  failOn: Severity,
  output: Output,
  progress: Progress,
): Promise<number> {
  progress.update("reading the changes");
  let source: { changeSet: ChangeSet; contextReader: ContextReader };
  if (command === "diff") {
    source = await changeSetFromFolders(args[0]!, args[1]!);
  } else {
    source = await changeSetFromGit({ repo: values.repo, base: values.base, head: values.head });
  }

  // A range is judged by the policy it starts from, as the App does: a head that weakens the
  // policy must not apply it to itself (the review-config-weakened rule reports the change).
  const config =
    command === "review" && values.config === undefined
      ? await baseRevisionConfig(source)
      : await loadConfig(values.config);
  if (config._extends) {
    output.stderr(
      `gitops-review: ${values.config ?? CONFIG_PATH} extends "${config._extends}", which the CLI does not follow: only this file applies\n`,
    );
  }
  const catalogue = withCustomRules(rules, config);
  progress.update(`reviewing ${source.changeSet.files.length} changed files`);
  const report = await buildReport({
    changeSet: source.changeSet,
    contextReader: withProgress(source.contextReader, progress),
    rules: catalogue.map((rule, index) => reportingRule(rule, index, catalogue.length, progress)),
    config,
  });
  progress.done();

  if (format === "json") output.stdout(renderJson(report) + "\n");
  else if (format === "sarif")
    output.stdout(
      renderSarif({ report, toolVersion: packageVersion(), help: await readRuleHelp(catalogue) }) + "\n",
    );
  else if (format === "markdown")
    output.stdout(renderComment({ report, headSha: source.changeSet.headRef ?? null }) + "\n");
  else output.stdout(renderText(report));

  return report.findings.some((finding) => atLeast(finding.severity, failOn)) ? 1 : 0;
}

/** Counts the unchanged files the review asks for (values files, kustomizations, charts). */
function withProgress(reader: ContextReader, progress: Progress): ContextReader {
  let read = 0;
  return {
    async read(paths) {
      progress.update(`reading ${read + paths.length} files the changes refer to`);
      const found = await reader.read(paths);
      read += paths.length;
      return found;
    },
  };
}

function reportingRule(rule: Rule, index: number, total: number, progress: Progress): Rule {
  return {
    ...rule,
    evaluate(context) {
      progress.update(`running rule ${index + 1} of ${total}`);
      return rule.evaluate(context);
    },
  };
}
