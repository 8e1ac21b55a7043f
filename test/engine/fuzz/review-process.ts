/**
 * The review engine in a child process, fed one fuzz case at a time over IPC, so the parent can
 * stop it when a case hangs (a synchronous loop cannot be interrupted from inside its own thread).
 * It answers each case with the broken promises it saw: a thrown error, a rule that failed, or
 * a file that differs from itself.
 */
import { rules as catalogue } from "../../../rules/index.js";
import { reviewChangeSet } from "../../../src/engine/review.js";
import { INTERNAL_ERROR_RULE_ID } from "../../../src/engine/runner.js";
import { changeSetOf, contextOf } from "../review-helpers.js";

export interface FuzzCase {
  type: "case";
  index: number;
  path: string;
  base: string;
  head: string;
  /** Texts to review against themselves (the mutated file, and the original on its first use). */
  selfChecks: string[];
  /** The seed folder, whose other files are the unchanged context on both sides. */
  folder: string;
  /** The folder's files, sent with the first case of each folder only. */
  folderFiles?: Record<string, string>;
}

export interface FuzzCaseResult {
  type: "done";
  index: number;
  failures: string[];
  /** Whether the mutated file was unreadable (a Problem) and whether it changed anything. */
  unreadable: boolean;
  changed: boolean;
  /** Time spent reviewing, without the process start-up. */
  ms: number;
}

interface CaseOutcome {
  failures: string[];
  unreadable: boolean;
  changed: boolean;
}

/** A rule that threw is kept as a finding by the runner; for the fuzz it is a crash all the same. */
function ruleFailures(findings: readonly { ruleId: string; message: string }[]): string[] {
  return findings.filter((f) => f.ruleId === INTERNAL_ERROR_RULE_ID).map((f) => `rule crash: ${f.message}`);
}

const folders = new Map<string, Record<string, string>>();

async function runCase(fuzzCase: FuzzCase): Promise<CaseOutcome> {
  if (fuzzCase.folderFiles) folders.set(fuzzCase.folder, fuzzCase.folderFiles);
  const context = { ...folders.get(fuzzCase.folder) };
  delete context[fuzzCase.path];
  const outcome: CaseOutcome = { failures: [], unreadable: false, changed: false };
  const failures = outcome.failures;
  const review = (base: string, head: string) =>
    reviewChangeSet(changeSetOf({ [fuzzCase.path]: [base, head] }), {
      contextReader: contextOf(context),
      rules: catalogue,
    });
  try {
    const forward = await review(fuzzCase.base, fuzzCase.head);
    failures.push(...ruleFailures(forward.findings));
    outcome.unreadable = forward.problems.some((problem) => problem.side === "head");
    outcome.changed = forward.diffs.some((diff) => diff.changes.length > 0);
    for (const text of fuzzCase.selfChecks) {
      const same = await review(text, text);
      failures.push(...ruleFailures(same.findings));
      const changes = same.diffs.flatMap((diff) =>
        diff.changes.map((change) => `${diff.pair.id} ${change.path}`),
      );
      if (changes.length > 0) failures.push(`a file differs from itself: ${changes.slice(0, 5).join(", ")}`);
      const findings = same.findings.filter(
        (f) => f.ruleId !== "parse-problem" && f.ruleId !== INTERNAL_ERROR_RULE_ID,
      );
      if (findings.length > 0)
        failures.push(`findings on a file against itself: ${findings.map((f) => f.ruleId).join(", ")}`);
    }
  } catch (err) {
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    failures.push(`crash: ${stack.split("\n").slice(0, 6).join("\n")}`);
  }
  return outcome;
}

process.on("message", (message: FuzzCase) => {
  const started = performance.now();
  void runCase(message).then((outcome) => {
    const ms = performance.now() - started;
    const result: FuzzCaseResult = { type: "done", index: message.index, ...outcome, ms };
    process.send!(result);
  });
});
