/**
 * The `GitOps Review` check run output: title (the verdict), summary (the risk summary), text (every
 * finding in full and every change, which the comment may have to shorten), annotations on the
 * exact lines, and a hidden state block so the gate can re-decide without fetching files again.
 */
import type { PolicyFinding, Verdict } from "../engine/policy.js";
import type { Report } from "../engine/report.js";
import type { Severity } from "../engine/types.js";
import {
  changeSections,
  fitDetailsBlocks,
  locationMarkdown,
  messageMarkdown,
  SEVERITY_HEADING,
  SEVERITY_ICON,
  severityNote,
  type LinkContext,
} from "./markdown-parts.js";
import type { Redactor } from "../k8s/secrets.js";
import { escapeMarkdown, inlineCode, plainText, truncate } from "./safe-text.js";

export const CHECK_NAME = "GitOps Review";
/** GitHub's limit for `output.summary` and `output.text`. */
export const CHECK_TEXT_LIMIT = 65_535;
export const CHECK_TITLE_LIMIT = 255;
/** GitHub accepts at most 50 annotations per create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** More than this and annotations stop helping; the summary lists the rest. */
export const MAX_ANNOTATIONS = 500;

export type AnnotationLevel = "notice" | "warning" | "failure";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  title: string;
  message: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
}

/** What a later decision (approvals, acks, ticks) needs about this review, carried by the check run. */
export interface CheckState {
  version: 1;
  headSha: string;
  baseSha: string;
  gateSeverity: Severity;
  findings: { fingerprint: string; ruleId: string; severity: Severity; checklist: number }[];
  /** False when the list had to be cut to fit the output limit. */
  complete: boolean;
}

const STATE_PREFIX = "<!-- gitops-review-bot:state ";
const STATE_SUFFIX = " -->";

export interface CheckOutputInput {
  report: Report;
  /** The report's verdict unless the gate built its own. */
  verdict?: Verdict;
  headSha: string;
  baseSha: string;
  links?: LinkContext;
  commentUrl?: string | null;
}

const LEVEL: Readonly<Record<Severity, AnnotationLevel>> = {
  critical: "failure",
  high: "failure",
  medium: "warning",
  low: "notice",
  info: "notice",
};

/** The check run title for a verdict: plain text (no live mentions), within GitHub's limit. */
export function checkTitle(verdict: Pick<Verdict, "title">): string {
  return truncate(plainText(verdict.title), CHECK_TITLE_LIMIT);
}

type Resolved = CheckOutputInput & { verdict: Verdict };

export function renderCheckOutput(checkInput: CheckOutputInput): CheckOutput {
  const input: Resolved = { ...checkInput, verdict: checkInput.verdict ?? checkInput.report.verdict };
  const redact = input.report.redact;
  const state = renderState(input);
  return {
    title: checkTitle(input.verdict),
    summary: fit(redact(renderSummary(input)), CHECK_TEXT_LIMIT),
    text: renderText(input, redact, CHECK_TEXT_LIMIT - state.length - 2) + "\n\n" + state,
    annotations: renderAnnotations(input.report.findings, redact),
  };
}

/** The check output for a configuration that does not validate: every error, verbatim. */
export function renderConfigErrorOutput(
  verdict: Verdict,
  errors: readonly string[],
  source: string,
): CheckOutput {
  const list = errors.map((error) => `- ${inlineCode(error)}`).join("\n");
  const summary =
    `${verdict.line}\n\n${inlineCode(source)} could not be used:\n\n${list}\n\n` +
    "Fix the file on the default branch (see `docs/configuration.md`), then re-run this check.";
  return {
    title: checkTitle(verdict),
    summary: fit(summary, CHECK_TEXT_LIMIT),
    annotations: [],
  };
}

/** The output when the review itself broke: never a silent pass on a required check. */
export function renderInternalErrorOutput(): CheckOutput {
  return {
    title: "The review could not run",
    summary:
      "An unexpected error stopped the review of this commit; the App's logs have the details. " +
      "Re-run this check or comment `/recheck` to try again.",
    annotations: [],
  };
}

/** The output for a commit that is no longer the pull request's head. */
export function renderSupersededOutput(newHeadSha: string): CheckOutput {
  return {
    title: "Superseded by a newer commit",
    summary: `The pull request moved on to ${inlineCode(newHeadSha.slice(0, 7))} while this commit was reviewed; see the check on that commit.`,
    annotations: [],
  };
}

function renderSummary(input: Resolved): string {
  const lines = [input.verdict.line];
  const notes = input.report.notes.map((note) => `> ${escapeMarkdown(note)}`);
  if (notes.length > 0) lines.push("", ...notes);
  if (input.report.findings.length > 0) {
    lines.push("");
    for (const finding of input.report.findings) {
      lines.push(
        `- ${SEVERITY_ICON[finding.severity]} **${escapeMarkdown(finding.title)}** · ` +
          `${locationMarkdown(finding.location, input.links)} · ${inlineCode(finding.ruleId)}`,
      );
    }
  }
  if (input.commentUrl)
    lines.push("", `The checklist is in [the pull request comment](${input.commentUrl}).`);
  return lines.join("\n");
}

function renderText(input: Resolved, redact: Redactor, budget: number): string {
  const parts: string[] = [];
  let current: Severity | null = null;
  for (const finding of input.report.findings) {
    if (finding.severity !== current) {
      current = finding.severity;
      parts.push(`## ${SEVERITY_ICON[current]} ${SEVERITY_HEADING[current]}`);
    }
    parts.push(redact(findingText(finding, input.links)));
  }
  const findingsText = fit(parts.join("\n\n"), budget - 300);
  // 200 characters stay free for the heading and the note on what was left out.
  const { blocks, dropped } = fitDetailsBlocks(
    changeSections(input.report.subjects),
    budget - findingsText.length - 200,
    { shortLines: 40, redact, overhead: () => 2 },
  );
  const changes = blocks.length > 0 ? `\n\n## What changes\n\n${blocks.join("\n\n")}` : "";
  const cut =
    dropped > 0
      ? `\n\n_${dropped} more releases or objects changed; they did not fit in the check output._`
      : "";
  return fit(`${findingsText}${changes}${cut}`.trimStart(), budget);
}

function findingText(finding: PolicyFinding, links: LinkContext | undefined): string {
  const lines = [
    `### ${escapeMarkdown(finding.title)} · ${inlineCode(finding.ruleId)}`,
    locationMarkdown(finding.location, links),
    "",
    messageMarkdown(finding.message),
  ];
  const note = severityNote(finding);
  if (note) lines.push("", note);
  lines.push("", `**Fix:** ${messageMarkdown(finding.remediation)}`);
  if (finding.checklist.length > 0) {
    lines.push("", ...finding.checklist.map((item) => `- ${messageMarkdown(item)}`));
  }
  return lines.join("\n");
}

/** Head-side findings become annotations (base-side lines do not exist in the head commit). */
export function renderAnnotations(findings: readonly PolicyFinding[], redact: Redactor): CheckAnnotation[] {
  return findings
    .filter((finding) => finding.location.side === "head")
    .slice(0, MAX_ANNOTATIONS)
    .map((finding) => {
      const line = finding.location.line ?? 1;
      const checklist = finding.checklist.map((item) => `- ${item}`).join("\n");
      const message = [finding.message, `Fix: ${finding.remediation}`, checklist]
        .filter(Boolean)
        .join("\n\n");
      return {
        path: finding.location.path,
        start_line: line,
        end_line: line,
        annotation_level: LEVEL[finding.severity],
        title: truncate(
          plainText(redact(`${finding.severity}: ${finding.title} (${finding.ruleId})`)),
          CHECK_TITLE_LIMIT,
        ),
        message: truncate(plainText(redact(message)), 60_000),
      };
    });
}

/** Splits annotations into request-sized batches (always at least one, possibly empty, batch). */
export function annotationBatches(annotations: readonly CheckAnnotation[]): CheckAnnotation[][] {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  return batches.length > 0 ? batches : [[]];
}

function renderState(input: Resolved): string {
  const findings = input.report.findings.map((finding) => ({
    fingerprint: finding.fingerprint,
    ruleId: finding.ruleId,
    severity: finding.severity,
    checklist: finding.checklist.length,
  }));
  const state: CheckState = {
    version: 1,
    headSha: input.headSha,
    baseSha: input.baseSha,
    gateSeverity: input.report.gateSeverity,
    findings,
    complete: true,
  };
  let json = encodeState(state);
  // Keep the state under a third of the output; gating findings come first (highest severity).
  while (json.length > CHECK_TEXT_LIMIT / 3 && state.findings.length > 0) {
    state.findings = state.findings.slice(0, Math.floor(state.findings.length * 0.8));
    state.complete = false;
    json = encodeState(state);
  }
  return `${STATE_PREFIX}${json}${STATE_SUFFIX}`;
}

/** JSON that cannot close the HTML comment it sits in. */
function encodeState(state: CheckState): string {
  return JSON.stringify(state).replace(/-->/g, "--\\u003e").replace(/</g, "\\u003c");
}

/** Reads the state block back from a check run's `output.text`; null when absent or unreadable. */
export function parseCheckState(text: string | null | undefined): CheckState | null {
  if (!text) return null;
  const start = text.lastIndexOf(STATE_PREFIX);
  if (start < 0) return null;
  const end = text.indexOf(STATE_SUFFIX, start + STATE_PREFIX.length);
  if (end < 0) return null;
  try {
    const value = JSON.parse(text.slice(start + STATE_PREFIX.length, end)) as CheckState;
    return value && value.version === 1 && Array.isArray(value.findings) ? value : null;
  } catch {
    return null;
  }
}

function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = "\n\n_(shortened to fit the check run limit)_";
  return truncate(text, max - note.length, "") + note;
}
