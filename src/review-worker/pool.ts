/**
 * A fixed pool of review threads with a time budget per review: a thread over budget is
 * terminated (and replaced), and the review fails with ReviewBudgetError instead of holding a
 * job, a lock and a core for ever.
 */
import { Worker } from "node:worker_threads";
import type { ReviewResult } from "../engine/types.js";
import type { ChangeSet } from "../source/change-set.js";
import type { EngineOptions } from "./engine.js";
import type { FromThread, ToThread } from "./messages.js";

export class ReviewBudgetError extends Error {
  constructor(readonly budgetMs: number) {
    super(`the review took longer than its budget of ${budgetMs} ms`);
    this.name = "ReviewBudgetError";
  }
}

interface Task {
  id: number;
  changeSet: ChangeSet;
  options: EngineOptions;
  resolve: (result: ReviewResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer?: NodeJS.Timeout;
}

const THREAD_URL = new URL("./thread.js", import.meta.url);

export class ReviewPool {
  readonly #size: number;
  readonly #budgetMs: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextTask = 0;
  #closed = false;

  constructor(options: {
    size: number;
    budgetMs: number;
    resourceLimits?: { maxOldGenerationSizeMb: number };
  }) {
    this.#size = Math.max(1, options.size);
    this.#budgetMs = options.budgetMs;
    for (let index = 0; index < this.#size; index += 1) this.#slots.push(this.#spawn(options.resourceLimits));
  }

  review(changeSet: ChangeSet, options: EngineOptions): Promise<ReviewResult> {
    if (this.#closed) return Promise.reject(new Error("review pool closed"));
    return new Promise<ReviewResult>((resolve, reject) => {
      this.#queue.push({ id: this.#nextTask++, changeSet, options, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const task of this.#queue.splice(0)) task.reject(new Error("review pool closed"));
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  #spawn(resourceLimits?: { maxOldGenerationSizeMb: number }): Slot {
    const slot: Slot = {
      worker: new Worker(THREAD_URL, resourceLimits ? { resourceLimits } : {}),
      task: null,
    };
    slot.worker.on("message", (message: FromThread) => this.#onMessage(slot, message));
    slot.worker.on("error", (error) => this.#finish(slot, error));
    slot.worker.on("exit", () => {
      if (this.#closed) return;
      this.#finish(slot, new Error("review thread exited"));
      this.#replace(slot, resourceLimits);
    });
    slot.worker.unref();
    return slot;
  }

  #replace(slot: Slot, resourceLimits?: { maxOldGenerationSizeMb: number }): void {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots[index] = this.#spawn(resourceLimits);
    this.#dispatch();
  }

  #finish(slot: Slot, error: Error | null, result?: ReviewResult): void {
    const task = slot.task;
    if (!task) return;
    clearTimeout(slot.timer);
    slot.task = null;
    if (error) task.reject(error);
    else task.resolve(result as ReviewResult);
    this.#dispatch();
  }

  #onMessage(slot: Slot, message: FromThread): void {
    const task = slot.task;
    if (!task || message.task !== task.id) return;
    if (message.type === "done") return this.#finish(slot, null, message.result);
    if (message.type === "failed") return this.#finish(slot, new Error(message.message));
    const reader = task.options.contextReader;
    const reply = (files: Awaited<ReturnType<NonNullable<EngineOptions["contextReader"]>["read"]>>) =>
      slot.worker.postMessage({ type: "files", read: message.read, files } satisfies ToThread);
    if (!reader) return reply([]);
    reader.read(message.paths).then(reply, (error: Error) => {
      // A failed read fails the review (a transient fault is retried by the job); the thread is
      // recycled so nothing waits on an answer that never comes.
      this.#finish(slot, error);
      void slot.worker.terminate();
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.task || this.#queue.length === 0) continue;
      const task = this.#queue.shift() as Task;
      slot.task = task;
      slot.timer = setTimeout(() => {
        this.#finish(slot, new ReviewBudgetError(this.#budgetMs));
        void slot.worker.terminate();
      }, this.#budgetMs);
      // Snapshots read through their source's client (functions), which stays in this thread.
      const changeSet: ChangeSet = { ...task.changeSet };
      delete changeSet.snapshots;
      const message: ToThread = {
        type: "review",
        task: task.id,
        changeSet,
        hasReader: task.options.contextReader !== undefined,
        customRules: task.options.customRules ?? [],
      };
      slot.worker.postMessage(message);
    }
  }
}
