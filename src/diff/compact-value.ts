import { parse } from "yaml";
import { isPlainMap } from "./value-kind.js";

const ELLIPSIS = "…";

/**
 * One-line YAML flow rendering: `{name: config, mountPath: /data}`, `[a, "b, c"]`.
 * Strings stay plain when YAML reads them back as the same string inside a flow collection,
 * otherwise they are double-quoted (JSON strings are valid YAML). Stops building once `width`
 * is exceeded, so a huge subtree costs no more than a short one; the result then ends with `…`.
 */
export function formatCompactValue(value: unknown, width = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= width;
  };
  const write = (node: unknown): boolean => {
    if (Array.isArray(node)) {
      if (!emit("[")) return false;
      for (const [index, item] of node.entries()) {
        if ((index > 0 && !emit(", ")) || !write(item)) return false;
      }
      return emit("]");
    }
    if (isPlainMap(node)) {
      if (!emit("{")) return false;
      for (const [index, [key, item]] of Object.entries(node).entries()) {
        if ((index > 0 && !emit(", ")) || !emit(`${formatString(key)}: `) || !write(item)) return false;
      }
      return emit("}");
    }
    return emit(formatScalar(node));
  };
  write(value);
  return truncate(parts.join(""), width);
}

/** Cuts `text` to at most `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  return `${text.slice(0, Math.max(0, width - ELLIPSIS.length))}${ELLIPSIS}`;
}

function formatScalar(value: unknown): string {
  if (typeof value === "string") return formatString(value);
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function formatString(text: string): string {
  return isPlainSafe(text) ? text : JSON.stringify(text);
}

function isPlainSafe(text: string): boolean {
  if (text === "" || text.trim() !== text || /[\n\r\t"]/.test(text)) return false;
  try {
    const [parsed] = parse(`[${text}]`) as unknown[];
    return parsed === text;
  } catch {
    return false;
  }
}
