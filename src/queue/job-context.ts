/**
 * What the code running inside a job may ask about it, without being handed it through every
 * call: which attempt this is, whether a failure will be retried, whether a newer head of the pull
 * request superseded this review, and where to note check runs left open (for the sweeper).
 * Outside a job (tests driving handlers directly, the CLI) there is none and everything proceeds
 * as a single attempt.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { OpenCheck } from "./coordination.js";

export interface JobRun {
  readonly id: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly installation: number;
  /** The pull request head this job was queued for (reviews from `pull_request` events only). */
  readonly head?: string;
  /** GitHub requests made so far by this job. */
  requests: number;
  /** The pull request's newer head when one is known: a review of `head` must not be published. */
  newerHead(head: string): Promise<string | null>;
  /** True when `error` ends this attempt but the job will run again. */
  willRetry(error: unknown): boolean;
  checkStarted(check: Omit<OpenCheck, "installation" | "startedAt">): Promise<void>;
  /** A check run of this job was completed with `conclusion`. */
  checkCompleted(checkRunId: number, conclusion: string): Promise<void>;
}

const storage = new AsyncLocalStorage<JobRun>();

export function currentJob(): JobRun | undefined {
  return storage.getStore();
}

export function runInJob<T>(run: JobRun, fn: () => Promise<T>): Promise<T> {
  return storage.run(run, fn);
}
