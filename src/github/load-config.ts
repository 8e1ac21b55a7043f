/**
 * `.github/gitops-review.yml` through Probot's `context.config`: read from the default branch, with
 * the organisation's `.github` repository as fallback and `_extends` support. A file that does not
 * parse or validate becomes a list of errors for the check run, never an exception.
 */
import merge from "deepmerge";
import type { ProbotOctokit } from "probot";
import { CONFIG_FILE, CONFIG_PATH, parseConfig, type ConfigResult } from "../engine/config.js";
import type { ReviewConfigSide } from "../source/change-set.js";
import type { RepoRef } from "./pull-request.js";

export interface ConfigSource {
  config<T>(fileName: string): Promise<T | null>;
}

const PLUGIN_ERROR = /^\[@probot\/octokit-plugin-config\]\s*/;

export async function loadRepoConfig(context: ConfigSource): Promise<ConfigResult> {
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
 */
export async function loadConfigChange(
  octokit: Pick<ProbotOctokit, "config">,
  pr: RepoRef & { baseSha: string; headSha: string },
): Promise<{ base: ReviewConfigSide; head: ReviewConfigSide }> {
  const [base, head] = await Promise.all([
    loadConfigAt(octokit, pr, pr.baseSha),
    loadConfigAt(octokit, pr, pr.headSha),
  ]);
  return { base, head };
}

/** Whether a pull request's file list touches the configuration (a rename away counts). */
export function touchesConfig(files: readonly { filename: string; previous_filename?: string }[]): boolean {
  return files.some((file) => file.filename === CONFIG_PATH || file.previous_filename === CONFIG_PATH);
}

/**
 * The repository's file at `ref` (else the organisation's `.github` defaults), merged over what it
 * `_extends` exactly as Probot's `context.config` merges (deepmerge, arrays concatenated). Extended
 * files are read from their own default branches, as they will be once this commit is merged.
 */
async function loadConfigAt(
  octokit: Pick<ProbotOctokit, "config">,
  repo: RepoRef,
  ref: string,
): Promise<ReviewConfigSide> {
  try {
    const { config, files } = await octokit.config.get({
      owner: repo.owner,
      repo: repo.repo,
      path: CONFIG_PATH,
      branch: ref,
      defaults: (configs) => merge.all([{}, ...configs]) as Record<string, unknown>,
    });
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    // The repository's own file and the organisation's defaults are the policy's home; anything
    // else it extends (even a file that does not exist yet) is a source someone else controls.
    const elsewhere = files.filter(
      (file) =>
        !(
          same(file.owner, repo.owner) &&
          file.path === CONFIG_PATH &&
          (same(file.repo, repo.repo) || file.repo === ".github")
        ),
    );
    return {
      raw: files.some((file) => file.config !== null) ? config : null,
      extendsFrom: elsewhere.map((file) => `${file.owner}/${file.repo}:${file.path}`),
      extendsRead: true,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!PLUGIN_ERROR.test(message)) throw error;
    return { raw: null, extendsFrom: [], extendsRead: true, error: message.replace(PLUGIN_ERROR, "") };
  }
}
