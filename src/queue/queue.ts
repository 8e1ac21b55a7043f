/**
 * The job queue, in memory for one process or in Redis with BullMQ for replicas: same interface,
 * same behaviour (src/queue/runner.ts decides what happens to each job).
 */
import type { JobSpec } from "./jobs.js";
import type { JobHandler, Outcome } from "./runner.js";

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
}

export interface JobQueue {
  readonly kind: "memory" | "redis";
  /** "duplicate" when a job with the same id is queued or running already. */
  add(spec: JobSpec): Promise<"queued" | "duplicate">;
  /** Removes queued reviews of the pull request for other heads (a newer push supersedes them). */
  dropOlderReviews(spec: JobSpec): Promise<number>;
  /** Starts `concurrency` workers; `onOutcome` sees every finished run (metrics, logs). */
  start(
    handler: JobHandler,
    concurrency: number,
    onOutcome: (spec: JobSpec, outcome: Outcome, waitedMs: number) => void,
  ): void;
  counts(): Promise<QueueCounts>;
  /** Stops taking jobs and waits for the running ones, at most `graceMs`; queued jobs stay (Redis) or are finished first (memory). */
  close(graceMs: number): Promise<void>;
}
