/**
 * Slash commands in pull request comments (`issue_comment.created`) and checklist ticks in the
 * bot's own comment (`issue_comment.edited`). Comments by bots, this App included, are ignored.
 */
import type { Context } from "probot";
import { rules } from "../../rules/index.js";
import { ackPermissionRefusal, decideAck } from "../chatops/ack.js";
import { parseCommands, type Command } from "../chatops/commands.js";
import { isBot, reviewRefusal } from "../chatops/policy.js";
import { joinAnswers } from "../chatops/reply-fit.js";
import {
  renderAckRefused,
  renderExplainAll,
  renderExplainPath,
  renderExplainRule,
  renderHelp,
  renderUnknownRule,
} from "../chatops/replies.js";
import { readExplainText } from "../docs/explain-text.js";
import { withCustomRules } from "../custom-rules/custom-rule.js";
import { isCustomRuleId } from "../engine/custom-rule-definition.js";
import { atLeast } from "../engine/types.js";
import { inlineCode, plainText } from "../render/safe-text.js";
import { gateSeal, openGateState } from "../gate/seal.js";
import { emptyGateState, type GateState } from "../gate/state.js";
import type { GateKeyHolder } from "./gate-key.js";
import { permissionOf } from "./gate-inputs.js";
import { appIdentity } from "./identity.js";
import { findStickyComment } from "./sticky-comment.js";
import { reevaluateGate } from "./gate.js";
import { targetFromPullRequest, type ReviewTarget } from "./pull-request.js";
import { computeReview, reviewPullRequest, type ComputedReview } from "./review-pull-request.js";

type CommentContext = Context<"issue_comment.created" | "issue_comment.edited"> & GateKeyHolder;
type CreatedContext = Context<"issue_comment.created"> & GateKeyHolder;

async function loadTarget(context: CommentContext): Promise<{ target: ReviewTarget; author: string }> {
  const { repository, issue } = context.payload;
  const { data } = await context.octokit.rest.pulls.get(context.repo({ pull_number: issue.number }));
  const target = targetFromPullRequest(data, {
    owner: repository.owner.login,
    repo: repository.name,
    htmlUrl: repository.html_url,
  });
  return { target, author: data.user?.login ?? issue.user?.login ?? "" };
}

export async function handleCommentCreated(context: CreatedContext): Promise<void> {
  const { comment, issue, sender } = context.payload;
  if (!issue.pull_request) return;
  if (isBot(sender) || isBot(comment.user) || comment.performed_via_github_app) return;
  const commands = parseCommands(comment.body ?? "");
  if (commands.length === 0) return;

  // An acknowledgement only: the reply below is what answers the command.
  await context.octokit.rest.reactions
    .createForIssueComment(context.repo({ comment_id: comment.id, content: "eyes" as const }))
    .catch((err: unknown) =>
      context.log.warn({ err, comment: comment.id }, "could not react to the command"),
    );
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
  await context.octokit.rest.issues.createComment(
    context.repo({ issue_number: issue.number, body: joinAnswers(answers) }),
  );
}

type Explained = ComputedReview & { state: GateState };

/** The review of the current head plus the acks recorded in the comment, for `/explain`. */
async function explained(context: CreatedContext, target: ReviewTarget): Promise<Explained> {
  const [computed, sticky] = await Promise.all([
    computeReview(context, target),
    // Read-only: the acks shown in the reply, from this App's comment only (another App could
    // quote the marker) and only when the seal verifies. The App id comes from the App JWT.
    appIdentity(context.octokit).then((app) => findStickyComment(context.octokit, target, app)),
  ]);
  const state = openGateState(sticky?.body, gateSeal(context.gateKey, target)) ?? emptyGateState();
  return { ...computed, state };
}

interface AnswerContext {
  context: CreatedContext;
  target: ReviewTarget;
  author: string;
  sender: string;
  /** GitHub's `author_association` of the commenter: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE... */
  association: string;
  at: string;
  review: () => Promise<Explained>;
}

async function answer(command: Command, a: AnswerContext): Promise<string> {
  const refused = reviewRefusal(command, a);
  if (refused) return refused;
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
      let rule = rules.find((candidate) => candidate.meta.id === command.ruleId);
      if (!rule && !isCustomRuleId(command.ruleId))
        return renderUnknownRule(
          command.ruleId,
          rules.map((r) => r.meta.id),
        );
      const computed = await a.review();
      if (!computed.ok) return configProblem(computed.errors, "there is nothing to explain yet");
      if (!rule) {
        // Custom rules live in the configuration the review just read.
        const known = withCustomRules(rules, computed.config);
        rule = known.find((candidate) => candidate.meta.id === command.ruleId);
        if (!rule)
          return renderUnknownRule(
            command.ruleId,
            known.map((r) => r.meta.id),
          );
      }
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
      // Refused before the permission lookup and the review when the author acks their own PR.
      if (ackPermissionRefusal(a.sender, a.author, null) === "author")
        return renderAckRefused({ reason: "author", sender: a.sender, ruleId: command.ruleId });
      const permission = await permissionOf(a.context.octokit, a.target, a.sender);
      if (ackPermissionRefusal(a.sender, a.author, permission) === "permission") {
        return renderAckRefused({
          reason: "permission",
          sender: a.sender,
          ruleId: command.ruleId,
          permission,
        });
      }
      // No such rule at all (a typo): said before a review is spent on it, with the closest ids.
      // (A custom rule's id is checked against the findings of the review below.)
      if (!isCustomRuleId(command.ruleId) && !rules.some((rule) => rule.meta.id === command.ruleId)) {
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
export async function handleCommentEdited(
  context: Context<"issue_comment.edited"> & GateKeyHolder,
): Promise<void> {
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
