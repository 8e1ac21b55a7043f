/**
 * The App as a service: an HTTP server that verifies webhooks and queues them, workers that run
 * the queued events through the App's handlers, the sweeper, health and metrics, and a drain on
 * SIGTERM. Jobs and the shared state live in Redis when REDIS_URL is set, in memory otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { availableParallelism } from "node:os";
import { Redis } from "ioredis";
import { createProbot, ProbotOctokit, type Logger, type Probot } from "probot";
import { createApp } from "../index.js";
import { forgetRepoConfig, useConfigCache } from "../github/load-config.js";
import type { RequestObservation } from "../github/request-policy.js";
import { BullQueue } from "../queue/bullmq-queue.js";
import { MemoryCoordination, RedisCoordination, type Coordination } from "../queue/coordination.js";
import { currentJob } from "../queue/job-context.js";
import { planJob, pushedDefaultBranch, type WebhookEvent } from "../queue/jobs.js";
import { MemoryQueue } from "../queue/memory-queue.js";
import type { JobQueue } from "../queue/queue.js";
import { createJobHandler, type Outcome } from "../queue/runner.js";
import { startSweeper } from "../queue/sweeper.js";
import { useReviewEngine } from "../review-worker/engine.js";
import { ReviewPool } from "../review-worker/pool.js";
import { MAX_WEBHOOK_BYTES } from "./body.js";
import { readiness } from "./health.js";
import { ServiceMetrics } from "./metrics.js";
import { handleWebhook, type Acceptance } from "./webhook.js";

export interface ServiceSettings {
  port: number;
  host: string;
  webhookPath: string;
  secret: string;
  redisUrl: string | null;
  /** Key prefix in Redis: deployments (or tests) sharing one Redis keep apart. */
  redisPrefix: string;
  concurrency: number;
  perInstallation: number;
  reviewThreads: number;
  reviewBudgetMs: number;
  graceMs: number;
  lockMs: number;
  sweepAfterMs: number;
  sweepEveryMs: number;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  configCacheMs: number;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Settings from the environment (the names are documented in docs/github-app.md). */
export function settingsFrom(env: NodeJS.ProcessEnv): ServiceSettings {
  return {
    port: numberFrom(env, "PORT", 3000),
    // Probot's default too: only this machine, unless HOST says otherwise (0.0.0.0 in the image).
    host: env.HOST || "localhost",
    webhookPath: env.WEBHOOK_PATH || "/api/github/webhooks",
    secret: env.WEBHOOK_SECRET || "development",
    redisUrl: env.REDIS_URL || null,
    redisPrefix: env.REDIS_PREFIX || "gitops-review",
    concurrency: numberFrom(env, "QUEUE_CONCURRENCY", 8),
    perInstallation: numberFrom(env, "INSTALLATION_CONCURRENCY", 4),
    reviewThreads: numberFrom(env, "REVIEW_THREADS", Math.min(4, Math.max(1, availableParallelism() - 1))),
    reviewBudgetMs: numberFrom(env, "REVIEW_BUDGET_SECONDS", 120) * 1000,
    graceMs: numberFrom(env, "SHUTDOWN_GRACE_SECONDS", 25) * 1000,
    lockMs: numberFrom(env, "QUEUE_LOCK_SECONDS", 30) * 1000,
    sweepAfterMs: numberFrom(env, "SWEEP_AFTER_SECONDS", 900) * 1000,
    sweepEveryMs: numberFrom(env, "SWEEP_EVERY_SECONDS", 60) * 1000,
    maxBodyBytes: numberFrom(env, "WEBHOOK_MAX_BYTES", MAX_WEBHOOK_BYTES),
    requestTimeoutMs: numberFrom(env, "GITHUB_TIMEOUT_SECONDS", 10) * 1000,
    configCacheMs: numberFrom(env, "CONFIG_CACHE_SECONDS", 600) * 1000,
  };
}

export interface RunningService {
  server: Server;
  stop(): Promise<void>;
}

/**
 * Probot without its retry and throttle plugins (src/github/request-policy.ts replaces both) and
 * without its Bottleneck connection to Redis (rate-limit pauses are shared through Coordination).
 */
function probotFrom(env: NodeJS.ProcessEnv): Probot {
  return createProbot({
    // One line per job at info level.
    env: { LOG_LEVEL: "info", ...env },
    overrides: {
      redisConfig: undefined,
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { ...(options.throttle as object), enabled: false },
      })),
    },
  });
}

export async function startService(env: NodeJS.ProcessEnv): Promise<RunningService> {
  const settings = settingsFrom(env);
  const probot = await probotFrom(env).ready();
  const log: Logger = probot.log.child({ name: "service" });

  const redis = settings.redisUrl
    ? new Redis(settings.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false })
    : null;
  redis?.on("error", (err) => log.warn({ err: err.message }, "redis connection error"));
  const coordination: Coordination = redis
    ? new RedisCoordination(redis, settings.redisPrefix)
    : new MemoryCoordination();
  const queue: JobQueue = redis
    ? new BullQueue({ connection: redis, lockMs: settings.lockMs, prefix: `${settings.redisPrefix}-bull` })
    : new MemoryQueue();
  const metrics = new ServiceMetrics(() => queue.counts());

  const pool = new ReviewPool({ size: settings.reviewThreads, budgetMs: settings.reviewBudgetMs });
  useReviewEngine(async (changeSet, options) => {
    const started = Date.now();
    try {
      return await pool.review(changeSet, options);
    } finally {
      metrics.renders.inc({ output: "thread" });
      metrics.stageSeconds.observe({ stage: "compute" }, (Date.now() - started) / 1000);
    }
  });
  useConfigCache({
    get: (key) => coordination.get(key),
    set: (key, value, ttl) => coordination.set(key, value, ttl),
    del: (key) => coordination.del(key),
    ttlMs: settings.configCacheMs,
    onLookup: (result) => metrics.cache.inc({ cache: "config", result }),
  });

  const observe = (observation: RequestObservation): void => {
    metrics.githubRequests.inc({
      method: observation.method,
      route: observation.route,
      status: String(observation.status),
    });
    const job = currentJob();
    if (!job) return;
    job.requests += 1;
    if (observation.rateLimitRemaining !== undefined)
      metrics.rateLimitRemaining.set(
        { installation: String(job.installation) },
        observation.rateLimitRemaining,
      );
  };
  await probot.load(
    createApp({
      retry: { timeoutMs: settings.requestTimeoutMs },
      requests: { pauses: coordination, observe },
    }),
  );

  let accepting = true;
  const accept = async (event: WebhookEvent): Promise<Acceptance> => {
    const pushed = pushedDefaultBranch(event);
    if (pushed) await forgetRepoConfig(pushed.owner, pushed.repo);
    const spec = planJob(event);
    if (!spec) return "ignored";
    if (!(await coordination.claimDelivery(event.id, 24 * 3600_000))) return "duplicate";
    if (spec.head !== undefined) {
      await coordination.noteHead(spec.pr, spec.head, spec.at ?? Date.now());
      await queue.dropOlderReviews(spec);
    }
    return queue.add(spec);
  };

  const handler = createJobHandler({
    coordination,
    execute: (spec) => probot.receive(spec.event as Parameters<Probot["receive"]>[0]),
    log,
    perInstallation: settings.perInstallation,
    lockTtlMs: settings.lockMs,
    onCheckCompleted: (conclusion) => metrics.reviews.inc({ conclusion }),
  });
  const onOutcome = (
    spec: { id: string; event: WebhookEvent; installation: number },
    outcome: Outcome,
    waitedMs: number,
  ): void => {
    metrics.jobs.inc({ outcome: outcome.type });
    metrics.queueWaitSeconds.observe(waitedMs / 1000);
    metrics.stageSeconds.observe({ stage: "queue" }, waitedMs / 1000);
    const fields = {
      job: spec.id,
      event: spec.event.name,
      delivery: spec.event.id,
      installation: spec.installation,
      waitedMs,
    };
    if (outcome.type === "done") {
      metrics.stageSeconds.observe({ stage: "job" }, outcome.ms / 1000);
      // The one line per job: how long, how many GitHub requests.
      log.info({ ...fields, ms: outcome.ms, requests: outcome.requests }, "job done");
    } else if (outcome.type === "superseded") {
      log.info(fields, "review superseded by a newer head, skipped");
    } else if (outcome.type === "retry") {
      log.warn({ ...fields, retryInMs: outcome.ms, err: outcome.error }, "job failed, will retry");
    } else if (outcome.type === "failed") {
      log.error({ ...fields, err: outcome.error }, "job failed");
    }
  };
  queue.start(handler, settings.concurrency, onOutcome);
  const stopSweeper = startSweeper({
    coordination,
    octokitFor: (installation) => probot.auth(installation) as never,
    log,
    deadlineMs: settings.sweepAfterMs,
    intervalMs: settings.sweepEveryMs,
  });

  const intake = {
    secret: settings.secret,
    maxBytes: settings.maxBodyBytes,
    log,
    accepting: () => accepting,
    accept,
    count: (event: string, result: string) => metrics.webhooks.inc({ event: event || "unknown", result }),
  };
  const server = createServer((request, response) => {
    route(request, response).catch((err: unknown) => {
      log.error({ err }, "request failed");
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").replace(/\?.*$/, "");
    if (path === settings.webhookPath) return handleWebhook(request, response, intake);
    if (path === "/ping") return void response.writeHead(200, { "content-type": "text/plain" }).end("PONG");
    if (path === "/healthz") return json(response, 200, { status: "ok" });
    if (path === "/readyz") {
      const ready = await readiness({ accepting, coordination });
      return json(response, ready.ready ? 200 : 503, ready);
    }
    if (path === "/metrics") {
      const body = await metrics.registry.metrics();
      return void response.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
    }
    json(response, 404, { error: "not found" });
  }
  // Slow or idle senders do not hold sockets for ever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, resolve);
  });
  log.info(
    {
      host: settings.host,
      port: settings.port,
      queue: queue.kind,
      concurrency: settings.concurrency,
      reviewThreads: settings.reviewThreads,
    },
    "listening",
  );

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Stop accepting (GitHub gets 503 and redelivery can go to another replica), finish or hand
      // back the running jobs, then close everything.
      accepting = false;
      log.info({ graceMs: settings.graceMs }, "draining");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close(settings.graceMs);
      stopSweeper();
      server.closeAllConnections();
      await closed;
      await pool.close();
      useReviewEngine(null);
      useConfigCache(null);
      await coordination.close();
      log.info("drained");
    })());
  return { server, stop };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
