/**
 * Fitting the answers to one comment's commands into one reply within GitHub's body limit.
 */
import { GITHUB_BODY_LIMIT } from "../render/comment.js";
import { truncate } from "../render/safe-text.js";
import { REPLY_MARKER } from "./replies.js";

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
