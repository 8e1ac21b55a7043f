/**
 * `.github/gitops-review.yml` through Probot's `context.config`: read from the default branch, with
 * the organisation's `.github` repository as fallback and `_extends` support. A file that does not
 * parse or validate becomes a list of errors for the check run, never an exception.
 */
import { CONFIG_FILE, parseConfig, type ConfigResult } from "../engine/config.js";

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
