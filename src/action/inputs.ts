/**
 * The Action's inputs. action.yml hands each one to the entry point as an `INPUT_*` variable
 * (a composite action must name them itself), so this is the one place that reads them.
 */
import { isAbsolute, resolve } from "node:path";
import { isSeverity, SEVERITIES, type Severity } from "../engine/types.js";
import { ActionError } from "./errors.js";

export interface ActionInputs {
  /** The checkout to review (absolute). */
  repo: string;
  /** Exit 1 at or above this severity; null never fails. */
  failOn: Severity | null;
  /** Where the SARIF file goes (absolute). */
  sarifFile: string;
  summary: boolean;
  comment: boolean;
  annotations: boolean;
  /** A config file to apply instead of the base revision's `.github/gitops-review.yml` (absolute). */
  config: string | null;
  token: string;
}

export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const at = (path: string) => (isAbsolute(path) ? path : resolve(workspace, path));
  const failOn = input(env, "FAIL_ON") || "high";
  if (failOn !== "never" && !isSeverity(failOn))
    throw new ActionError(`fail-on must be one of ${SEVERITIES.join(", ")} or never, not "${failOn}"`);
  const comment = flag(env, "COMMENT", false);
  const token = input(env, "GITHUB_TOKEN");
  if (comment && !token)
    throw new ActionError("comment: true needs a github-token (the default is the workflow's)");
  const config = input(env, "CONFIG");
  return {
    repo: at(input(env, "PATH") || "."),
    failOn: failOn === "never" ? null : failOn,
    sarifFile: at(input(env, "SARIF_FILE") || "gitops-review.sarif"),
    summary: flag(env, "SUMMARY", true),
    comment,
    annotations: flag(env, "ANNOTATIONS", true),
    config: config ? at(config) : null,
    token,
  };
}

function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name}`] ?? "").trim();
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = input(env, name).toLowerCase();
  if (value === "") return fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ActionError(`${name.toLowerCase().replace(/_/g, "-")} must be true or false, not "${value}"`);
}
