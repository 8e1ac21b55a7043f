/**
 * The second-reviewer gate. Pure: given the gating findings, the reviews, who may review and what
 * was acknowledged or ticked, decide whether the check opens, and say exactly what is missing.
 */
import { approvalsFor, type ReviewConfig } from "../engine/config.js";

export { approvalsFor };
import type { Verdict } from "../engine/policy.js";
import { severityRank, type Severity } from "../engine/types.js";
import { escapeMarkdown } from "../render/safe-text.js";
import { ackedFingerprints, checklistKeys, countedTicks, type GateState } from "./state.js";

export type GateConfig = ReviewConfig["gate"];

/** Repository permission as GitHub reports it (`role_name` when present, else `permission`). */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

/** One submitted pull request review, as `pulls.listReviews` returns it. */
export interface GateReview {
  user: string;
  state: ReviewState;
  /** Commit the review was given on; null when GitHub no longer knows it. */
  commitId: string | null;
  submittedAt: string | null;
  /** A `type: Bot` account (a GitHub App, `github-actions[bot]`): counts only when `gate.users` names it. */
  bot?: boolean;
}

/** What the gate needs to know about one finding (a PolicyFinding or the check run state's entry). */
export interface GateFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  /** Number of checklist items. */
  checklist: number;
}

export interface GateInput {
  /** Findings at or above the gate severity, after policy (acks are applied here). */
  findings: readonly GateFinding[];
  /** Login of the pull request's author. */
  author: string;
  headSha: string;
  reviews: readonly GateReview[];
  /** Permission of each reviewer; a missing login counts as `none`. */
  permissions: Readonly<Record<string, Permission>>;
  /**
   * Logins allowed by `gate.teams` / `gate.users` (team members resolved by the caller); null when
   * the config sets no allow-list, so anyone with write access counts.
   */
  allowed: ReadonlySet<string> | null;
  /** Ticks and acks recorded in the comment. */
  state: GateState;
}

export interface GateDecision {
  open: boolean;
  /** Required approvals for the highest remaining gating severity (0 when nothing gates). */
  required: number;
  /** Eligible reviewers whose latest review approves, in order of approval. */
  approvedBy: string[];
  /** Eligible reviewers whose latest review requests changes. */
  changesRequestedBy: string[];
  /** Approvals that did not count, and why (shown to make the gate predictable). */
  ignored: { user: string; reason: Ineligibility | "outdated" }[];
  /** Gating findings that an ack took out of the gate. */
  acknowledged: string[];
  /** Gating findings still gating. */
  gating: GateFinding[];
  /** Checklist items of gating findings not ticked by a non-author (only with `checklist: required`). */
  unticked: string[];
  /** Plain-text sentences, one per missing thing; empty when open. */
  missing: string[];
}

/** Why a review does not count, before its commit is looked at. */
export type Ineligibility = "author" | "bot" | "permission" | "not-allowed";

const WRITE_PERMISSIONS: readonly Permission[] = ["admin", "maintain", "write"];

export function hasWriteAccess(permission: Permission | undefined): boolean {
  return permission !== undefined && WRITE_PERMISSIONS.includes(permission);
}

export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Each user's review that stands: the latest one that is not a plain comment (a COMMENTED review
 * leaves the state as it was) and not pending. A DISMISSED review cancels the user's state.
 */
export function latestReviews(reviews: readonly GateReview[]): GateReview[] {
  const ordered = reviews
    .map((review, index) => ({ review, index }))
    .filter(({ review }) => review.state !== "COMMENTED" && review.state !== "PENDING")
    .sort((a, b) => compareTime(a.review.submittedAt, b.review.submittedAt) || a.index - b.index);
  const byUser = new Map<string, GateReview>();
  for (const { review } of ordered) byUser.set(review.user.toLowerCase(), review);
  return [...byUser.values()].filter((review) => review.state !== "DISMISSED");
}

function compareTime(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return Date.parse(a) - Date.parse(b);
}

export function evaluateGate(input: GateInput, config: GateConfig): GateDecision {
  const acked = ackedFingerprints(input.state);
  const gating = input.findings.filter((finding) => !acked.has(finding.fingerprint));
  const acknowledged = input.findings.filter((f) => acked.has(f.fingerprint)).map((f) => f.fingerprint);
  const highest = gating.reduce<Severity | null>(
    (top, f) => (top === null || severityRank(f.severity) > severityRank(top) ? f.severity : top),
    null,
  );
  const required = highest === null ? 0 : approvalsFor(config, highest);

  const approvedBy: string[] = [];
  const changesRequestedBy: string[] = [];
  const ignored: GateDecision["ignored"] = [];
  for (const review of latestReviews(input.reviews)) {
    const reason = ineligibility(review, input, config);
    if (review.state === "CHANGES_REQUESTED") {
      if (reason === null) changesRequestedBy.push(review.user);
      continue;
    }
    if (reason !== null) {
      ignored.push({ user: review.user, reason });
    } else if (config.currentHeadOnly && review.commitId !== input.headSha) {
      ignored.push({ user: review.user, reason: "outdated" });
    } else {
      approvedBy.push(review.user);
    }
  }

  const ticks = countedTicks(input.state, input.author);
  const unticked =
    config.checklist === "required"
      ? gating
          .flatMap((finding) => checklistKeys(finding.fingerprint, finding.checklist))
          .filter((key) => !ticks.has(key))
      : [];

  const missing: string[] = [];
  if (gating.length > 0) {
    if (changesRequestedBy.length > 0) {
      missing.push(
        `changes requested by ${changesRequestedBy.map((u) => `@${u}`).join(", ")}: ` +
          `${changesRequestedBy.length === 1 ? "their" : "each"} review must approve or be dismissed`,
      );
    }
    const lacking = required - approvedBy.length;
    if (lacking > 0) missing.push(approvalSentence(lacking, input, config, ignored));
    if (unticked.length > 0) {
      missing.push(
        `${unticked.length} checklist ${unticked.length === 1 ? "item needs" : "items need"} a tick ` +
          `from someone other than @${input.author}`,
      );
    }
  }
  return {
    open: missing.length === 0,
    required,
    approvedBy,
    changesRequestedBy,
    ignored,
    acknowledged,
    gating,
    unticked,
    missing,
  };
}

function ineligibility(review: GateReview, input: GateInput, config: GateConfig): Ineligibility | null {
  const { user } = review;
  if (sameLogin(user, input.author)) return "author";
  // A workflow in the pull request can drive a bot's review: only one the config names counts, and
  // it has no collaborator permission to look up.
  if (review.bot) return config.users.some((listed) => sameLogin(listed, user)) ? null : "bot";
  const permission = lookup(input.permissions, user);
  if (!hasWriteAccess(permission)) return "permission";
  if (input.allowed && ![...input.allowed].some((login) => sameLogin(login, user))) return "not-allowed";
  return null;
}

function lookup(permissions: Readonly<Record<string, Permission>>, user: string): Permission | undefined {
  if (user in permissions) return permissions[user];
  const key = Object.keys(permissions).find((login) => sameLogin(login, user));
  return key === undefined ? undefined : permissions[key];
}

/** "needs 1 more approval from someone other than @author with write access (…)". */
function approvalSentence(
  lacking: number,
  input: GateInput,
  config: GateConfig,
  ignored: GateDecision["ignored"],
): string {
  const who = [
    ...config.users.filter((user) => !sameLogin(user, input.author)).map((user) => `@${user}`),
    ...config.teams.map((team) => `@${team}`),
  ];
  const from =
    input.allowed && who.length > 0
      ? `from ${who.join(", ")} (not @${input.author})`
      : `from someone other than @${input.author} with write access`;
  const notes: string[] = [];
  const bots = ignored.filter((entry) => entry.reason === "bot").map((entry) => `@${entry.user}`);
  if (bots.length > 0) {
    notes.push(
      `${bots.join(", ")} ${bots.length === 1 ? "is a bot" : "are bots"}; a bot counts only when gate.users names it`,
    );
  }
  const outdated = ignored.filter((entry) => entry.reason === "outdated").map((entry) => `@${entry.user}`);
  if (outdated.length > 0) {
    notes.push(`${outdated.join(", ")} approved an older commit; approvals count on the current head only`);
  }
  return (
    `needs ${lacking} more ${lacking === 1 ? "approval" : "approvals"} ${from}` +
    (notes.length > 0 ? ` (${notes.join("; ")})` : "")
  );
}

/**
 * The verdict to render once the gate has decided. `base` is the policy's verdict (it already
 * handles "nothing in scope" and "below the gate"); `counts` is "2 critical, 1 high".
 */
export function gateVerdict(base: Verdict, counts: string, decision: GateDecision): Verdict {
  if (base.conclusion !== "action_required") return base;
  if (decision.gating.length === 0) {
    const n = decision.acknowledged.length;
    return {
      conclusion: "success",
      title: `${counts}: gating ${n === 1 ? "finding" : "findings"} acknowledged`,
      line:
        `**${n === 1 ? "The finding that reaches" : `All ${n} findings that reach`} the gate ` +
        `${n === 1 ? "is" : "are"} acknowledged:** see who acknowledged ${n === 1 ? "it" : "them"} and why below.`,
    };
  }
  if (decision.open) {
    const by = decision.approvedBy.map((user) => `@${user}`).join(", ");
    return {
      conclusion: "success",
      title: `${counts}: approved by ${by || "no one needed"}`,
      line: `**Second review done:** approved by ${escapeMarkdown(by || "no one needed")}.`,
    };
  }
  // The title stays the short form; the summary's first line and the comment say what is missing.
  const what = decision.missing.join("; ");
  return {
    conclusion: "action_required",
    title: base.title,
    line: `${base.line} **Still missing:** ${escapeMarkdown(what)}.`,
  };
}
