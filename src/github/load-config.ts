/**
 * `.github/gitops-review.yml` through Probot's `context.config`: read from the default branch, with
 * the organisation's `.github` repository as fallback and `_extends` support. A file that does not
 * parse or validate becomes a list of errors for the check run, never an exception.
 */
import { CONFIG_FILE, parseConfig, type ConfigResult } from "../engine/config.js";

export interface ConfigSource {
  config<T>(fileName: string): Promise<T | null>;
  /** Probot's `context.repo()`: the cache key. */
  repo?: () => { owner: string; repo: string };
}

/**
 * Where configs are kept between events (the service sets one: Redis or memory). A repository's
 * entry is dropped on a push to its default branch; a push to the organisation's `.github`
 * repository (which any repository may fall back to or extend) starts a new generation for the
 * whole owner.
 */
export interface ConfigCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  ttlMs: number;
  onLookup?: (result: "hit" | "miss") => void;
}

let cache: ConfigCache | null = null;

export function useConfigCache(next: ConfigCache | null): void {
  cache = next;
}

function cacheKey(owner: string, repo: string): string {
  return `config:${owner.toLowerCase()}/${repo.toLowerCase()}`;
}

function generationKey(owner: string): string {
  return `config-generation:${owner.toLowerCase()}`;
}

/** After a push to `owner/repo`'s default branch. */
export async function forgetRepoConfig(owner: string, repo: string): Promise<void> {
  if (!cache) return;
  if (repo.toLowerCase() === ".github")
    await cache.set(generationKey(owner), String(Date.now()), 7 * 24 * 3600_000);
  await cache.del(cacheKey(owner, repo));
}

export async function loadRepoConfig(context: ConfigSource): Promise<ConfigResult> {
  let where: { owner: string; repo: string } | null;
  try {
    where = context.repo?.() ?? null;
  } catch {
    where = null;
  }
  if (!cache || !where) return readRepoConfig(context);
  const key = cacheKey(where.owner, where.repo);
  const [stored, generation] = await Promise.all([cache.get(key), cache.get(generationKey(where.owner))]);
  const entry = stored ? (JSON.parse(stored) as { generation: string; result: ConfigResult }) : null;
  if (entry && entry.generation === (generation ?? "")) {
    cache.onLookup?.("hit");
    return entry.result;
  }
  cache.onLookup?.("miss");
  const result = await readRepoConfig(context);
  await cache.set(key, JSON.stringify({ generation: generation ?? "", result }), cache.ttlMs);
  return result;
}

const PLUGIN_ERROR = /^\[@probot\/octokit-plugin-config\]\s*/;

async function readRepoConfig(context: ConfigSource): Promise<ConfigResult> {
  let raw: unknown;
  try {
    raw = await context.config<Record<string, unknown>>(CONFIG_FILE);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Bad YAML, a folder instead of a file, an _extends loop: the user's to fix. Anything else
    // (a 500, a missing permission) is ours and propagates.
    if (!PLUGIN_ERROR.test(message)) throw error;
    const cause =
      error instanceof Error && error.cause instanceof Error ? `: ${firstLine(error.cause.message)}` : "";
    return { ok: false, errors: [`${message.replace(PLUGIN_ERROR, "")}${cause}`] };
  }
  return parseConfig(raw);
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
