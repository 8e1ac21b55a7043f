/**
 * Render results by content: (tool version, chart digest, release, namespace, values hash, kube
 * version, API versions, flags). Bounded in memory by the size of the output it holds, least
 * recently used first out. Concurrent requests for one key share one render.
 */
import { createHash } from "node:crypto";
import type { BuildResult } from "./types.js";

export interface CacheLimits {
  /** Bytes of tool output the cached results stand for. */
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxBytes: 256 * 1024 * 1024, maxEntries: 2000 };

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export class RenderCache {
  private readonly entries = new Map<string, { result: BuildResult; bytes: number }>();
  private readonly inFlight = new Map<string, Promise<{ result: BuildResult; bytes: number }>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS) {}

  /** The cached result for `key`, or the result of `render` (cached when it succeeded). */
  async get(
    key: string,
    render: () => Promise<{ result: BuildResult; bytes: number }>,
  ): Promise<BuildResult> {
    const known = this.entries.get(key);
    if (known) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, known);
      return known.result.ok ? { ...known.result, cached: true } : known.result;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.hits++;
      const shared = await pending;
      return shared.result.ok ? { ...shared.result, cached: true } : shared.result;
    }
    this.misses++;
    const promise = render();
    this.inFlight.set(key, promise);
    try {
      const rendered = await promise;
      // Only successes are kept: a timeout on a busy machine should be retried next time.
      if (rendered.result.ok) this.store(key, rendered);
      return rendered.result;
    } finally {
      this.inFlight.delete(key);
    }
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes };
  }

  private store(key: string, entry: { result: BuildResult; bytes: number }): void {
    if (entry.bytes > this.limits.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    while (this.bytes > this.limits.maxBytes || this.entries.size > this.limits.maxEntries) {
      const [oldest, value] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.bytes -= value.bytes;
    }
  }
}

/** sha256 of a value's JSON with object keys sorted, so key order in a values file never matters. */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value ?? null);
}
