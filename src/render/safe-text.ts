/**
 * Everything that comes from a pull request (file names, values, names of objects) passes through
 * here before it reaches a comment, a check run or a terminal:
 *
 * - `@mentions` and `#123` references are broken with a zero-width space, so a values file cannot
 *   make the bot ping a team or cross-link an issue;
 * - HTML and Markdown control characters are escaped in text, code spans and blocks get a fence
 *   longer than any backtick run they contain.
 *
 * Values that look secret are masked by `k8s/secrets.ts` (the Report carries its redactor).
 */
const ZWSP = "\u200B";

// ---------------------------------------------------------------------------------------------
// Escaping

/** Breaks `@user`, `@org/team` mentions (in any context, code included). */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWSP}`);
}

/** Breaks `#123` and `GH-123` auto-links. */
function neutralizeReferences(text: string): string {
  return text.replace(/(#|\bGH-)(?=\d)/gi, `$1${ZWSP}`);
}

/** Removes C0/C1 control characters except tab and newline. */
function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, "");
}

/**
 * Escapes text for inline Markdown: HTML entities, every ASCII punctuation that Markdown or
 * GitHub's extensions treat specially, mentions and references. Newlines become spaces.
 */
export function escapeMarkdown(text: string): string {
  const escaped = stripControl(text)
    .replace(/\r?\n|\r/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]#!|~$]/g, "\\$&")
    // Only at the start can these open a list, a heading or a quote.
    .replace(/^(\s*)([-+=])/, "$1\\$2")
    .replace(/^(\s*\d+)([.)])/, "$1\\$2");
  return neutralizeReferences(neutralizeMentions(escaped));
}

/** Text inside raw HTML (a `<summary>`, a `<code>` element): entities, mentions, references. */
export function htmlText(text: string): string {
  const escaped = stripControl(text)
    .replace(/\r?\n|\r/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    .replace(/[`*_[\]\\|~$]/g, (c) => `&#${c.charCodeAt(0)};`);
  return neutralizeReferences(neutralizeMentions(escaped));
}

/** A code span that holds any text: the fence is longer than any backtick run inside. */
export function inlineCode(text: string): string {
  const content = neutralizeMentions(stripControl(text).replace(/\r?\n|\r/g, " "));
  const fence = "`".repeat(longestRun(content, "`") + 1);
  const pad = content.startsWith("`") || content.endsWith("`") || content.trim() === "" ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A fenced code block that holds any text. */
export function codeBlock(text: string, info = ""): string {
  const content = neutralizeMentions(stripControl(text)).replace(/\s+$/, "");
  const fence = "`".repeat(Math.max(3, longestRun(content, "`") + 1));
  return `${fence}${info}\n${content}\n${fence}`;
}

/** Text for places without Markdown (check run annotations, terminal output). */
export function plainText(text: string): string {
  return neutralizeMentions(stripControl(text));
}

/** Shortens to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(text: string, max: number, ellipsis = "…"): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ellipsis.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + ellipsis;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}
