/**
 * Which two commits of the checkout the review compares. `actions/checkout` on `pull_request`
 * checks out GitHub's merge commit (the head merged into the base tip), one commit deep by
 * default: its first parent is the base, fetched here alone if it is missing. A checkout of the
 * head itself is compared with its merge base with the event's base, which needs history.
 */
import { execFile } from "node:child_process";
import { ActionError } from "./errors.js";

export interface ReviewRange {
  base: string;
  head: string;
  /** How the base was found, for the log. */
  how: "merge-commit" | "merge-base";
}

/** A fetch of one commit; longer means a network or credentials problem worth reporting. */
const FETCH_TIMEOUT_MS = 120_000;
const GIT_TIMEOUT_MS = 30_000;

const FETCH_DEPTH_ADVICE =
  "check out with `fetch-depth: 0` (actions/checkout) and keep `persist-credentials` on, or fetch the base branch before this step";

export async function resolveRange(
  repo: string,
  pr: { baseSha: string; headSha: string },
): Promise<ReviewRange> {
  let head: string;
  try {
    head = await git(repo, ["rev-parse", "--verify", "HEAD^{commit}"]);
  } catch (err) {
    throw new ActionError(
      `${repo} is not a git checkout with a commit (${firstLine(err)}): run actions/checkout first`,
    );
  }
  const parents = await parentsOf(repo, head);
  // GitHub's merge commit: first parent the base tip it merged into, second parent the PR's head.
  if (parents.length === 2 && parents[1] === pr.headSha) {
    const base = parents[0]!;
    await ensureCommit(repo, base, "base");
    return { base, head, how: "merge-commit" };
  }
  await ensureCommit(repo, pr.baseSha, "base");
  let base: string;
  try {
    base = await git(repo, ["merge-base", pr.baseSha, head]);
  } catch (err) {
    const shallow = (await git(repo, ["rev-parse", "--is-shallow-repository"]).catch(() => "")) === "true";
    throw new ActionError(
      `cannot find where ${head.slice(0, 7)} branched from the base ${pr.baseSha.slice(0, 7)}` +
        (shallow ? ": the checkout is shallow" : `: ${firstLine(err)}`) +
        `; ${FETCH_DEPTH_ADVICE}`,
    );
  }
  // The base branch itself (pull_request_target checks it out by default): an empty range would
  // read as "nothing to review".
  if (base === head)
    throw new ActionError(
      `the checkout ${head.slice(0, 7)} is the base branch, not the pull request: check out ` +
        "`ref: ${{ github.event.pull_request.head.sha }}` (with `fetch-depth: 0`) on pull_request_target",
    );
  return { base, head, how: "merge-base" };
}

/** Parent ids from the commit object itself: they are there even when a shallow checkout hides history. */
async function parentsOf(repo: string, commit: string): Promise<string[]> {
  const raw = await git(repo, ["cat-file", "commit", commit]);
  const parents: string[] = [];
  for (const line of raw.split("\n")) {
    if (line === "") break; // end of the header
    const match = /^parent ([0-9a-f]{40})$/.exec(line);
    if (match) parents.push(match[1]!);
  }
  return parents;
}

/** The commit, fetched alone (depth 1) from `origin` when the checkout does not have it. */
async function ensureCommit(repo: string, sha: string, label: string): Promise<void> {
  if (await hasCommit(repo, sha)) return;
  try {
    await git(
      repo,
      ["fetch", "--no-tags", "--no-recurse-submodules", "--depth=1", "origin", sha],
      FETCH_TIMEOUT_MS,
    );
  } catch (err) {
    throw new ActionError(
      `the ${label} commit ${sha.slice(0, 7)} is not in the checkout and fetching it from origin failed (${firstLine(err)}); ${FETCH_DEPTH_ADVICE}`,
    );
  }
  if (!(await hasCommit(repo, sha)))
    throw new ActionError(
      `the ${label} commit ${sha.slice(0, 7)} is not in the checkout; ${FETCH_DEPTH_ADVICE}`,
    );
}

async function hasCommit(repo: string, sha: string): Promise<boolean> {
  try {
    await git(repo, ["cat-file", "-e", `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

function git(repo: string, args: readonly string[], timeout = GIT_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      {
        cwd: repo,
        timeout,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(String(stderr).trim() || error.message));
        else resolve(String(stdout).trim());
      },
    );
  });
}

/** The first line of git's complaint, without credentials a remote URL may carry. */
function firstLine(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/\/\/[^/@\s]+@/g, "//");
  return (
    text
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? text
  );
}
