import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import { stringify } from "yaml";
import type { Side } from "../source/change-set.js";
import type { SourceLocation } from "../parse/types.js";
import { formatCompactValue, truncate } from "./compact-value.js";
import type { ValueChange } from "./types.js";

export interface UnifiedDiffOptions {
  oldName?: string;
  newName?: string;
  /** Unchanged lines around each hunk (default 3). */
  context?: number;
}

/**
 * Bounds on one text diff: Myers' algorithm is quadratic in the edit distance, and a PR controls
 * both texts (a 20,000-line dashboard rewritten took minutes). Past either bound the diff is not
 * shown and the caller says why.
 */
export const TEXT_DIFF_MAX_EDIT_LENGTH = 2000;
export const TEXT_DIFF_TIMEOUT_MS = 100;

/**
 * A unified diff (`--- a`, `+++ b`, hunks) for text that reads better as lines, such as a values
 * string block. Empty when the texts are equal; null when the diff is too costly to compute.
 */
export function renderUnifiedDiff(
  oldText: string,
  newText: string,
  options: UnifiedDiffOptions = {},
): string | null {
  if (oldText === newText) return "";
  return (
    createTwoFilesPatch(
      options.oldName ?? "base",
      options.newName ?? "head",
      oldText,
      newText,
      undefined,
      undefined,
      {
        context: options.context ?? 3,
        headerOptions: FILE_HEADERS_ONLY,
        maxEditLength: TEXT_DIFF_MAX_EDIT_LENGTH,
        timeout: TEXT_DIFF_TIMEOUT_MS,
      },
    ) ?? null
  );
}

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length;
}

export interface FormatValueContext {
  change: ValueChange;
  side: Side;
}

export interface ChangesDiffOptions {
  /** Longest rendered value before it is cut with an ellipsis (default 80). */
  width?: number;
  /** Append `# file:line` to each line (default true). */
  locations?: boolean;
  /** Renders one value; the hook for masking secrets. Defaults to a one-line YAML flow rendering. */
  formatValue?: (value: unknown, context: FormatValueContext) => string;
  /**
   * Renders a whole added or removed subject (a root-level change) as block YAML, one diff line per
   * YAML line; the hook for masking secrets. Defaults to the value as YAML.
   */
  formatWhole?: (value: unknown, context: FormatValueContext) => string;
  /** Longest whole-subject rendering, in lines (default 40). */
  wholeLines?: number;
  /**
   * Whether a multi-line string that changed (a config file in a ConfigMap, an Argo CD `helm.values`
   * block) may be shown line by line as a unified diff; say no for values that must stay masked.
   * Default: yes.
   */
  expandText?: (change: ValueChange) => boolean;
}

interface RenderedLine {
  text: string;
  location: SourceLocation | null;
}

const ROOT_LABEL = "(root)";
const ALIGN_LIMIT = 60;

/**
 * Path-level changes as a diff-like block: `- path: old` / `+ path: new`, one line per side,
 * with location comments aligned in one column.
 */
export function renderChangesAsDiff(
  changes: readonly ValueChange[],
  options: ChangesDiffOptions = {},
): string {
  const width = options.width ?? 80;
  const showLocations = options.locations ?? true;
  const format = options.formatValue ?? ((value: unknown) => formatCompactValue(value, width));

  const formatWhole = options.formatWhole ?? ((value: unknown) => stringify(value));
  const wholeLines = options.wholeLines ?? 40;

  const lines: RenderedLine[] = [];
  for (const change of changes) {
    if (change.path === "" && change.op !== "changed") {
      // A whole object added or removed reads best as the object itself, like a file diff.
      const side: Side = change.op === "added" ? "head" : "base";
      const sign = side === "base" ? "-" : "+";
      const body = formatWhole(side === "head" ? change.after : change.before, { change, side })
        .trimEnd()
        .split("\n");
      body.slice(0, wholeLines).forEach((text, i) => {
        lines.push({ text: `${sign} ${truncate(text, width)}`, location: i === 0 ? change[side] : null });
      });
      if (body.length > wholeLines)
        lines.push({ text: `${sign} # … ${body.length - wholeLines} more lines`, location: null });
      continue;
    }
    const path = change.path === "" ? ROOT_LABEL : change.path;
    if (isTextChange(change) && (options.expandText?.(change) ?? true)) {
      // A changed block of text reads as a text diff, not as two truncated one-liners.
      lines.push({ text: `~ ${path}: text changed`, location: change.head });
      const patch = renderUnifiedDiff(change.before, change.after, { context: 2 });
      if (patch === null) {
        lines.push({
          text: `  # ${lineCount(change.before)} -> ${lineCount(change.after)} lines, too many edits to show line by line`,
          location: null,
        });
        continue;
      }
      const hunks = patch.trimEnd().split("\n").slice(2);
      for (const text of hunks.slice(0, wholeLines))
        lines.push({ text: truncate(text, width), location: null });
      if (hunks.length > wholeLines)
        lines.push({ text: `  # … ${hunks.length - wholeLines} more lines`, location: null });
      continue;
    }
    const render = (side: Side, value: unknown): string =>
      `${side === "base" ? "-" : "+"} ${path}: ${truncate(format(value, { change, side }), width)}`;
    if (change.op !== "added") lines.push({ text: render("base", change.before), location: change.base });
    if (change.op !== "removed") lines.push({ text: render("head", change.after), location: change.head });
  }
  if (!showLocations) return lines.map((line) => line.text).join("\n");

  // Align comments over the lines that fit; a longer line only pushes its own comment out.
  const column =
    lines.reduce(
      (widest, { text, location }) =>
        location && text.length <= ALIGN_LIMIT ? Math.max(widest, text.length) : widest,
      0,
    ) + 2;
  return lines
    .map(({ text, location }) => {
      if (!location) return text;
      const padded = text.length < column ? text.padEnd(column) : `${text}  `;
      return `${padded}# ${location.file}:${location.line}`;
    })
    .join("\n");
}

function isTextChange(change: ValueChange): change is ValueChange & { before: string; after: string } {
  return (
    change.op === "changed" &&
    typeof change.before === "string" &&
    typeof change.after === "string" &&
    (change.before.includes("\n") || change.after.includes("\n"))
  );
}
