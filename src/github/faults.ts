/**
 * What a failed GitHub request means for a retry: transient (5xx, timeouts, a connection cut,
 * a truncated body, GraphQL errors, rate limits) or final (401, 404, 422...). Rate limits say when
 * to come back. Shared by the per-request policy and the job queue's retries.
 */

/** A 2xx answer whose JSON body did not parse: GitHub (or a proxy) cut it short. */
export class TruncatedResponseError extends Error {
  readonly status = 502;
  constructor(route: string) {
    super(`truncated JSON body from ${route}`);
    this.name = "TruncatedResponseError";
  }
}

/** Thrown when a rate limit asks for a longer wait than a request may take: retry the job later. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAt: number,
    cause: unknown,
  ) {
    super(`rate limited until ${new Date(retryAt).toISOString()}`, { cause });
    this.name = "RateLimitedError";
  }
}

interface ErrorLike {
  name?: string;
  status?: number;
  message?: string;
  code?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  errors?: { type?: string }[];
  cause?: unknown;
}

const FINAL_GRAPHQL_TYPES = new Set(["NOT_FOUND", "FORBIDDEN", "INSUFFICIENT_SCOPES"]);

/**
 * Milliseconds until GitHub accepts requests again, or null when `error` is no rate limit.
 * Primary: 403/429 with `x-ratelimit-remaining: 0` (wait for `x-ratelimit-reset`); secondary:
 * `retry-after`, or the message (GitHub's advice without a header: wait a minute); GraphQL:
 * an error of type RATE_LIMITED.
 */
export function rateLimitWait(error: unknown, now = Date.now()): number | null {
  const e = (error ?? {}) as ErrorLike;
  const headers = e.response?.headers ?? {};
  if (graphqlErrors(e).some((entry) => entry.type === "RATE_LIMITED"))
    return resetWait(headers, now) ?? 60_000;
  if (e.status !== 403 && e.status !== 429) return null;
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter)))
    return Math.max(0, Number(retryAfter)) * 1000;
  if (String(headers["x-ratelimit-remaining"]) === "0") return resetWait(headers, now) ?? 60_000;
  if (/secondary rate limit|abuse/i.test(e.message ?? "")) return 60_000;
  return null;
}

function resetWait(headers: Record<string, string | number | undefined>, now: number): number | null {
  const reset = Number(headers["x-ratelimit-reset"]);
  if (!Number.isFinite(reset) || reset <= 0) return null;
  // One second past the reset, as GitHub advises.
  return Math.max(0, reset * 1000 - now + 1000);
}

function graphqlErrors(e: ErrorLike): { type?: string }[] {
  if (Array.isArray(e.errors)) return e.errors;
  const data = e.response?.data as { errors?: unknown } | undefined;
  return Array.isArray(data?.errors) ? (data.errors as { type?: string }[]) : [];
}

/** Probot's `receive` gathers handler errors in an AggregateError: the first one decides. */
function unwrap(error: unknown): unknown {
  return error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
}

/** Whether trying again later can succeed. */
export function isTransient(failure: unknown): boolean {
  const error = unwrap(failure);
  const e = (error ?? {}) as ErrorLike;
  if (error instanceof RateLimitedError || error instanceof TruncatedResponseError) return true;
  if (rateLimitWait(error) !== null) return true;
  if (e.name === "AbortError" || e.name === "TimeoutError") return true;
  if (e.name === "GraphqlResponseError") {
    const errors = graphqlErrors(e);
    return errors.length === 0 || errors.some((entry) => !FINAL_GRAPHQL_TYPES.has(entry.type ?? ""));
  }
  if (typeof e.status === "number") return e.status >= 500 || e.status === 408;
  // fetch's TypeError ("fetch failed", "terminated") and socket errors carry no status.
  return e.name === "TypeError" || /^E[A-Z]+$/.test(e.code ?? "");
}

/** When a rate-limited job should run again (absolute ms), or null. */
export function retryAtOf(failure: unknown, now = Date.now()): number | null {
  const error = unwrap(failure);
  if (error instanceof RateLimitedError) return error.retryAt;
  const wait = rateLimitWait(error, now);
  return wait === null ? null : now + wait;
}

/**
 * Whether GitHub certainly did not apply a write that failed: it refused it (rate limit) or the
 * connection never opened. A 5xx or a timeout after sending may hide an applied write.
 */
export function writeNotApplied(error: unknown): boolean {
  const e = (error ?? {}) as ErrorLike & { cause?: ErrorLike };
  if (rateLimitWait(error) !== null) return true;
  const code = e.code ?? e.cause?.code ?? (e.cause?.cause as ErrorLike | undefined)?.code;
  return code === "ECONNREFUSED";
}
