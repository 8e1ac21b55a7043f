/**
 * The queue in Redis with BullMQ, shared by every replica. A job whose worker died (SIGKILL, a
 * lost node) keeps its lock only for `lockMs`; BullMQ's stalled-job check then hands it to another
 * worker, which finds the check run the dead one left `in_progress` and completes it.
 * Retries and "not your turn yet" are delays of the same job (attempt counted in its data), so the
 * policy stays in src/queue/runner.ts for both queues.
 */
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { JobQueue, QueueCounts } from "./queue.js";
import type { JobSpec } from "./jobs.js";
import type { JobHandler, Outcome } from "./runner.js";

interface JobData {
  spec: JobSpec;
  attempt: number;
}

export interface BullQueueOptions {
  /** Connection for the queue; the worker opens its own copies. */
  connection: Redis;
  name?: string;
  prefix?: string;
  /** How long a running job's lock lasts without renewal (renewed at half of it). */
  lockMs?: number;
}

/** BullMQ refuses `:` in custom ids (its key separator). */
function jobIdOf(id: string): string {
  return id.replaceAll(":", "_");
}

export class BullQueue implements JobQueue {
  readonly kind = "redis";
  readonly #queue: Queue<JobData>;
  readonly #options: Required<Omit<BullQueueOptions, "connection">> & { connection: Redis };
  #worker: Worker<JobData> | null = null;

  constructor(options: BullQueueOptions) {
    this.#options = {
      name: "gitops-review",
      prefix: "gitops-review-bull",
      lockMs: 30_000,
      ...options,
    };
    this.#queue = new Queue<JobData>(this.#options.name, {
      connection: options.connection,
      prefix: this.#options.prefix,
    });
  }

  async add(spec: JobSpec): Promise<"queued" | "duplicate"> {
    const jobId = jobIdOf(spec.id);
    // BullMQ ignores an id it holds already; asking first tells the caller (two replicas racing
    // here both hear "queued", and still make one job).
    if ((await this.#queue.getJobState(jobId)) !== "unknown") return "duplicate";
    await this.#queue.add(
      "event",
      { spec, attempt: 1 },
      { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 },
    );
    return "queued";
  }

  /** Superseded reviews are skipped when their turn comes (the runner reads the newest head). */
  async dropOlderReviews(): Promise<number> {
    return 0;
  }

  start(
    handler: JobHandler,
    concurrency: number,
    onOutcome: (spec: JobSpec, outcome: Outcome, waitedMs: number) => void,
  ): void {
    const { name, prefix, lockMs, connection } = this.#options;
    this.#worker = new Worker<JobData>(
      name,
      async (job: Job<JobData>, token?: string) => {
        const { spec } = job.data;
        // A job taken over from a dead worker runs as a retry: what the other began may exist.
        const attempt = job.stalledCounter > 0 ? Math.max(2, job.data.attempt) : job.data.attempt;
        const waited = Date.now() - job.timestamp;
        const outcome = await handler({ spec, attempt });
        if (outcome.type === "defer" || outcome.type === "retry") {
          if (outcome.type === "retry") {
            onOutcome(spec, outcome, waited);
            await job.updateData({ spec, attempt: attempt + 1 });
          }
          await job.moveToDelayed(Date.now() + outcome.ms, token);
          throw new DelayedError();
        }
        onOutcome(spec, outcome, waited);
      },
      {
        connection: connection.duplicate({ maxRetriesPerRequest: null }),
        prefix,
        concurrency,
        lockDuration: lockMs,
        stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
        // A job that stalls again and again (it kills its worker) ends instead of looping.
        maxStalledCount: 3,
      },
    );
    this.#worker.on("error", () => undefined);
  }

  async counts(): Promise<QueueCounts> {
    const counts = await this.#queue.getJobCounts("wait", "active", "delayed", "prioritized", "paused");
    return {
      waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
    };
  }

  /** Running jobs get `graceMs` to finish; the rest stay in Redis for the other replicas. */
  async close(graceMs: number): Promise<void> {
    const worker = this.#worker;
    if (worker) {
      let timer: NodeJS.Timeout | undefined;
      const finished = worker.close().then(() => true);
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      // Past the grace period the locks are left to expire: another worker takes those jobs.
      if (!(await Promise.race([finished, late]))) await worker.close(true).catch(() => undefined);
      clearTimeout(timer);
    }
    await this.#queue.close();
  }
}
