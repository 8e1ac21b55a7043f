/**
 * The little shared state the service keeps besides the queue, in Redis when replicas share it and
 * in memory for a single process (same interface): deliveries already seen, one lock per pull
 * request, the newest head known per pull request, check runs still open (for the sweeper),
 * rate-limit pauses per installation, and short-lived cached values (repository configs).
 * Everything here may be lost without harm: GitHub stays the source of truth.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

export interface Lock {
  /** Extends the lock; false when it was lost (expired and taken by another worker). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/** A check run this App created and has not completed yet. */
export interface OpenCheck {
  installation: number;
  owner: string;
  repo: string;
  checkRunId: number;
  headSha: string;
  startedAt: number;
}

export interface Coordination {
  readonly kind: "memory" | "redis";
  /** True the first time a delivery id is seen (within `ttlMs`). */
  claimDelivery(id: string, ttlMs: number): Promise<boolean>;
  tryLock(key: string, ttlMs: number): Promise<Lock | null>;
  /** Records `head` as the pull request's head when `at` is not older than the one known. */
  noteHead(pr: string, head: string, at: number): Promise<void>;
  latestHead(pr: string): Promise<string | null>;
  trackCheck(check: OpenCheck): Promise<void>;
  untrackCheck(checkRunId: number): Promise<void>;
  /** Open checks started before `before` (ms). */
  staleChecks(before: number): Promise<OpenCheck[]>;
  pausedUntil(key: string): Promise<number>;
  pause(key: string, until: number): Promise<void>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

interface Expiring<T> {
  value: T;
  until: number;
}

export class MemoryCoordination implements Coordination {
  readonly kind = "memory";
  readonly #values = new Map<string, Expiring<string>>();
  readonly #heads = new Map<string, { head: string; at: number }>();
  readonly #checks = new Map<number, OpenCheck>();

  #live(key: string): string | null {
    const entry = this.#values.get(key);
    if (!entry) return null;
    if (entry.until <= Date.now()) {
      this.#values.delete(key);
      return null;
    }
    return entry.value;
  }

  #put(key: string, value: string, ttlMs: number): void {
    this.#values.set(key, { value, until: Date.now() + Math.max(1, ttlMs) });
  }

  async claimDelivery(id: string, ttlMs: number): Promise<boolean> {
    const key = `delivery:${id}`;
    if (this.#live(key) !== null) return false;
    this.#put(key, "1", ttlMs);
    return true;
  }

  async tryLock(key: string, ttlMs: number): Promise<Lock | null> {
    const name = `lock:${key}`;
    if (this.#live(name) !== null) return null;
    const token = randomUUID();
    this.#put(name, token, ttlMs);
    return {
      renew: async () => {
        if (this.#live(name) !== token) return false;
        this.#put(name, token, ttlMs);
        return true;
      },
      release: async () => {
        if (this.#live(name) === token) this.#values.delete(name);
      },
    };
  }

  async noteHead(pr: string, head: string, at: number): Promise<void> {
    const known = this.#heads.get(pr);
    if (!known || known.at <= at) this.#heads.set(pr, { head, at });
    // Bounded: a long-running process forgets pull requests it has not heard of for a while.
    if (this.#heads.size > 50_000) this.#heads.delete(this.#heads.keys().next().value as string);
  }

  async latestHead(pr: string): Promise<string | null> {
    return this.#heads.get(pr)?.head ?? null;
  }

  async trackCheck(check: OpenCheck): Promise<void> {
    this.#checks.set(check.checkRunId, check);
  }

  async untrackCheck(checkRunId: number): Promise<void> {
    this.#checks.delete(checkRunId);
  }

  async staleChecks(before: number): Promise<OpenCheck[]> {
    return [...this.#checks.values()].filter((check) => check.startedAt < before);
  }

  async pausedUntil(key: string): Promise<number> {
    return Number(this.#live(`pause:${key}`) ?? 0);
  }

  async pause(key: string, until: number): Promise<void> {
    if (until > (await this.pausedUntil(key))) this.#put(`pause:${key}`, String(until), until - Date.now());
  }

  async get(key: string): Promise<string | null> {
    return this.#live(`kv:${key}`);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#put(`kv:${key}`, value, ttlMs);
  }

  async del(key: string): Promise<void> {
    this.#values.delete(`kv:${key}`);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}

// ---------------------------------------------------------------------------------------------

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
/** KEYS[1] head hash; ARGV: head, at. Keeps the newest head by event time. */
const NOTE_HEAD = `local at = tonumber(redis.call("hget", KEYS[1], "at") or "-1")
if tonumber(ARGV[2]) >= at then
  redis.call("hset", KEYS[1], "head", ARGV[1], "at", ARGV[2])
  redis.call("pexpire", KEYS[1], 604800000)
end
return 1`;
const PAUSE = `local until = tonumber(redis.call("get", KEYS[1]) or "0")
if tonumber(ARGV[1]) > until then redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2]) end
return 1`;

export class RedisCoordination implements Coordination {
  readonly kind = "redis";
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = "gitops-review") {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #key(name: string): string {
    return `${this.#prefix}:${name}`;
  }

  async claimDelivery(id: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#key(`delivery:${id}`), "1", "PX", ttlMs, "NX")) === "OK";
  }

  async tryLock(key: string, ttlMs: number): Promise<Lock | null> {
    const name = this.#key(`lock:${key}`);
    const token = randomUUID();
    if ((await this.#redis.set(name, token, "PX", ttlMs, "NX")) !== "OK") return null;
    return {
      renew: async () => Number(await this.#redis.eval(RENEW, 1, name, token, String(ttlMs))) === 1,
      release: async () => {
        await this.#redis.eval(RELEASE, 1, name, token);
      },
    };
  }

  async noteHead(pr: string, head: string, at: number): Promise<void> {
    await this.#redis.eval(NOTE_HEAD, 1, this.#key(`head:${pr}`), head, String(at));
  }

  async latestHead(pr: string): Promise<string | null> {
    return this.#redis.hget(this.#key(`head:${pr}`), "head");
  }

  async trackCheck(check: OpenCheck): Promise<void> {
    await this.#redis
      .multi()
      .hset(this.#key("checks"), String(check.checkRunId), JSON.stringify(check))
      .zadd(this.#key("checks-by-start"), check.startedAt, String(check.checkRunId))
      .exec();
  }

  async untrackCheck(checkRunId: number): Promise<void> {
    await this.#redis
      .multi()
      .hdel(this.#key("checks"), String(checkRunId))
      .zrem(this.#key("checks-by-start"), String(checkRunId))
      .exec();
  }

  async staleChecks(before: number): Promise<OpenCheck[]> {
    const ids = await this.#redis.zrangebyscore(this.#key("checks-by-start"), 0, before - 1, "LIMIT", 0, 100);
    if (ids.length === 0) return [];
    const values = await this.#redis.hmget(this.#key("checks"), ...ids);
    return values.flatMap((value) => (value ? [JSON.parse(value) as OpenCheck] : []));
  }

  async pausedUntil(key: string): Promise<number> {
    return Number((await this.#redis.get(this.#key(`pause:${key}`))) ?? 0);
  }

  async pause(key: string, until: number): Promise<void> {
    const ttl = Math.max(1, until - Date.now());
    await this.#redis.eval(PAUSE, 1, this.#key(`pause:${key}`), String(until), String(ttl));
  }

  async get(key: string): Promise<string | null> {
    return this.#redis.get(this.#key(`kv:${key}`));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#key(`kv:${key}`), value, "PX", Math.max(1, ttlMs));
  }

  async del(key: string): Promise<void> {
    await this.#redis.del(this.#key(`kv:${key}`));
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.#redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
