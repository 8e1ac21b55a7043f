/**
 * Slash commands in pull request comments (`issue_comment.created`) and checklist ticks in the
 * bot's own comment (`issue_comment.edited`). Comments by bots, this App included, are ignored.
 */
import type { Context } from "probot";
import { rules } from "../../rules/index.js";
import { decideAck } from "../chatops/ack.js";
import { parseCommands, type Command } from "../chatops/commands.js";
import {
  renderAckRefused,
  renderExplainAll,
  renderExplainPath,
  renderExplainRule,
  renderHelp,
  renderReviewRefused,
  renderUnknownRule,
  REPLY_MARKER,
} from "../chatops/replies.js";
import { readExplainText } from "../docs/explain-text.js";
import { atLeast } from "../engine/types.js";
import { hasWriteAccess, sameLogin } from "../gate/evaluate.js";
import { GITHUB_BODY_LIMIT } from "../render/comment.js";
import { inlineCode, plainText, truncate } from "../render/safe-text.js";
import { parseGateState, type GateState } from "../gate/state.js";
import { permissionOf } from "./gate-inputs.js";
import { appIdentity } from "./identity.js";
import { findStickyComment } from "./sticky-comment.js";
import { reevaluateGate } from "./gate.js";
import { targetFromPullRequest, type ReviewTarget } from "./pull-request.js";
import { computeReview, reviewPullRequest, type ComputedReview } from "./review-pull-request.js";

type CommentContext = Context<"issue_comment.created" | "issue_comment.edited">;

interface Sender {
  login: string;
  type?: string;
}

function isBot(user: Sender | null | undefined): boolean {
  return !user || user.type === "Bot" || user.login.endsWith("[bot]");
}

async function loadTarget(context: CommentContext): Promise<{ target: ReviewTarget; author: string }> {
  const { repository, issue } = context.payload;
  const { data } = await context.octokit.rest.pulls.get({
    owner: repository.owner.login,
    repo: repository.name,
    pull_number: issue.number,
  });
  const target = targetFromPullRequest(data, {
    owner: repository.owner.login,
    repo: repository.name,
    htmlUrl: repository.html_url,
  });
  return { target, author: data.user?.login ?? issue.user?.login ?? "" };
}

export async function handleCommentCreated(context: Context<"issue_comment.created">): Promise<void> {
  const { comment, issue, sender, repository } = context.payload;
  if (!issue.pull_request) return;
  if (isBot(sender) || isBot(comment.user) || comment.performed_via_github_app) return;
  const commands = parseCommands(comment.body ?? "");
  if (commands.length === 0) return;

  await context.octokit.rest.reactions.createForIssueComment({
    owner: repository.owner.login,
    repo: repository.name,
    comment_id: comment.id,
    content: "eyes",
  });
  const { target, author } = await loadTarget(context);
  const log = context.log.child({ pr: target.number, commenter: sender.login });
  const answers: string[] = [];
  let computed: Explained | null = null;
  const review = async () => (computed ??= await explained(context, target));

  for (const command of commands) {
    log.info({ command: command.kind }, "command received");
    answers.push(
      await answer(command, {
        context,
        target,
        author,
        sender: sender.login,
        association: comment.author_association ?? "NONE",
        at: comment.created_at,
        review,
      }),
    );
  }
  await context.octokit.rest.issues.createComment({
    owner: repository.owner.login,
    repo: repository.name,
    issue_number: issue.number,
    body: joinAnswers(answers),
  });
}

const ANSWER_SEPARATOR = "\n\n---\n\n";

/**
 * One reply for every command of a comment, within GitHub's body limit (each answer fits alone,
 * ten together need not; GitHub refuses a longer body and nobody would get an answer). Whole
 * answers while they fit; the first that does not is cut at a line end, its open code block and
 * `<details>` closed, and the reply says what was cut.
 */
export function joinAnswers(answers: readonly string[], max = GITHUB_BODY_LIMIT): string {
  const parts = answers.map((text) => text.replace(REPLY_MARKER, "").trim());
  const end = `\n\n${REPLY_MARKER}`;
  const whole = parts.join(ANSWER_SEPARATOR) + end;
  if (whole.length <= max) return whole;
  let body = "";
  for (const [index, part] of parts.entries()) {
    const separator = index === 0 ? "" : ANSWER_SEPARATOR;
    const after = parts.length - index - 1;
    if (body.length + separator.length + part.length + cutNote(after).length + end.length <= max) {
      body += separator + part;
      continue;
    }
    const tail = cutNote(after) + end;
    let room = max - body.length - separator.length - tail.length;
    while (room > 0) {
      const cut = closeOpenBlocks(cutAtLineEnd(part, room));
      if (cut === "") break;
      const overflow = body.length + separator.length + cut.length + tail.length - max;
      if (overflow <= 0) return body + separator + cut + tail;
      room -= overflow;
    }
    // Not even a line of this answer fits: it is left out with the rest.
    return body + cutNote(after + 1) + end;
  }
  return body + end;
}

function cutNote(answersLeftOut: number): string {
  const left =
    answersLeftOut === 0
      ? ""
      : `; ${answersLeftOut} more ${answersLeftOut === 1 ? "answer was" : "answers were"} left out`;
  return `\n\n_(The rest of this reply was cut to fit GitHub's comment limit${left}.)_`;
}

/** At most `max` characters, ending at a line end when there is one (never half a link or tag). */
function cutAtLineEnd(text: string, max: number): string {
  const cut = truncate(text, max, "");
  if (cut.length === text.length) return text;
  const lineEnd = cut.lastIndexOf("\n");
  return (lineEnd > 0 ? cut.slice(0, lineEnd) : cut).trimEnd();
}

/** Closes a fenced code block and `<details>` elements left open by a cut. */
function closeOpenBlocks(text: string): string {
  if (text === "") return text;
  let fence: string | null = null;
  let details = 0;
  for (const line of text.split("\n")) {
    if (fence !== null) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) fence = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = open[1];
      continue;
    }
    details += (line.match(/<details[\s>]/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
  }
  return text + (fence !== null ? `\n${fence}` : "") + "\n\n</details>".repeat(Math.max(0, details));
}

type Explained = ComputedReview & { state: GateState };

/** The review of the current head plus the acks recorded in the comment, for `/explain`. */
async function explained(
  context: Context<"issue_comment.created">,
  target: ReviewTarget,
): Promise<Explained> {
  const [computed, sticky] = await Promise.all([
    computeReview(context, target),
    // Read-only: the acks shown in the reply, from this App's comment only (another App could
    // quote the marker with a forged state block). The App id comes from the App JWT, no request.
    appIdentity(context.octokit).then((app) => findStickyComment(context.octokit, target, app)),
  ]);
  return { ...computed, state: parseGateState(sticky?.body) };
}

interface AnswerContext {
  context: Context<"issue_comment.created">;
  target: ReviewTarget;
  author: string;
  sender: string;
  /** GitHub's `author_association` of the commenter: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE... */
  association: string;
  at: string;
  review: () => Promise<Explained>;
}

/** Who may make the bot review again: each review reads the whole pull request from GitHub. */
const REVIEWING_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
const REVIEWING_COMMANDS = new Set<Command["kind"]>(["recheck", "explain", "explain-path", "explain-rule"]);

function mayRequestReview(a: AnswerContext): boolean {
  return sameLogin(a.sender, a.author) || REVIEWING_ASSOCIATIONS.has(a.association);
}

async function answer(command: Command, a: AnswerContext): Promise<string> {
  // On a public repository anyone can comment: keep the API budget for the people working on it.
  if (REVIEWING_COMMANDS.has(command.kind) && !mayRequestReview(a)) return renderReviewRefused(a.sender);
  switch (command.kind) {
    case "help":
      return renderHelp(command.unknown);
    case "recheck": {
      const verdict = await reviewPullRequest(a.context, a.target);
      const head = inlineCode(a.target.headSha.slice(0, 7));
      // null: the head moved on during the review and the result was dropped (never "reviewed").
      return verdict
        ? `Reviewed ${head} again: ${inlineCode(plainText(verdict.title))}.`
        : `A newer commit was pushed while ${head} was reviewed, so this result was dropped; the newer commit gets its own review.`;
    }
    case "explain":
    case "explain-path": {
      const computed = await a.review();
      if (!computed.ok) return configProblem(computed.errors, "there is nothing to explain yet");
      const input = { report: computed.report, links: computed.links, state: computed.state };
      return command.kind === "explain"
        ? renderExplainAll(input)
        : renderExplainPath({ ...input, path: command.path });
    }
    case "explain-rule": {
      const rule = rules.find((candidate) => candidate.meta.id === command.ruleId);
      if (!rule)
        return renderUnknownRule(
          command.ruleId,
          rules.map((r) => r.meta.id),
        );
      const computed = await a.review();
      if (!computed.ok) return configProblem(computed.errors, "there is nothing to explain yet");
      return renderExplainRule({
        rule,
        explainText: await readExplainText(rule.meta.id),
        report: computed.report,
        links: computed.links,
        state: computed.state,
      });
    }
    case "ack-usage":
      return renderAckRefused({ reason: "no-reason", sender: a.sender, ruleId: command.ruleId });
    case "ack": {
      if (sameLogin(a.sender, a.author))
        return renderAckRefused({ reason: "author", sender: a.sender, ruleId: command.ruleId });
      const permission = await permissionOf(a.context.octokit, a.target, a.sender);
      if (!hasWriteAccess(permission)) {
        return renderAckRefused({
          reason: "permission",
          sender: a.sender,
          ruleId: command.ruleId,
          permission,
        });
      }
      // No such rule at all (a typo): said before a review is spent on it, with the closest ids.
      if (!rules.some((rule) => rule.meta.id === command.ruleId)) {
        return renderUnknownRule(
          command.ruleId,
          rules.map((rule) => rule.meta.id),
          "Nothing was acknowledged.",
        );
      }
      // The ack is recorded in the comment's state by a full review of the current head, which
      // also shows it next to the finding and re-decides the gate.
      let reply = "";
      // Assigned in a callback: the assertion keeps TypeScript from narrowing it to null for good.
      let configErrors = null as readonly string[] | null;
      const verdict = await reviewPullRequest(a.context, a.target, {
        onInvalidConfig: (errors) => {
          configErrors = errors;
        },
        updateState: (state, report) => {
          const decision = decideAck(
            {
              ruleId: command.ruleId,
              reason: command.reason,
              sender: a.sender,
              author: a.author,
              permission,
              findings: report.findings,
              gateSeverity: report.gateSeverity,
              state,
              at: a.at,
            },
            (severity) => atLeast(severity, report.gateSeverity),
          );
          reply = decision.reply;
          return decision.accepted ? decision.state : state;
        },
      });
      if (reply !== "") return reply;
      // The review stopped before it could record the ack: say so, never post an empty reply.
      if (configErrors) return configProblem(configErrors, "nothing was acknowledged");
      return verdict === null
        ? "The pull request moved on to a newer commit while the ack was being recorded: nothing was acknowledged. " +
            "Send the `/ack` again once the new commit is reviewed."
        : "Nothing was acknowledged.";
    }
  }
}

function configProblem(errors: readonly string[], consequence: string): string {
  return `The review configuration is invalid, so ${consequence}:\n\n${errors.map((e) => `- ${inlineCode(e)}`).join("\n")}`;
}

/** Ticks in the bot's own comment: recorded (who, when), shown, and the gate re-decided. */
export async function handleCommentEdited(context: Context<"issue_comment.edited">): Promise<void> {
  const { comment, issue, sender, changes } = context.payload;
  if (!issue.pull_request || isBot(sender)) return;
  const from = changes.body?.from;
  if (from === undefined || comment.user?.type !== "Bot") return;
  const { target, author } = await loadTarget(context);
  const handled = await reevaluateGate(
    context,
    { ...target, author },
    {
      comment: {
        id: comment.id,
        body: comment.body ?? "",
        html_url: comment.html_url,
        user: comment.user ? { login: comment.user.login, type: comment.user.type ?? "User" } : null,
        performed_via_github_app: comment.performed_via_github_app
          ? { id: comment.performed_via_github_app.id, slug: comment.performed_via_github_app.slug ?? "" }
          : null,
      },
      from,
      editor: sender.login,
      at: comment.updated_at,
    },
  );
  if (!handled) await reviewPullRequest(context, target);
}
