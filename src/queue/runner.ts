/**
 * Runs one job, the same way for both queues: drops a review a newer head superseded, waits its
 * turn (one job per pull request on any replica, a bounded number per installation in this
 * process), runs the event with the job's context, and says what the queue should do next.
 */
import type { Logger } from "probot";
import type { Coordination, OpenCheck } from "./coordination.js";
import { runInJob, type JobRun } from "./job-context.js";
import type { JobSpec } from "./jobs.js";
import { MAX_ATTEMPTS, retryDelay } from "./retry.js";

export type Outcome =
  | { type: "done"; requests: number; ms: number }
  /** A review of a head that is no longer the newest: nothing was done. */
  | { type: "superseded" }
  /** Not this job's turn yet (its pull request or installation is busy): not an attempt. */
  | { type: "defer"; ms: number }
  | { type: "retry"; ms: number; error: unknown }
  | { type: "failed"; error: unknown };

export interface JobHandlerOptions {
  coordination: Coordination;
  /** Runs the event's handlers (Probot's `receive`). */
  execute: (spec: JobSpec) => Promise<void>;
  log: Logger;
  /** Jobs of one installation running at once in this process. */
  perInstallation: number;
  maxAttempts?: number;
  /** A pull request's lock lives this long unless renewed (a dead worker's lock expires). */
  lockTtlMs?: number;
  /** Told each completed check run's conclusion (metrics). */
  onCheckCompleted?: (conclusion: string) => void;
}

export interface QueuedJob {
  spec: JobSpec;
  /** 1 for the first run. */
  attempt: number;
}

export type JobHandler = (job: QueuedJob) => Promise<Outcome>;

export function createJobHandler(options: JobHandlerOptions): JobHandler {
  const { coordination, execute, log } = options;
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const running = new Map<number, number>();

  return async ({ spec, attempt }) => {
    if (spec.head !== undefined) {
      const latest = await coordination.latestHead(spec.pr);
      if (latest !== null && latest !== spec.head) return { type: "superseded" };
    }
    const busy = running.get(spec.installation) ?? 0;
    if (busy >= options.perInstallation) return { type: "defer", ms: 200 + Math.random() * 200 };
    const lock = await coordination.tryLock(spec.pr, lockTtlMs);
    if (!lock) return { type: "defer", ms: 250 + Math.random() * 250 };

    running.set(spec.installation, busy + 1);
    const renewal = setInterval(() => {
      lock.renew().then(
        (held) => held || log.warn({ job: spec.id }, "pull request lock lost while the job ran"),
        (err: unknown) => log.warn({ err, job: spec.id }, "could not renew the pull request lock"),
      );
    }, lockTtlMs / 3);
    const run: JobRun = {
      id: spec.id,
      attempt,
      maxAttempts,
      installation: spec.installation,
      ...(spec.head !== undefined ? { head: spec.head } : {}),
      requests: 0,
      newerHead: async (head) => {
        const latest = await coordination.latestHead(spec.pr);
        return latest !== null && latest !== head ? latest : null;
      },
      willRetry: (error) => retryDelay(error, attempt, maxAttempts) !== null,
      checkStarted: (check) =>
        coordination.trackCheck({
          ...check,
          installation: spec.installation,
          startedAt: Date.now(),
        } as OpenCheck),
      checkCompleted: async (checkRunId, conclusion) => {
        options.onCheckCompleted?.(conclusion);
        await coordination.untrackCheck(checkRunId);
      },
    };
    const started = Date.now();
    try {
      await runInJob(run, () => execute(spec));
      return { type: "done", requests: run.requests, ms: Date.now() - started };
    } catch (error) {
      const delay = retryDelay(error, attempt, maxAttempts);
      if (delay === null) return { type: "failed", error };
      return { type: "retry", ms: delay, error };
    } finally {
      clearInterval(renewal);
      const left = (running.get(spec.installation) ?? 1) - 1;
      if (left <= 0) running.delete(spec.installation);
      else running.set(spec.installation, left);
      await lock.release().catch(() => undefined);
    }
  };
}
