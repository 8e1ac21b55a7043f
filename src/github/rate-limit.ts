/**
 * Retries GitHub's secondary rate limit (403/429 with `retry-after`, or "secondary rate limit" in
 * the message). Probot 14 only logs it, which would leave a check stuck `in_progress` and no
 * comment. Every request of the event's Octokit (REST and GraphQL) goes through this hook.
 */
import type { Logger } from "probot";
import type { ProbotOctokit } from "probot";

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** A longer `retry-after` is not waited for: the error surfaces and the check reports it. */
  maxWaitSeconds?: number;
  /** Replaceable in tests. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_WAIT_SECONDS = 60;
const wrapped = new WeakSet<object>();

interface ResponseLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** Seconds to wait before retrying, or null when the error is not a secondary rate limit. */
function secondaryRateLimitWait(error: unknown, now = Date.now()): number | null {
  const e = error as ResponseLike;
  if (e?.status !== 403 && e?.status !== 429) return null;
  const headers = e.response?.headers ?? {};
  const retryAfter = headers["retry-after"];
  const secondary = /secondary rate limit/i.test(e.message ?? "");
  if (retryAfter === undefined && !secondary) return null;
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return Math.max(0, Number(retryAfter));
  if (String(headers["x-ratelimit-remaining"]) === "0" && headers["x-ratelimit-reset"] !== undefined) {
    return Math.max(0, Number(headers["x-ratelimit-reset"]) - Math.floor(now / 1000));
  }
  return DEFAULT_WAIT_SECONDS;
}

export function retrySecondaryRateLimits(
  octokit: Pick<ProbotOctokit, "hook">,
  log: Pick<Logger, "warn">,
  options: RetryOptions = {},
): void {
  if (wrapped.has(octokit)) return;
  wrapped.add(octokit);
  const maxRetries = options.maxRetries ?? 2;
  const maxWait = options.maxWaitSeconds ?? 120;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const wait = secondaryRateLimitWait(error);
        if (wait === null || attempt >= maxRetries || wait > maxWait) throw error;
        log.warn(
          { method: requestOptions.method, url: requestOptions.url, retryAfter: wait, attempt: attempt + 1 },
          "secondary rate limit hit, retrying",
        );
        await sleep(wait * 1000);
      }
    }
  });
}
