/**
 * Replies to slash commands, as Markdown. Pure: the handler gathers the review and the state, these
 * functions write the text. Everything taken from a comment (rule ids, paths, reasons) or from a
 * file goes through safe-text, so a reply can neither ping anyone nor inject HTML.
 */
import { distance } from "fastest-levenshtein";
import type { PolicyFinding } from "../engine/policy.js";
import type { Report } from "../engine/report.js";
import type { PairDiff, Rule } from "../engine/types.js";
import type { Subject } from "../model/types.js";
import { GITHUB_BODY_LIMIT } from "../render/comment.js";
import {
  ackMarkdown,
  changeSections,
  detailsBlock,
  locationMarkdown,
  messageMarkdown,
  SEVERITY_ICON,
  type LinkContext,
} from "../render/markdown-parts.js";
import { escapeMarkdown, inlineCode, truncate } from "../render/safe-text.js";
import { acksFor, type Ack, type GateState } from "../gate/state.js";

/** Hidden marker on every reply, so the bot recognises its own replies too. */
export const REPLY_MARKER = "<!-- gitops-review-bot:reply -->";

export interface ExplainInput {
  report: Pick<Report, "findings" | "subjects" | "files" | "redact">;
  links?: LinkContext;
  state: GateState;
}

export const HELP_TEXT = [
  "| Command | What it does |",
  "| --- | --- |",
  "| `/explain` | Every finding in a few lines, with links to the lines. |",
  "| `/explain <rule-id>` | What the rule checks, why it matters, how to fix it, and its findings here. |",
  "| `/explain <path>` | The findings in one file and what changes in it. |",
  "| `/ack <rule-id> <reason>` | Acknowledge a rule's findings (write access, not the author): they stay listed with your reason and stop holding the gate. |",
  "| `/recheck` | Review the current head again. |",
  "| `/help` | This list. |",
  "",
  "A command counts at the start of a line, outside quotes and code blocks.",
].join("\n");

/** `/recheck` or `/explain` from someone who is neither the author nor a member or collaborator. */
export function renderReviewRefused(sender: string): string {
  return (
    `Sorry ${escapeMarkdown(`@${sender}`)}, only the pull request's author and the repository's members and ` +
    "collaborators can ask for a review (`/recheck`, `/explain`). The findings are in the bot's comment " +
    "and the GitOps Review check."
  );
}

export function renderHelp(unknown: string | null = null): string {
  const intro = unknown
    ? `${inlineCode(`/${unknown}`)} is not a command I know. These are:`
    : "The commands I answer in pull request comments:";
  return reply(`${intro}\n\n${HELP_TEXT}`);
}

/** `/explain`: every finding in a few lines. */
export function renderExplainAll(input: ExplainInput): string {
  const { findings } = input.report;
  if (findings.length === 0) {
    return reply("**No findings** in this pull request: nothing reaches the review's rules.");
  }
  const n = findings.length;
  const lines = [`**${n} ${n === 1 ? "finding" : "findings"}**, highest severity first:`, ""];
  for (const [index, finding] of findings.entries()) {
    lines.push(...findingLines(finding, index + 1, input));
  }
  lines.push(
    "",
    "Reply `/explain <rule-id>` for the full lesson on one rule, `/explain <path>` for one file.",
  );
  return finish(lines.join("\n"), input);
}

function findingLines(finding: PolicyFinding, index: number, input: ExplainInput): string[] {
  const lines = [
    `${index}. ${SEVERITY_ICON[finding.severity]} **${escapeMarkdown(finding.title)}** (${finding.severity}) · ` +
      `${locationMarkdown(finding.location, input.links)} · ${inlineCode(finding.ruleId)}`,
    `   ${messageMarkdown(finding.message)}`,
    `   **Fix:** ${messageMarkdown(finding.remediation)}`,
  ];
  for (const ack of acksFor(input.state, finding.fingerprint)) lines.push(`   ${ackMarkdown(ack)}`);
  return lines;
}

export interface ExplainRuleInput extends ExplainInput {
  rule: Rule;
  /** rules/<id>/explain.md, null when missing. */
  explainText: string | null;
}

/** `/explain <rule-id>`: the rule's lesson plus this pull request's instances of it. */
export function renderExplainRule(input: ExplainRuleInput): string {
  const { rule } = input;
  const instances = input.report.findings.filter((finding) => finding.ruleId === rule.meta.id);
  const lines = [
    `### ${escapeMarkdown(rule.meta.title)} · ${inlineCode(rule.meta.id)} (${rule.meta.defaultSeverity} by default)`,
    "",
    // explain.md is ours (reviewed with the code), not PR data: it keeps its Markdown.
    input.explainText ? demoteHeadings(input.explainText.trim()) : escapeMarkdown(rule.meta.description),
    "",
    "#### In this pull request",
    "",
  ];
  if (instances.length === 0) {
    lines.push("No finding of this rule here.");
  } else {
    for (const [index, finding] of instances.entries())
      lines.push(...findingLines(finding, index + 1, input));
  }
  if (rule.checklist.length > 0) {
    lines.push(
      "",
      "#### What a second reviewer checks",
      "",
      ...rule.checklist.map((item) => `- ${messageMarkdown(item)}`),
    );
  }
  return finish(lines.join("\n"), input);
}

/** explain.md uses H2 sections; in a reply they sit under the reply's H3 title. */
function demoteHeadings(markdown: string): string {
  let fence = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (/^ {0,3}(```|~~~)/.test(line)) fence = !fence;
      return !fence && /^#{1,4} /.test(line) ? `##${line}` : line;
    })
    .join("\n");
}

/** The closest known ids, best first: what a typo most likely meant. */
export function closestIds(
  id: string,
  known: readonly string[],
  max = 3,
  limit = Math.max(3, Math.ceil(id.length / 2)),
): string[] {
  return known
    .map((candidate) => ({ candidate, d: distance(id, candidate) }))
    .filter(({ candidate, d }) => d <= limit || candidate.includes(id) || id.includes(candidate))
    .sort((a, b) => a.d - b.d || a.candidate.localeCompare(b.candidate))
    .slice(0, max)
    .map(({ candidate }) => candidate);
}

/** `/explain` or `/ack` of a rule id that is not registered; `outcome` says what did not happen. */
export function renderUnknownRule(ruleId: string, knownIds: readonly string[], outcome = ""): string {
  const suggestions = closestIds(ruleId, knownIds);
  const hint =
    suggestions.length > 0
      ? `Did you mean ${suggestions.map((id) => inlineCode(id)).join(", ")}?`
      : "Reply `/explain` to see the rules that found something here.";
  return reply(`There is no rule ${inlineCode(ruleId)}. ${hint}${outcome ? ` ${outcome}` : ""}`);
}

/** `/explain <path>`: the findings in the file and what changes in it. */
export function renderExplainPath(input: ExplainInput & { path: string }): string {
  const { path } = input;
  const inPr = input.report.files.some((file) => file.path === path || file.previousPath === path);
  const findings = input.report.findings.filter((finding) => finding.location.path === path);
  const diffs = input.report.subjects.filter((diff) => touchesFile(diff, path));
  if (!inPr && findings.length === 0 && diffs.length === 0) {
    const suggestions = closestIds(
      path,
      input.report.files.map((file) => file.path),
      3,
      Math.max(2, Math.ceil(path.length / 5)),
    );
    const hint =
      suggestions.length > 0 ? ` Did you mean ${suggestions.map((p) => inlineCode(p)).join(", ")}?` : "";
    return reply(`This pull request does not change ${inlineCode(path)}.${hint}`);
  }
  const lines = [`### ${inlineCode(path)}`, ""];
  if (findings.length === 0) {
    lines.push("No finding in this file.");
  } else {
    for (const [index, finding] of findings.entries()) lines.push(...findingLines(finding, index + 1, input));
  }
  const sections = changeSections(diffs);
  if (sections.length > 0) {
    lines.push("", "#### What changes", "");
    for (const section of sections) lines.push(detailsBlock(section, 60), "");
  } else if (inPr) {
    lines.push("", "No value-level change in the objects or releases this file defines.");
  }
  return finish(lines.join("\n"), input);
}

/** A pair is about a file when it is declared there, takes values from it, or changes a line of it. */
function touchesFile(diff: PairDiff, path: string): boolean {
  const subjects = [diff.pair.base, diff.pair.head].filter((s): s is Subject => s !== null);
  if (subjects.some((subject) => subjectFiles(subject).includes(path))) return true;
  return diff.changes.some((change) => change.base?.file === path || change.head?.file === path);
}

function subjectFiles(subject: Subject): string[] {
  if (subject.type === "object") return [subject.document.file];
  return [
    subject.location.file,
    ...subject.valueSources.map((source) => source.file).filter((f): f is string => f !== null),
  ];
}

// ---------------------------------------------------------------------------------------------
// /ack

export type AckRefusal = "no-reason" | "author" | "permission" | "unknown-rule";

/** `/ack` accepted: what was acknowledged, and that it stays visible. */
export function renderAckAccepted(ack: Ack, gating: boolean): string {
  const n = ack.fingerprints.length;
  const effect = gating
    ? "no longer holds the GitOps Review check"
    : "is recorded (it was not holding the check)";
  return reply(
    `✋ Acknowledged ${inlineCode(ack.ruleId)} (${n} ${n === 1 ? "finding" : "findings"}) for ${escapeMarkdown(`@${ack.by}`)}: ` +
      `${escapeMarkdown(ack.reason)}\n\nIt ${effect}; it stays listed in the review with who acknowledged it and why. ` +
      "A new instance of the rule after a later push needs its own `/ack`.",
  );
}

export interface AckRefusalInput {
  reason: AckRefusal;
  sender: string;
  ruleId: string | null;
  /** For `permission`: what the sender has. */
  permission?: string;
  /** For `unknown-rule`: rule ids with findings in this PR. */
  ruleIdsHere?: readonly string[];
}

/** `/ack` refused: why, and that nothing changed. */
export function renderAckRefused(input: AckRefusalInput): string {
  const who = escapeMarkdown(`@${input.sender}`);
  const rule = input.ruleId ? inlineCode(input.ruleId) : "";
  switch (input.reason) {
    case "no-reason":
      return reply(
        `An ack needs a rule id and a reason, so the next reader knows why the risk was accepted: ` +
          `${inlineCode("/ack <rule-id> <reason>")}.${input.ruleId ? ` For example ${inlineCode(`/ack ${input.ruleId} the old volume is empty, checked with kubectl`)}.` : ""}\n\n` +
          `Nothing was acknowledged.\n\n${HELP_TEXT}`,
      );
    case "author":
      return reply(
        `${who}, the pull request's author cannot acknowledge its findings: someone else with write access has to. ` +
          "Nothing was acknowledged.",
      );
    case "permission":
      return reply(
        `${who}, acknowledging ${rule || "a finding"} needs write access to this repository` +
          `${input.permission ? ` (you have ${escapeMarkdown(input.permission)})` : ""}. Nothing was acknowledged.`,
      );
    case "unknown-rule": {
      const here = input.ruleIdsHere ?? [];
      const suggestions = input.ruleId ? closestIds(input.ruleId, here) : [];
      const hint =
        suggestions.length > 0
          ? ` Did you mean ${suggestions.map((id) => inlineCode(id)).join(", ")}?`
          : here.length > 0
            ? ` Rules with findings here: ${here.map((id) => inlineCode(id)).join(", ")}.`
            : "";
      return reply(
        `No finding of ${rule || "that rule"} in this pull request.${hint} Nothing was acknowledged.`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------

function reply(text: string): string {
  return `${text}\n\n${REPLY_MARKER}`;
}

function finish(text: string, input: Pick<ExplainInput, "report">): string {
  const { redact } = input.report;
  const max = GITHUB_BODY_LIMIT - REPLY_MARKER.length - 200;
  const body = redact(text);
  return reply(body.length <= max ? body : truncate(body, max) + "\n\n_(cut to fit GitHub's comment limit)_");
}
