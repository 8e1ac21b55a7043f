/**
 * What the gate needs from GitHub: the reviews of a pull request, each reviewer's permission, and
 * (when the config names teams or users) who is allowed to review. Only reviewers whose latest
 * review approves or requests changes are looked up, once each.
 */
import type { ProbotOctokit } from "probot";
import {
  latestReviews,
  sameLogin,
  type GateReview,
  type Permission,
  type ReviewState,
} from "../gate/evaluate.js";
import type { GateConfig } from "../gate/evaluate.js";
import type { PullRequestRef, RepoRef } from "./pull-request.js";

type Octokit = Pick<ProbotOctokit, "rest" | "paginate">;

const REVIEW_STATES: readonly ReviewState[] = [
  "APPROVED",
  "CHANGES_REQUESTED",
  "COMMENTED",
  "DISMISSED",
  "PENDING",
];

export async function listReviews(octokit: Octokit, pr: PullRequestRef): Promise<GateReview[]> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: 100,
  });
  return reviews
    .filter((review) => review.user && (REVIEW_STATES as readonly string[]).includes(review.state))
    .map((review) => ({
      user: review.user!.login,
      state: review.state as ReviewState,
      commitId: review.commit_id ?? null,
      submittedAt: review.submitted_at ?? null,
      bot: isBotAccount(review.user!),
    }));
}

/** GitHub Apps and `github-actions` are `type: Bot`; their logins end with `[bot]`. */
export function isBotAccount(user: { login: string; type?: string | null }): boolean {
  return user.type === "Bot" || user.login.endsWith("[bot]");
}

/** `role_name` knows maintain and triage; `permission` folds them into write and read. */
export async function permissionOf(octokit: Octokit, repo: RepoRef, username: string): Promise<Permission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: repo.owner,
      repo: repo.repo,
      username,
    });
    return toPermission(data.role_name) ?? toPermission(data.permission) ?? "none";
  } catch (error) {
    if ((error as { status?: number }).status === 404) return "none";
    throw error;
  }
}

function toPermission(value: string | null | undefined): Permission | null {
  switch (value) {
    case "admin":
    case "maintain":
    case "write":
    case "triage":
    case "read":
    case "none":
      return value;
    default:
      return null;
  }
}

/**
 * Whose permissions matter: the users with a standing approval or request for changes, minus the
 * author and bots (a bot counts only by name, with no permission to look up).
 */
export function reviewersToLookUp(reviews: readonly GateReview[], author: string): string[] {
  return latestReviews(reviews)
    .filter((review) => !review.bot)
    .map((review) => review.user)
    .filter((user) => !sameLogin(user, author));
}

export async function permissionsOf(
  octokit: Octokit,
  repo: RepoRef,
  users: readonly string[],
): Promise<Record<string, Permission>> {
  const permissions: Record<string, Permission> = {};
  for (const user of users) permissions[user] = await permissionOf(octokit, repo, user);
  return permissions;
}

/**
 * The reviewers among `users` that `gate.teams` / `gate.users` allow; null when the config sets
 * neither (anyone with write access counts). Team membership needs the `members: read` permission.
 */
export async function allowedReviewers(
  octokit: Octokit,
  repo: RepoRef,
  config: Pick<GateConfig, "teams" | "users">,
  users: readonly string[],
): Promise<Set<string> | null> {
  if (config.teams.length === 0 && config.users.length === 0) return null;
  const allowed = new Set<string>();
  for (const user of users) {
    if (config.users.some((listed) => sameLogin(listed, user))) {
      allowed.add(user);
      continue;
    }
    for (const team of config.teams) {
      const [org, slug] = team.includes("/") ? team.split("/", 2) : [repo.owner, team];
      if (await isActiveMember(octokit, org, slug, user)) {
        allowed.add(user);
        break;
      }
    }
  }
  return allowed;
}

async function isActiveMember(
  octokit: Octokit,
  org: string,
  teamSlug: string,
  username: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
      org,
      team_slug: teamSlug,
      username,
    });
    return data.state === "active";
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}
