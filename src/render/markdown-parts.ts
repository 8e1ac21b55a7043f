/**
 * Pieces shared by the sticky comment and the check run output. Every piece of data from the pull
 * request goes through safe-text before it is placed in Markdown.
 */
import { stringify } from "yaml";
import { renderChangesAsDiff } from "../diff/text-diff.js";
import { formatCompactValue } from "../diff/compact-value.js";
import { describeSubject } from "../model/describe.js";
import { isKubernetesSecret, isSecretPath, MASK, maskValue } from "../k8s/secrets.js";
import { codeBlock, escapeMarkdown, htmlText, inlineCode } from "./safe-text.js";
import type { FindingLocation, PairDiff, Severity } from "../engine/types.js";
import type { PolicyFinding } from "../engine/policy.js";

export const SEVERITY_ICON: Readonly<Record<Severity, string>> = {
  critical: "🔴",
  high: "🟠",
  medium: "🟡",
  low: "🔵",
  info: "⚪",
};

export const SEVERITY_HEADING: Readonly<Record<Severity, string>> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  info: "Info",
};

/** Where the reviewed commits live, to link locations. Absent in the CLI: locations stay text. */
export interface LinkContext {
  /** `https://github.com/owner/repo` */
  repoUrl: string;
  baseSha: string;
  headSha: string;
}

export function locationText(location: FindingLocation): string {
  return location.line ? `${location.path}:${location.line}` : location.path;
}

export function locationUrl(location: FindingLocation, links: LinkContext): string {
  const sha = location.side === "base" ? links.baseSha : links.headSha;
  const path = location.path.split("/").map(encodeUrlSegment).join("/");
  return `${links.repoUrl}/blob/${sha}/${path}${location.line ? `#L${location.line}` : ""}`;
}

/** `` [`path:line`](url) `` or just the code span without links. */
export function locationMarkdown(location: FindingLocation, links?: LinkContext): string {
  const label = inlineCode(locationText(location));
  const deleted = location.side === "base" ? " (base)" : "";
  return links ? `[${label}](${locationUrl(location, links)})${deleted}` : `${label}${deleted}`;
}

function encodeUrlSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[()'!*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Rule messages are templates filled with data from the PR. Code spans the rule wrote stay code
 * spans; everything else is escaped. Either way the result cannot inject Markdown or mentions.
 */
export function messageMarkdown(message: string): string {
  const parts = message.split(/(`[^`]+`)/);
  return parts
    .map((part) =>
      part.startsWith("`") && part.endsWith("`") && part.length > 1
        ? inlineCode(part.slice(1, -1))
        : escapeMarkdown(part),
    )
    .join("");
}

/** Hidden key of one checklist item, so ticks can be matched to findings across pushes. */
export function checklistMarker(fingerprint: string, index: number): string {
  return `<!-- gitops-review-bot:check ${safeId(fingerprint)}/${index} -->`;
}

export function checklistKey(fingerprint: string, index: number): string {
  return `${safeId(fingerprint)}/${index}`;
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.:-]/g, "");
}

/** Who ticked a checklist item, keyed by `checklistKey`. */
export type ChecklistTicks = ReadonlyMap<string, { by: string }>;

export function checklistMarkdown(finding: PolicyFinding, ticks?: ChecklistTicks): string[] {
  return finding.checklist.map((item, index) => {
    const tick = ticks?.get(checklistKey(finding.fingerprint, index));
    const by = tick ? ` (ticked by ${escapeMarkdown(tick.by)})` : "";
    return `- [${tick ? "x" : " "}] ${messageMarkdown(item)}${by} ${checklistMarker(finding.fingerprint, index)}`;
  });
}

/** Who acknowledged a finding with `/ack`, and why. */
export interface AckNote {
  by: string;
  reason: string;
}

/** "✋ Acknowledged by @alice: reason", the mention neutralised. */
export function ackMarkdown(ack: AckNote): string {
  return `✋ **Acknowledged** by ${escapeMarkdown(`@${ack.by}`)}: ${escapeMarkdown(ack.reason)}`;
}

export function severityNote(finding: PolicyFinding): string | null {
  if (!finding.engineSeverity || !finding.adjustment) return null;
  return `_Severity ${finding.engineSeverity} → ${finding.severity}: ${escapeMarkdown(finding.adjustment)}._`;
}

// ---------------------------------------------------------------------------------------------
// Changes per release and per object

export interface ChangeSection {
  /** Summary line, HTML (it sits in a `<summary>`). */
  summary: string;
  /** The diff-like block, Markdown (a fenced `diff` block), or null when nothing to show. */
  body: string | null;
  /** Lines of the diff, to shorten the block when space runs out. */
  lines: string[];
}

function subjectLabel(diff: PairDiff): string {
  const subject = diff.pair.head ?? diff.pair.base;
  return subject ? describeSubject(subject) : diff.pair.id;
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  added: "added",
  removed: "removed",
  modified: "changed",
  replaced: "replaced (deleted and created again)",
  unchanged: "unchanged",
};

/** One section per release or object that changes, in the order the engine paired them. */
export function changeSections(subjects: readonly PairDiff[], width = 100): ChangeSection[] {
  const sections: ChangeSection[] = [];
  for (const diff of subjects) {
    if (diff.pair.status === "unchanged" && diff.changes.length === 0) continue;
    const inSecret = isKubernetesSecret(diff.pair.head) || isKubernetesSecret(diff.pair.base);
    const text = renderChangesAsDiff(diff.changes, {
      width,
      formatValue: (value, { change }) =>
        isSecretPath(change.path, inSecret)
          ? MASK
          : formatCompactValue(maskValue(value, change.path, inSecret), width),
      formatWhole: (value) => stringify(maskValue(value, [], inSecret)),
      expandText: (change) => !isSecretPath(change.path, inSecret),
    });
    const lines = text === "" ? [] : text.split("\n");
    const n = diff.changes.length;
    const replaced =
      diff.pair.status === "replaced" && diff.pair.base && diff.pair.head
        ? `, was <code>${htmlText(describeSubject(diff.pair.base))}</code>`
        : "";
    const summary =
      `<code>${htmlText(subjectLabel(diff))}</code>: ${STATUS_TEXT[diff.pair.status] ?? diff.pair.status}${replaced}` +
      (n > 0 ? `, ${n} ${n === 1 ? "change" : "changes"}` : "");
    sections.push({ summary, body: lines.length > 0 ? codeBlock(lines.join("\n"), "diff") : null, lines });
  }
  return sections;
}

/** A `<details>` block; `maxLines` shortens the diff and says how much was left out. */
export function detailsBlock(section: ChangeSection, maxLines = Number.POSITIVE_INFINITY): string {
  let body = section.body;
  if (body !== null && section.lines.length > maxLines) {
    const kept = section.lines.slice(0, maxLines);
    kept.push(`# … ${section.lines.length - maxLines} more lines in the check run`);
    body = codeBlock(kept.join("\n"), "diff");
  }
  return body === null
    ? `<details><summary>${section.summary}</summary>\n\nNo value-level change to show.\n\n</details>`
    : `<details><summary>${section.summary}</summary>\n\n${body}\n\n</details>`;
}

export interface FittedBlocks {
  blocks: string[];
  /** Sections shown with their diff cut to the short length. */
  shortened: number;
  /** Sections left out: not even the short block fitted. */
  dropped: number;
}

/**
 * Change sections as `<details>` blocks within `budget` characters, in order: whole when they fit,
 * else with the diff cut to `shortLines` lines, else left out. `overhead(kept)` is what placing one
 * more block costs besides the block itself (its separator), given how many are already kept.
 */
export function fitDetailsBlocks(
  sections: readonly ChangeSection[],
  budget: number,
  options: { shortLines: number; redact: (text: string) => string; overhead: (kept: number) => number },
): FittedBlocks {
  const fitted: FittedBlocks = { blocks: [], shortened: 0, dropped: 0 };
  let left = budget;
  for (const section of sections) {
    const cost = options.overhead(fitted.blocks.length);
    const full = options.redact(detailsBlock(section));
    // A short block no shorter than the whole one cannot fit where the whole one did not.
    const block =
      cost + full.length <= left ? full : options.redact(detailsBlock(section, options.shortLines));
    if (cost + block.length > left) {
      fitted.dropped += 1;
      continue;
    }
    if (block !== full) fitted.shortened += 1;
    fitted.blocks.push(block);
    left -= cost + block.length;
  }
  return fitted;
}
