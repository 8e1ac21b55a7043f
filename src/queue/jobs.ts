/**
 * Which job a verified webhook becomes. Pure: no I/O. A job carries the event itself (the
 * handlers in src/github/ run on it later, in a worker) plus the keys the queue needs:
 * - `id`: duplicates are dropped while one is queued or running. A review is keyed by pull
 *   request, head and base, so the same push delivered twice (or to two replicas) is one review;
 *   other work by delivery id.
 * - `pr`: one job per pull request runs at a time, on any replica.
 * - `head` and `at`: a review of a newer head supersedes an older one, queued or running.
 */

export interface WebhookEvent {
  id: string;
  name: string;
  payload: unknown;
}

export interface JobSpec {
  id: string;
  pr: string;
  installation: number;
  /** Set for reviews of a pull request head. */
  head?: string;
  /** Event time (ms) of that head, to order pushes that arrive out of order. */
  at?: number;
  event: WebhookEvent;
}

const REVIEW_ACTIONS = new Set(["opened", "synchronize", "reopened", "ready_for_review", "edited"]);
const GATE_ACTIONS = new Set(["submitted", "edited", "dismissed"]);

interface Payload {
  action?: string;
  installation?: { id?: number };
  repository?: { name?: string; owner?: { login?: string } };
  pull_request?: { number?: number; head?: { sha?: string }; base?: { sha?: string }; updated_at?: string };
  issue?: { number?: number; pull_request?: unknown };
  check_run?: { name?: string; head_sha?: string; pull_requests?: { number: number }[] };
  check_suite?: { head_sha?: string; pull_requests?: { number: number }[] };
  changes?: Record<string, unknown>;
}

function time(value: string | undefined): number {
  const parsed = value ? Date.parse(value) : NaN;
  return Number.isFinite(parsed) ? parsed : 0;
}

/** The job for an event, or null when the App has nothing to do with it. */
export function planJob(event: WebhookEvent): JobSpec | null {
  const payload = (event.payload ?? {}) as Payload;
  const installation = payload.installation?.id;
  const owner = payload.repository?.owner?.login;
  const repo = payload.repository?.name;
  if (typeof installation !== "number" || !owner || !repo) return null;
  const repoKey = `${owner}/${repo}`.toLowerCase();
  const action = payload.action ?? "";
  const base = { installation, event };

  switch (event.name) {
    case "pull_request": {
      const pr = payload.pull_request;
      if (!REVIEW_ACTIONS.has(action) || !pr?.number || !pr.head?.sha) return null;
      // An edited title or body changes nothing the review reads; a new base branch does.
      if (action === "edited" && !(payload.changes && "base" in payload.changes)) return null;
      const prKey = `${repoKey}#${pr.number}`;
      return {
        ...base,
        id: `review|${prKey}|${pr.head.sha}|${pr.base?.sha ?? ""}`,
        pr: prKey,
        head: pr.head.sha,
        at: time(pr.updated_at),
      };
    }
    case "pull_request_review": {
      const pr = payload.pull_request;
      if (!GATE_ACTIONS.has(action) || !pr?.number) return null;
      return { ...base, id: `event|${event.id}`, pr: `${repoKey}#${pr.number}` };
    }
    case "issue_comment": {
      const issue = payload.issue;
      if ((action !== "created" && action !== "edited") || !issue?.number || !issue.pull_request) return null;
      return { ...base, id: `event|${event.id}`, pr: `${repoKey}#${issue.number}` };
    }
    case "check_run":
    case "check_suite": {
      const subject = event.name === "check_run" ? payload.check_run : payload.check_suite;
      if (action !== "rerequested" || !subject?.head_sha) return null;
      const listed = subject.pull_requests ?? [];
      // Forks list no pull request: the commit is the unit then.
      const pr = listed.length === 1 ? `${repoKey}#${listed[0].number}` : `${repoKey}@${subject.head_sha}`;
      return { ...base, id: `event|${event.id}`, pr };
    }
    default:
      return null;
  }
}

/** `push` to a repository's default branch: its cached configuration is stale. */
export function pushedDefaultBranch(event: WebhookEvent): { owner: string; repo: string } | null {
  if (event.name !== "push") return null;
  const payload = event.payload as {
    ref?: string;
    repository?: { name?: string; default_branch?: string; owner?: { login?: string; name?: string } };
  };
  const repository = payload.repository;
  const owner = repository?.owner?.login ?? repository?.owner?.name;
  if (!owner || !repository?.name || payload.ref !== `refs/heads/${repository.default_branch}`) return null;
  return { owner, repo: repository.name };
}
