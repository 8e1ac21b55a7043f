/**
 * The queue of a single process: jobs in memory, lost with the process (GitHub redelivers nothing
 * by itself, so SIGTERM finishes the queue before exiting; the sweeper of the next start cannot see
 * them). Use Redis for anything that must survive a crash.
 */
import type { JobQueue, QueueCounts } from "./queue.js";
import type { JobSpec } from "./jobs.js";
import type { JobHandler, Outcome } from "./runner.js";

interface Entry {
  spec: JobSpec;
  attempt: number;
  enqueuedAt: number;
}

export class MemoryQueue implements JobQueue {
  readonly kind = "memory";
  readonly #waiting: Entry[] = [];
  readonly #delayed = new Map<Entry, NodeJS.Timeout>();
  readonly #ids = new Set<string>();
  #active = 0;
  #concurrency = 0;
  #handler: JobHandler | null = null;
  #onOutcome: (spec: JobSpec, outcome: Outcome, waitedMs: number) => void = () => undefined;
  #closing = false;
  #idle: (() => void)[] = [];

  async add(spec: JobSpec): Promise<"queued" | "duplicate"> {
    if (this.#ids.has(spec.id)) return "duplicate";
    this.#ids.add(spec.id);
    this.#waiting.push({ spec, attempt: 1, enqueuedAt: Date.now() });
    this.#pump();
    return "queued";
  }

  async dropOlderReviews(spec: JobSpec): Promise<number> {
    let dropped = 0;
    for (let index = this.#waiting.length - 1; index >= 0; index -= 1) {
      const other = this.#waiting[index].spec;
      if (other.pr === spec.pr && other.head !== undefined && other.head !== spec.head) {
        this.#waiting.splice(index, 1);
        this.#ids.delete(other.id);
        dropped += 1;
      }
    }
    return dropped;
  }

  start(
    handler: JobHandler,
    concurrency: number,
    onOutcome: (spec: JobSpec, outcome: Outcome, waitedMs: number) => void,
  ): void {
    this.#handler = handler;
    this.#concurrency = concurrency;
    this.#onOutcome = onOutcome;
    this.#pump();
  }

  async counts(): Promise<QueueCounts> {
    return { waiting: this.#waiting.length, active: this.#active, delayed: this.#delayed.size };
  }

  /** Finishes what is queued (up to `graceMs`), then stops. */
  async close(graceMs: number): Promise<void> {
    this.#closing = true;
    const empty = new Promise<void>((resolve) => {
      if (this.#isEmpty()) resolve();
      else this.#idle.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([empty, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const handle of this.#delayed.values()) clearTimeout(handle);
    this.#delayed.clear();
  }

  #isEmpty(): boolean {
    return this.#active === 0 && this.#waiting.length === 0 && this.#delayed.size === 0;
  }

  #later(entry: Entry, ms: number): void {
    const handle = setTimeout(() => {
      this.#delayed.delete(entry);
      this.#waiting.push(entry);
      this.#pump();
    }, ms);
    this.#delayed.set(entry, handle);
  }

  #pump(): void {
    const handler = this.#handler;
    if (!handler) return;
    while (this.#active < this.#concurrency && this.#waiting.length > 0) {
      const entry = this.#waiting.shift() as Entry;
      this.#active += 1;
      const waited = Date.now() - entry.enqueuedAt;
      void handler({ spec: entry.spec, attempt: entry.attempt })
        .catch((error: unknown): Outcome => ({ type: "failed", error }))
        .then((outcome) => {
          this.#active -= 1;
          if (outcome.type === "defer") this.#later(entry, outcome.ms);
          else if (outcome.type === "retry")
            this.#later({ ...entry, attempt: entry.attempt + 1 }, outcome.ms);
          else this.#ids.delete(entry.spec.id);
          if (outcome.type !== "defer") this.#onOutcome(entry.spec, outcome, waited);
          if (this.#closing && this.#isEmpty()) for (const resolve of this.#idle.splice(0)) resolve();
          this.#pump();
        });
    }
  }
}
