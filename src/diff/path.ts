import type { ValuePath } from "../parse/types.js";

/** A map key: `.image`, or `["app.kubernetes.io/name"]` when the key is not a plain word. */
export interface KeySegment {
  kind: "key";
  key: string;
}

/** A list item addressed by position: `[2]`. */
export interface IndexSegment {
  kind: "index";
  index: number;
}

/** A list item addressed by its merge key: `[name=app]`, `[containerPort=80]`. */
export interface MatchSegment {
  kind: "match";
  field: string;
  value: unknown;
}

/** An item of a scalar list compared as a set, addressed by its value: `[="--foo"]`. */
export interface ElementSegment {
  kind: "element";
  value: unknown;
}

export type DisplaySegment = KeySegment | IndexSegment | MatchSegment | ElementSegment;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;
const PLAIN_MATCH_VALUE = /^[\w./:@-]+$/;

/**
 * Readable path for reviewers and rule matching:
 * `spec.template.spec.containers[name=app].image`, `volumes[name=config]`, `args[2]`,
 * `metadata.labels["app.kubernetes.io/name"]`, `additionalArguments[="--log.level=DEBUG"]`.
 * Set elements always quote strings, so `[="80"]` and `[=80]` stay apart; merge-key values are quoted
 * only when they are not a plain word or would read as a number.
 */
export function formatPath(segments: readonly DisplaySegment[]): string {
  let out = "";
  for (const segment of segments) {
    switch (segment.kind) {
      case "key":
        if (PLAIN_KEY.test(segment.key)) out += out === "" ? segment.key : `.${segment.key}`;
        else out += `[${JSON.stringify(segment.key)}]`;
        break;
      case "index":
        out += `[${segment.index}]`;
        break;
      case "match":
        out += `[${segment.field}=${formatMatchValue(segment.value)}]`;
        break;
      case "element":
        out += `[=${formatScalarLiteral(segment.value)}]`;
        break;
    }
  }
  return out;
}

/** Readable form of an index-based path: `spec.containers[0].image`. */
export function formatValuePath(path: ValuePath): string {
  return formatPath(
    path.map((segment): DisplaySegment =>
      typeof segment === "number" ? { kind: "index", index: segment } : { kind: "key", key: segment },
    ),
  );
}

function formatMatchValue(value: unknown): string {
  if (typeof value === "string" && PLAIN_MATCH_VALUE.test(value) && Number.isNaN(Number(value))) return value;
  return formatScalarLiteral(value);
}

function formatScalarLiteral(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
