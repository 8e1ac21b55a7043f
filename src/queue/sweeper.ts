/**
 * Completes check runs this App left `in_progress` past a deadline (a worker killed between
 * creating and completing one, a retry that never came): a required check stuck `in_progress`
 * blocks merging with nothing to recover it. They end `timed_out`, which still blocks merging but
 * says what happened and offers "Re-run". One replica sweeps at a time.
 */
import type { Logger, ProbotOctokit } from "probot";
import type { Coordination, OpenCheck } from "./coordination.js";

export interface SweeperOptions {
  coordination: Coordination;
  /** The installation's Octokit (Probot's `auth`). */
  octokitFor: (installation: number) => Promise<Pick<ProbotOctokit, "rest">>;
  log: Logger;
  /** A check still open this long after it started is swept. */
  deadlineMs: number;
  intervalMs: number;
}

export const TIMED_OUT_OUTPUT = {
  title: "The review did not finish",
  summary:
    "The review of this commit was interrupted and did not complete in time. Re-run this check or comment `/recheck` to review it again.",
};

/** One sweep; returns the checks completed. */
export async function sweepOnce(options: SweeperOptions, now = Date.now()): Promise<OpenCheck[]> {
  const lock = await options.coordination.tryLock("sweeper", options.intervalMs);
  if (!lock) return [];
  const swept: OpenCheck[] = [];
  try {
    for (const check of await options.coordination.staleChecks(now - options.deadlineMs)) {
      try {
        const octokit = await options.octokitFor(check.installation);
        const { data } = await octokit.rest.checks.get({
          owner: check.owner,
          repo: check.repo,
          check_run_id: check.checkRunId,
        });
        if (data.status !== "completed") {
          await octokit.rest.checks.update({
            owner: check.owner,
            repo: check.repo,
            check_run_id: check.checkRunId,
            status: "completed",
            conclusion: "timed_out",
            output: TIMED_OUT_OUTPUT,
          });
          swept.push(check);
          options.log.warn(
            { checkRunId: check.checkRunId, repo: `${check.owner}/${check.repo}` },
            "check run left in progress, completed as timed out",
          );
        }
        await options.coordination.untrackCheck(check.checkRunId);
      } catch (err) {
        const status = (err as { status?: number }).status;
        // Gone, or no longer ours to write (the App was uninstalled): nothing left to do.
        if (status === 404 || status === 403 || status === 401)
          await options.coordination.untrackCheck(check.checkRunId);
        else
          options.log.warn(
            { err, checkRunId: check.checkRunId },
            "could not sweep a check run, trying again later",
          );
      }
    }
  } finally {
    await lock.release();
  }
  return swept;
}

export function startSweeper(options: SweeperOptions): () => void {
  const timer = setInterval(() => {
    sweepOnce(options).catch((err: unknown) => options.log.warn({ err }, "check sweep failed"));
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
