/**
 * The service's Prometheus metrics (prom-client), one registry per process, served on /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { QueueCounts } from "../queue/queue.js";

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly reviews: Counter<"conclusion">;
  readonly jobs: Counter<"outcome">;
  readonly stageSeconds: Histogram<"stage">;
  readonly queueWaitSeconds: Histogram;
  readonly queueDepth: Gauge<"state">;
  readonly githubRequests: Counter<"method" | "route" | "status">;
  readonly rateLimitRemaining: Gauge<"installation">;
  readonly webhooks: Counter<"event" | "result">;
  readonly renders: Counter<"output">;
  readonly cache: Counter<"cache" | "result">;

  constructor(queueCounts: () => Promise<QueueCounts>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "gitops_review_" });
    this.reviews = new Counter({
      name: "gitops_review_reviews_total",
      help: "Reviews published, by check conclusion",
      labelNames: ["conclusion"],
      registers,
    });
    this.jobs = new Counter({
      name: "gitops_review_jobs_total",
      help: "Job runs by outcome (done, superseded, retry, failed)",
      labelNames: ["outcome"],
      registers,
    });
    this.stageSeconds = new Histogram({
      name: "gitops_review_stage_duration_seconds",
      help: "Duration by stage: queue (enqueue to start), compute (the engine), job (a whole job)",
      labelNames: ["stage"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.queueWaitSeconds = new Histogram({
      name: "gitops_review_queue_wait_seconds",
      help: "Time from enqueue to the start of a job's run",
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.queueDepth = new Gauge({
      name: "gitops_review_queue_depth",
      help: "Jobs in the queue by state",
      labelNames: ["state"],
      registers,
      async collect() {
        const counts = await queueCounts().catch(() => null);
        if (!counts) return;
        for (const [state, value] of Object.entries(counts)) this.set({ state }, value);
      },
    });
    this.githubRequests = new Counter({
      name: "gitops_review_github_requests_total",
      help: "GitHub API requests by route and status (0: no answer)",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.rateLimitRemaining = new Gauge({
      name: "gitops_review_github_rate_limit_remaining",
      help: "x-ratelimit-remaining last seen, per installation",
      labelNames: ["installation"],
      registers,
    });
    this.webhooks = new Counter({
      name: "gitops_review_webhooks_total",
      help: "Webhook deliveries by event and result (queued, duplicate, ignored, rejected, too-large)",
      labelNames: ["event", "result"],
      registers,
    });
    this.renders = new Counter({
      name: "gitops_review_renders_total",
      help: "Engine runs by where they ran (thread, inline)",
      labelNames: ["output"],
      registers,
    });
    this.cache = new Counter({
      name: "gitops_review_cache_total",
      help: "Cache look-ups by cache and result (hit, miss)",
      labelNames: ["cache", "result"],
      registers,
    });
  }
}
