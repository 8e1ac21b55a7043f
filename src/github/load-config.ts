/**
 * `.github/gitops-review.yml` through Probot's `context.config`: read from the default branch, with
 * the organisation's `.github` repository as fallback and `_extends` support. A file that does not
 * parse or validate becomes a list of errors for the check run, never an exception.
 */
import merge from "deepmerge";
import type { ProbotOctokit } from "probot";
import { parse as parseYaml } from "yaml";
import { CONFIG_FILE, CONFIG_PATH, parseConfig, type ConfigResult } from "../engine/config.js";
import type { ReviewConfigSide } from "../source/change-set.js";
import type { RepoRef } from "./pull-request.js";

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

/**
 * Both sides of a pull request that changes the configuration, each loaded as `context.config`
 * would load it were that commit the default branch, for the review-config-weakened rule.
 *
 * The head's `_extends` is followed only to where the policy already lives (the organisation's
 * `.github` defaults, or a file the base's policy reads): a pull request alone never makes the App
 * read another repository. A new source is reported unread instead, its file's own keys compared.
 */
export async function loadConfigChange(
  octokit: Pick<ProbotOctokit, "config">,
  pr: RepoRef & { baseSha: string; headSha: string },
  headFile: string | null,
): Promise<{ base: ReviewConfigSide; head: ReviewConfigSide }> {
  const base = await loadConfigAt(octokit, pr, pr.baseSha);
  const own = ownFile(headFile);
  const match = typeof own?._extends === "string" ? EXTENDS.exec(own._extends) : null;
  if (own && match) {
    const target = { owner: match[1] ?? pr.owner, repo: match[2], path: match[3] ?? CONFIG_PATH };
    if (!isHome(target, pr) && !base.read.includes(sourceKey(target))) {
      const head = { raw: own, extendsFrom: [sourceName(target)], extendsRead: false };
      return { base: base.side, head };
    }
  }
  // No `_extends`, a known one, or one the plugin refuses (its error is the head's problem).
  return { base: base.side, head: (await loadConfigAt(octokit, pr, pr.headSha)).side };
}

/** Whether a pull request's file list touches the configuration (a rename away counts). */
export function touchesConfig(files: readonly { path: string; previousPath?: string }[]): boolean {
  return files.some((file) => file.path === CONFIG_PATH || file.previousPath === CONFIG_PATH);
}

/** `_extends: [owner/]repo[:path]`, exactly as @probot/octokit-plugin-config reads it. */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

/** A configuration file somewhere on GitHub. */
interface ConfigFileRef {
  owner: string;
  repo: string;
  path: string;
}

function sourceName(source: ConfigFileRef): string {
  return `${source.owner}/${source.repo}:${source.path}`;
}

function sourceKey(source: ConfigFileRef): string {
  return sourceName(source).toLowerCase();
}

/** The repository's own file and its organisation's defaults: where the policy lives. */
function isHome(source: ConfigFileRef, repo: RepoRef): boolean {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return (
    same(source.owner, repo.owner) &&
    source.path === CONFIG_PATH &&
    (same(source.repo, repo.repo) || source.repo === ".github")
  );
}

/** The head's file as a map, or null (absent, not YAML, not a map: the plugin's read says why). */
function ownFile(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = parseYaml(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The repository's file at `ref` (else the organisation's `.github` defaults), merged over what it
 * `_extends` exactly as Probot's `context.config` merges (deepmerge, arrays concatenated). Extended
 * files are read from their own default branches, as they will be once this commit is merged.
 * `read`: every file looked at, found or not.
 */
async function loadConfigAt(
  octokit: Pick<ProbotOctokit, "config">,
  repo: RepoRef,
  ref: string,
): Promise<{ side: ReviewConfigSide; read: string[] }> {
  try {
    const { config, files } = await octokit.config.get({
      owner: repo.owner,
      repo: repo.repo,
      path: CONFIG_PATH,
      branch: ref,
      defaults: (configs) => merge.all([{}, ...configs]) as Record<string, unknown>,
    });
    // Anything beyond the policy's home (even a file that does not exist yet) is a source someone
    // else may control.
    const elsewhere = files.filter((file) => !isHome(file, repo));
    const side = {
      raw: files.some((file) => file.config !== null) ? config : null,
      extendsFrom: elsewhere.map(sourceName),
      extendsRead: true,
    };
    return { side, read: files.map(sourceKey) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!PLUGIN_ERROR.test(message)) throw error;
    const side = { raw: null, extendsFrom: [], extendsRead: true, error: message.replace(PLUGIN_ERROR, "") };
    return { side, read: [] };
  }
}
