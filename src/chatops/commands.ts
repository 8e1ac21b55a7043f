/**
 * Slash commands in pull request comments. A command counts only at the start of a line (up to
 * three spaces of indentation, as Markdown allows), outside block quotes, fenced code blocks,
 * indented code blocks and HTML comments: quoting someone's `/ack` must not ack again.
 */

export type Command =
  | { kind: "explain" }
  | { kind: "explain-rule"; ruleId: string }
  | { kind: "explain-path"; path: string }
  | { kind: "ack"; ruleId: string; reason: string }
  /** `/ack` without a rule id or a reason: refused with the usage. */
  | { kind: "ack-usage"; ruleId: string | null }
  | { kind: "recheck" }
  | { kind: "help"; unknown: string | null };

/** More than this many commands in one comment are ignored (one reply answers them all). */
export const MAX_COMMANDS = 10;

const COMMAND_LINE = /^ {0,3}\/([A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+(.*))?$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/** A catalogue id, or a custom rule's `custom/<id>`. */
const RULE_ID = /^(custom\/)?[a-z0-9]+(-[a-z0-9]+)*$/;

/** Every command in a comment body, in order, without duplicates. */
export function parseCommands(body: string): Command[] {
  const commands: Command[] = [];
  const seen = new Set<string>();
  for (const line of commandLines(body)) {
    const match = COMMAND_LINE.exec(line);
    if (!match) continue;
    const command = toCommand(match[1].toLowerCase(), (match[2] ?? "").trim());
    const key = JSON.stringify(command);
    if (seen.has(key)) continue;
    seen.add(key);
    commands.push(command);
    if (commands.length >= MAX_COMMANDS) break;
  }
  return commands;
}

function toCommand(name: string, rest: string): Command {
  switch (name) {
    case "explain": {
      if (rest === "") return { kind: "explain" };
      const target = firstWord(rest).replace(/^`(.*)`$/, "$1");
      return RULE_ID.test(target)
        ? { kind: "explain-rule", ruleId: target }
        : { kind: "explain-path", path: cleanPath(target) };
    }
    case "ack": {
      const ruleId = firstWord(rest).replace(/^`(.*)`$/, "$1");
      const reason = rest.slice(firstWord(rest).length).trim();
      if (ruleId === "" || reason === "") return { kind: "ack-usage", ruleId: ruleId === "" ? null : ruleId };
      return { kind: "ack", ruleId, reason };
    }
    case "recheck":
      return { kind: "recheck" };
    case "help":
      return { kind: "help", unknown: null };
    default:
      return { kind: "help", unknown: name };
  }
}

function firstWord(text: string): string {
  return text.split(/\s+/)[0] ?? "";
}

/** `./clusters/prod/values.yaml` and `/clusters/...` name the same repo file. */
function cleanPath(path: string): string {
  return path.replace(/^\.\//, "").replace(/^\/+/, "");
}

/**
 * The lines of a body that can hold a command: not in a quote, a code block or an HTML comment.
 * A lazy continuation line of a quote is treated as quoted too.
 */
function commandLines(body: string): string[] {
  const out: string[] = [];
  let fence: { char: string; length: number } | null = null;
  let inHtmlComment = false;
  let inQuote = false;
  for (const line of body.replace(/\r\n?/g, "\n").split("\n")) {
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
      continue;
    }
    if (inHtmlComment) {
      if (line.includes("-->")) inHtmlComment = false;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open && !(open[1][0] === "`" && open[2].includes("`"))) {
      fence = { char: open[1][0], length: open[1].length };
      inQuote = false;
      continue;
    }
    if (line.trim() === "") {
      inQuote = false;
      continue;
    }
    if (/^ {0,3}>/.test(line)) {
      inQuote = true;
      continue;
    }
    // A lazy continuation line still belongs to the quote above it.
    if (inQuote) continue;
    if (/^ {0,3}<!--/.test(line)) {
      if (!line.slice(line.indexOf("<!--") + 4).includes("-->")) inHtmlComment = true;
      continue;
    }
    // Indented code (four spaces or a tab) never matches: a command allows at most three spaces.
    out.push(line);
  }
  return out;
}
