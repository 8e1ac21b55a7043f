/**
 * Who the bot answers, and who may make it review: chat-ops policy, free of GitHub calls.
 */
import { sameLogin } from "../gate/evaluate.js";
import type { Command } from "./commands.js";
import { renderReviewRefused } from "./replies.js";

export interface Sender {
  login: string;
  type?: string;
}

/** Bots (this App included) are never answered: two bots must not talk to each other forever. */
export function isBot(user: Sender | null | undefined): boolean {
  return !user || user.type === "Bot" || user.login.endsWith("[bot]");
}

/** Who may make the bot review again: each review reads the whole pull request from GitHub. */
const REVIEWING_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
const REVIEWING_COMMANDS = new Set<Command["kind"]>(["recheck", "explain", "explain-path", "explain-rule"]);

export interface Commenter {
  sender: string;
  author: string;
  /** GitHub's `author_association` of the commenter: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE... */
  association: string;
}

/**
 * The refusal for a command that costs a review from someone who may not ask for one, else null.
 * On a public repository anyone can comment: keep the API budget for the people working on it.
 */
export function reviewRefusal(command: Command, who: Commenter): string | null {
  if (!REVIEWING_COMMANDS.has(command.kind)) return null;
  if (sameLogin(who.sender, who.author) || REVIEWING_ASSOCIATIONS.has(who.association)) return null;
  return renderReviewRefused(who.sender);
}
