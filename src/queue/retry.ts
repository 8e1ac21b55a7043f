/**
 * When a failed job runs again: transient faults back off exponentially (with jitter, so replicas
 * do not retry in step), rate limits wait for their reset; anything else is final.
 */
import { isTransient, retryAtOf } from "../github/faults.js";

export const MAX_ATTEMPTS = 5;
const BASE_MS = 1000;
const CAP_MS = 60_000;

export function backoffMs(attempt: number, random = Math.random): number {
  const exponential = Math.min(CAP_MS, BASE_MS * 2 ** (attempt - 1));
  return Math.round(exponential * (0.75 + random() / 2));
}

/** Milliseconds until the next attempt, or null when the job should not be retried. */
export function retryDelay(
  error: unknown,
  attempt: number,
  maxAttempts = MAX_ATTEMPTS,
  now = Date.now(),
): number | null {
  if (attempt >= maxAttempts || !isTransient(error)) return null;
  const at = retryAtOf(error, now);
  return at === null ? backoffMs(attempt) : Math.max(0, at - now);
}
