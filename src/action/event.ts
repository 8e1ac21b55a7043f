/**
 * The pull request a workflow run is about, from the event payload the runner wrote
 * (`GITHUB_EVENT_PATH`). The payload is data from GitHub, checked field by field all the same.
 */
import { readFile } from "node:fs/promises";
import { ActionError } from "./errors.js";

export interface PullRequestEvent {
  owner: string;
  repo: string;
  number: number;
  /** Tip of the base branch when the event fired. */
  baseSha: string;
  baseRef: string;
  /** The pull request's own head commit (the checkout may be GitHub's merge commit instead). */
  headSha: string;
  /** `https://github.com/owner/repo`, for links to lines. */
  repoUrl: string;
}

const SHA = /^[0-9a-f]{40}$/;

export async function readPullRequestEvent(
  eventPath: string | undefined,
  eventName: string | undefined,
): Promise<PullRequestEvent> {
  if (!eventPath)
    throw new ActionError("GITHUB_EVENT_PATH is not set: this runs as a step of a GitHub Actions job");
  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(eventPath, "utf8"));
  } catch (err) {
    throw new ActionError(`cannot read the event payload ${eventPath}: ${(err as Error).message}`);
  }
  const pr = field(payload, "pull_request");
  if (!isRecord(pr)) {
    throw new ActionError(
      `this Action reviews pull requests, and the ${eventName ?? "current"} event has none: ` +
        "run it on `pull_request` (or `pull_request_target`)",
    );
  }
  const baseSha = field(field(pr, "base"), "sha");
  const headSha = field(field(pr, "head"), "sha");
  const number = field(pr, "number");
  const fullName = field(field(payload, "repository"), "full_name");
  if (typeof baseSha !== "string" || !SHA.test(baseSha) || typeof headSha !== "string" || !SHA.test(headSha))
    throw new ActionError("the event's pull_request has no base.sha and head.sha commit ids");
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number <= 0)
    throw new ActionError("the event's pull_request has no number");
  if (typeof fullName !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(fullName))
    throw new ActionError("the event has no repository.full_name");
  const [owner, repo] = fullName.split("/") as [string, string];
  const htmlUrl = field(field(payload, "repository"), "html_url");
  const baseRef = field(field(pr, "base"), "ref");
  return {
    owner,
    repo,
    number,
    baseSha,
    baseRef: typeof baseRef === "string" ? baseRef : "",
    headSha,
    repoUrl:
      typeof htmlUrl === "string" && /^https?:\/\//.test(htmlUrl)
        ? htmlUrl
        : `https://github.com/${fullName}`,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}
