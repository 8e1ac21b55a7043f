/**
 * How every GitHub request of an event's Octokit is made: a timeout per attempt, retries with
 * backoff for transient faults on requests that are safe to repeat (reads, GraphQL queries, PUT,
 * PATCH, DELETE; a POST only when GitHub certainly did not apply it), rate limits honoured (a short
 * wait in place, a longer one handed to the job queue), a JSON body cut short treated as a fault,
 * and a pause shared by all replicas once an installation hit a rate limit.
 *
 * Probot's own retry and throttle plugins are turned off where this runs (see src/server/): the
 * retry plugin repeats a POST that GitHub may have applied, and the throttle spaces GraphQL reads
 * like writes, one second apart.
 */
import type { Logger, ProbotOctokit } from "probot";
import {
  isTransient,
  rateLimitWait,
  RateLimitedError,
  TruncatedResponseError,
  writeNotApplied,
} from "./faults.js";

/** Where replicas share "this installation is rate limited until T" (Redis, or memory). */
export interface RateLimitPauses {
  pausedUntil(key: string): Promise<number>;
  pause(key: string, until: number): Promise<void>;
}

export interface RequestObservation {
  method: string;
  /** The route template (`/repos/{owner}/{repo}/pulls/{pull_number}`), or `graphql`. */
  route: string;
  /** HTTP status, or 0 when no answer came (timeout, connection error). */
  status: number;
  ms: number;
  /** `x-ratelimit-remaining` when GitHub sent it. */
  rateLimitRemaining?: number;
}

export interface RetryOptions {
  /** Attempts per request, the first included (default 3). */
  maxAttempts?: number;
  /** Rate-limit waits up to this long happen in place; longer ones fail the job with a retry time. */
  maxWaitSeconds?: number;
  /** Milliseconds per attempt before the request is abandoned (default 10 s). */
  timeoutMs?: number;
  /** Backoff before retry `attempt` (1-based) of a transient fault. */
  backoffMs?: (attempt: number) => number;
  /** Replaceable in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestPolicy extends RetryOptions {
  /** Key for the shared rate-limit pause, e.g. the installation id. */
  key?: string;
  pauses?: RateLimitPauses;
  observe?: (observation: RequestObservation) => void;
}

const wrapped = new WeakSet<object>();

interface HookOptions {
  method?: string;
  url?: string;
  query?: string;
  request?: Record<string, unknown>;
  [key: string]: unknown;
}

function defaultBackoff(attempt: number): number {
  // 200 ms, 800 ms, 1.8 s... with jitter so replicas do not retry in step.
  return 200 * attempt * attempt * (0.75 + Math.random() / 2);
}

function routeOf(options: HookOptions): string {
  const url = String(options.url ?? "");
  if (url === "/graphql" || url.endsWith("/graphql")) return "graphql";
  // Pagination follows absolute URLs: keep the path, numbers folded, for a bounded metric label.
  if (url.includes("://"))
    return new URL(url).pathname.replace(/^\/api\/v3/, "").replace(/\/\d+(?=\/|$)/g, "/{n}");
  return url.replace(/\?.*$/, "");
}

/** GraphQL queries, GET, HEAD, PUT, PATCH and DELETE give the same result when repeated. */
function isRepeatable(options: HookOptions, route: string): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (route === "graphql") return !/^\s*mutation\b/.test(String(options.query ?? ""));
  return method !== "POST";
}

function statusOf(error: unknown): number {
  const status = (error as { status?: unknown })?.status;
  return typeof status === "number" ? status : 0;
}

function remainingOf(headers: Record<string, unknown> | undefined): number | undefined {
  const value = headers?.["x-ratelimit-remaining"];
  return value === undefined ? undefined : Number(value);
}

/**
 * Installs the policy on an Octokit, once. The hook wraps every request (REST, pagination,
 * GraphQL) made through it.
 */
export function applyRequestPolicy(
  octokit: Pick<ProbotOctokit, "hook">,
  log: Pick<Logger, "warn">,
  policy: RequestPolicy = {},
): void {
  if (wrapped.has(octokit)) return;
  wrapped.add(octokit);
  const maxAttempts = policy.maxAttempts ?? 3;
  const maxWaitMs = (policy.maxWaitSeconds ?? 30) * 1000;
  const timeoutMs = policy.timeoutMs ?? 10_000;
  const backoff = policy.backoffMs ?? defaultBackoff;
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { key, pauses, observe } = policy;

  octokit.hook.wrap("request", async (request, requestOptions) => {
    const options = requestOptions as unknown as HookOptions;
    const route = routeOf(options);
    const method = (options.method ?? "GET").toUpperCase();
    const repeatable = isRepeatable(options, route);
    for (let attempt = 1; ; attempt += 1) {
      if (key !== undefined && pauses) {
        const wait = (await pauses.pausedUntil(key)) - Date.now();
        if (wait > maxWaitMs) throw new RateLimitedError(Date.now() + wait, null);
        if (wait > 0) await sleep(wait);
      }
      const started = Date.now();
      options.request = { ...options.request, signal: AbortSignal.timeout(timeoutMs) };
      let failure: unknown;
      try {
        const response = await request(requestOptions);
        const headers = response.headers as Record<string, unknown>;
        observe?.({
          method,
          route,
          status: response.status,
          ms: Date.now() - started,
          rateLimitRemaining: remainingOf(headers),
        });
        // @octokit/request hands back the text when a JSON body does not parse.
        const contentType = String(headers["content-type"] ?? "");
        if (typeof response.data === "string" && contentType.includes("json"))
          throw new TruncatedResponseError(route);
        const errors =
          route === "graphql" ? (response.data as { errors?: unknown[] } | null)?.errors : undefined;
        // GraphQL answers 200 with `errors` (and maybe partial data): GraphqlResponseError follows
        // from the caller unless a retry clears it.
        if (!Array.isArray(errors) || errors.length === 0 || attempt >= maxAttempts) return response;
        failure = Object.assign(new Error("GraphQL errors"), {
          name: "GraphqlResponseError",
          errors,
          response,
        });
        if (!isTransient(failure)) return response;
      } catch (error) {
        if (!(error instanceof TruncatedResponseError)) {
          const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
          observe?.({
            method,
            route,
            status: statusOf(error),
            ms: Date.now() - started,
            rateLimitRemaining: remainingOf(headers),
          });
        }
        failure = error;
      }

      const wait = rateLimitWait(failure);
      if (wait !== null) {
        // Every replica waits for this installation, not only the one that was told.
        if (key !== undefined && pauses) await pauses.pause(key, Date.now() + wait);
        if (wait > maxWaitMs || attempt >= maxAttempts)
          throw new RateLimitedError(Date.now() + wait, failure);
        log.warn({ method, route, waitMs: wait, attempt }, "rate limited, waiting");
        await sleep(wait);
        continue;
      }
      const mayRepeat = repeatable || writeNotApplied(failure);
      if (!isTransient(failure) || !mayRepeat || attempt >= maxAttempts) throw failure;
      log.warn({ method, route, status: statusOf(failure), attempt }, "transient GitHub fault, retrying");
      await sleep(backoff(attempt));
    }
  });
}
