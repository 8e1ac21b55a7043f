/**
 * The sticky pull request comment (also the CLI's `--format markdown`). A pure function of the
 * review: verdict first, findings with their checklists, then the changes folded per release and
 * object, then the footer. It always fits GitHub's body limit: the changes are shortened or dropped
 * first, findings are only ever condensed, and the comment says that the rest is in the check run.
 */
import type { PolicyFinding, Verdict } from "../engine/policy.js";
import type { Report } from "../engine/report.js";
import type { Severity } from "../engine/types.js";
import {
  changeSections,
  checklistMarkdown,
  fitDetailsBlocks,
  locationMarkdown,
  messageMarkdown,
  SEVERITY_HEADING,
  SEVERITY_ICON,
  severityNote,
  ackMarkdown,
  type AckNote,
  type ChecklistTicks,
  type LinkContext,
} from "./markdown-parts.js";
import type { Redactor } from "../k8s/secrets.js";
import { escapeMarkdown, inlineCode, truncate } from "./safe-text.js";

/** Hidden marker the App finds its own comment by. */
export const STICKY_MARKER = "<!-- gitops-review-bot:sticky -->";

/** Ends the verdict line, so a gate decision can replace that line alone. */
export const VERDICT_MARKER = "<!-- gitops-review-bot:verdict -->";

/** GitHub rejects issue comment bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65_536;

export interface CommentInput {
  report: Report;
  /** The decision, rendered first: the report's, unless the gate built its own. */
  verdict?: Verdict;
  /** Commit the review is about; shown in the footer. */
  headSha?: string | null;
  /** Links to files on GitHub; without them locations are plain `path:line`. */
  links?: LinkContext;
  /** Where the full output lives, when the comment has to be shortened. */
  checkRunUrl?: string | null;
  /** Checklist items already ticked (kept across pushes by the gate). */
  ticks?: ChecklistTicks;
  /** Acknowledgements by finding fingerprint, shown under the finding (it stays listed). */
  acks?: ReadonlyMap<string, readonly AckNote[]>;
  /** Hidden text appended at the very end (the gate's state block); counted in the limit, never cut. */
  trailer?: string;
  /** Extra notes shown under the verdict (e.g. from the gate), Markdown, already safe. */
  extraNotes?: readonly string[];
  /** Body limit; GitHub's by default. */
  maxLength?: number;
  /** Whether the footer offers the chat-ops commands; false where no App answers them (the Action). */
  commands?: boolean;
}

type FindingStyle = "full" | "compact" | "minimal";

/** Input with the verdict decided: the gate's when it passed one, else the report's. */
type Resolved = CommentInput & { verdict: Verdict };

export function renderComment(commentInput: CommentInput): string {
  const input: Resolved = { ...commentInput, verdict: commentInput.verdict ?? commentInput.report.verdict };
  const max = input.maxLength ?? GITHUB_BODY_LIMIT;
  const redact = input.report.redact;
  const rest = input.checkRunUrl
    ? `[the GitOps Review check](${input.checkRunUrl})`
    : "the GitOps Review check run";

  const head = redact(renderHead(input));
  const footer = redact(renderFooter(input)) + (input.trailer ? `\n${input.trailer}` : "");
  const reserve = 400; // room for the "shortened" note

  let findings = "";
  let style: FindingStyle = "full";
  for (style of ["full", "compact", "minimal"] as const) {
    findings = redact(renderFindings(input, style));
    if (head.length + findings.length + footer.length + reserve <= max) break;
  }
  let condensed = style !== "full";
  if (head.length + findings.length + footer.length + reserve > max) {
    // Hundreds of findings: one line each, cut only when nothing else fits.
    findings = fitLines(findings, max - head.length - footer.length - reserve, rest);
    condensed = true;
  }

  const changesHeading = "\n\n### What changes\n\n";
  const { blocks, shortened, dropped } = fitDetailsBlocks(
    changeSections(input.report.subjects),
    max - head.length - findings.length - footer.length - reserve,
    { shortLines: 10, redact, overhead: (kept) => (kept === 0 ? changesHeading.length : 2) },
  );

  const notes: string[] = [];
  if (condensed)
    notes.push(`Findings are condensed to fit GitHub's comment limit; the full text is in ${rest}.`);
  if (shortened > 0 || dropped > 0) {
    const parts = [
      shortened > 0 ? `${shortened} ${shortened === 1 ? "diff was" : "diffs were"} shortened` : "",
      dropped > 0
        ? `${dropped} ${dropped === 1 ? "release or object was" : "releases or objects were"} left out`
        : "",
    ].filter(Boolean);
    notes.push(`${parts.join(" and ")} to fit GitHub's comment limit; every change is in ${rest}.`);
  }
  const changes = blocks.length > 0 ? `${changesHeading}${blocks.join("\n\n")}` : "";
  const truncation = notes.length > 0 ? `\n\n> [!NOTE]\n> ${notes.join("\n> ")}` : "";
  const body = `${head}${findings}${changes}${truncation}${footer}`;
  // The arithmetic above keeps us under the limit; this is the belt to its braces. The trailer
  // (the gate's state: ticks and acks) is kept whole whatever is cut before it.
  if (body.length <= max) return body;
  const trailer = input.trailer ? `\n${input.trailer}` : "";
  return safeCut(body.slice(0, body.length - trailer.length), max - trailer.length) + trailer;
}

function renderHead(input: Resolved): string {
  const lines = [
    STICKY_MARKER,
    `### ${headerIcon(input)} GitOps Review`,
    "",
    `${input.verdict.line} ${VERDICT_MARKER}`,
  ];
  const notes = [
    ...(input.extraNotes ?? []),
    ...input.report.notes.map((note) => escapeMarkdown(note)),
    ...suppressedNotes(input.report),
  ];
  if (notes.length > 0) lines.push("", ...notes.map((note) => `> ${note}`));
  return lines.join("\n");
}

function headerIcon(input: Resolved): string {
  if (input.verdict.conclusion === "failure") return "❌";
  return input.report.highest ? SEVERITY_ICON[input.report.highest] : "✅";
}

function suppressedNotes(outcome: Pick<Report, "suppressed">): string[] {
  const { ruleOff, ignoredPath } = outcome.suppressed;
  const parts = [
    ruleOff > 0 ? `${ruleOff} by rules turned off` : "",
    ignoredPath > 0 ? `${ignoredPath} in ignored paths` : "",
  ].filter(Boolean);
  return parts.length > 0 ? [`Not shown per \`.github/gitops-review.yml\`: ${parts.join(", ")}.`] : [];
}

/** Below the gate, this many findings of one rule saying the same thing are shown as one entry. */
const GROUP_AT = 3;

/**
 * Findings in order, with repetitive ones below the gate folded together: a namespace rename that
 * touches 30 routes is one lesson with 30 places, not 30 copies of the same checklist. Gating
 * findings are always listed one by one (each is approved, ticked and acknowledged on its own).
 */
function findingEntries(outcome: Pick<Report, "findings" | "gating">): PolicyFinding[][] {
  const gating = new Set(outcome.gating);
  const groups = new Map<string, PolicyFinding[]>();
  const entries: PolicyFinding[][] = [];
  for (const finding of outcome.findings) {
    if (gating.has(finding)) {
      entries.push([finding]);
      continue;
    }
    const key = `${finding.severity}\u0000${finding.ruleId}\u0000${finding.messageId}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else {
      const fresh = [finding];
      groups.set(key, fresh);
      entries.push(fresh);
    }
  }
  return entries.flatMap((entry) => (entry.length >= GROUP_AT ? [entry] : entry.map((finding) => [finding])));
}

function renderFindings(input: Resolved, style: FindingStyle): string {
  const { findings } = input.report;
  if (findings.length === 0) return "";
  const out: string[] = [""];
  let current: Severity | null = null;
  let index = 0;
  for (const entry of findingEntries(input.report)) {
    const first = entry[0]!;
    if (first.severity !== current) {
      current = first.severity;
      const count = findings.filter((f) => f.severity === current).length;
      out.push("", `#### ${SEVERITY_ICON[current]} ${SEVERITY_HEADING[current]} (${count})`);
    }
    index += 1;
    out.push(
      "",
      ...(entry.length === 1
        ? renderFinding(first, index, style, input)
        : renderGroup(entry, index, style, input)),
    );
  }
  return out.join("\n");
}

/** One rule, one message, many places: the lesson once, every place listed. */
function renderGroup(
  group: readonly PolicyFinding[],
  index: number,
  style: FindingStyle,
  input: Resolved,
): string[] {
  const first = group[0]!;
  const heading = `**${index}. ${escapeMarkdown(first.title)}** · ${group.length} places · ${inlineCode(first.ruleId)}`;
  const places = group.map((finding) => `- ${locationMarkdown(finding.location, input.links)}`);
  if (style === "minimal") return [heading];
  const lines = [heading, messageMarkdown(first.message)];
  if (style === "full") {
    lines.push(
      "",
      `<details><summary>All ${group.length} places</summary>`,
      "",
      ...group.map(
        (finding) =>
          `- ${locationMarkdown(finding.location, input.links)}: ${messageMarkdown(truncate(finding.message, 300))}`,
      ),
      "",
      "</details>",
      "",
      `**Fix:** ${messageMarkdown(first.remediation)}`,
    );
  } else {
    lines.push("", ...places);
  }
  if (first.checklist.length > 0) lines.push("", ...checklistMarkdown(first, input.ticks));
  return lines;
}

function renderFinding(
  finding: PolicyFinding,
  index: number,
  style: FindingStyle,
  input: Resolved,
): string[] {
  const where = locationMarkdown(finding.location, input.links);
  const heading = `**${index}. ${escapeMarkdown(finding.title)}** · ${where} · ${inlineCode(finding.ruleId)}`;
  const acks = (input.acks?.get(finding.fingerprint) ?? []).map(ackMarkdown);
  if (style === "minimal") return [heading, ...acks];
  const lines = [heading, ...acks, messageMarkdown(finding.message)];
  const note = severityNote(finding);
  if (note) lines.push(note);
  if (style === "full") lines.push(`**Fix:** ${messageMarkdown(finding.remediation)}`);
  if (finding.checklist.length > 0) lines.push("", ...checklistMarkdown(finding, input.ticks));
  return lines;
}

function renderFooter(input: Resolved): string {
  const sha = input.headSha ? `Reviewed ${inlineCode(input.headSha.slice(0, 7))}. ` : "";
  const commands =
    input.commands === false
      ? "What each rule checks and why: `gitops-review explain <rule-id>`."
      : "Reply `/explain` for a short lesson on each finding, `/explain <rule-id>` for one rule, " +
        "`/recheck` to review again.";
  return `\n\n---\n<sub>${sha}${commands}</sub>`;
}

/** Keeps whole lines (never half a finding) and says how many were left out. */
function fitLines(text: string, budget: number, rest: string): string {
  const lines = text.split("\n");
  const kept: string[] = [];
  let used = 0;
  const tail = (n: number) => `\n\n**… ${n} more findings are listed in ${rest}.**`;
  for (const [i, line] of lines.entries()) {
    if (used + line.length + 1 + tail(lines.length - i).length > budget) {
      const remaining = lines.slice(i).filter((l) => l.startsWith("**")).length;
      return kept.join("\n") + tail(remaining);
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept.join("\n");
}

function safeCut(body: string, max: number): string {
  const note = "\n\n_(cut to fit GitHub's comment limit)_";
  return truncate(body, max - note.length, "") + note;
}

/** The comment on a PR that touches no file in scope (kept current when it had findings before). */
export function renderOutOfScopeComment(verdict: Verdict, headSha: string | null, redact?: Redactor): string {
  const sha = headSha ? ` as of ${inlineCode(headSha.slice(0, 7))}` : "";
  const body = [
    STICKY_MARKER,
    "### ✅ GitOps Review",
    "",
    verdict.line,
    "",
    `This pull request changes no file the review reads${sha}, so earlier findings, if any, no longer apply.`,
  ].join("\n");
  return redact ? redact(body) : body;
}

/** The body with its verdict line replaced (the line that ends with the verdict marker). */
export function withVerdictLine(body: string, line: string): string {
  return body
    .split("\n")
    .map((current) => (current.endsWith(VERDICT_MARKER) ? `${line} ${VERDICT_MARKER}` : current))
    .join("\n");
}
