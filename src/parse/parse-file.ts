import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import type { Side } from "../source/change-set.js";
import { isChartTemplatePath } from "./templates.js";
import { DEFAULT_LIMITS, type ParseLimits } from "./limits.js";
import {
  pathKey,
  type DocumentKind,
  type ParsedFile,
  type PathSegment,
  type Problem,
  type SourceLocation,
} from "./types.js";

/** Says what a document is; the formats' registry knows (parsing stays format-agnostic). */
export type DocumentClassifier = (path: string, value: unknown) => DocumentKind;

/** Without a classifier a document is only told apart as empty or not. */
const unclassified: DocumentClassifier = (_path, value) =>
  value === null || value === undefined ? "empty" : "unknown";

/**
 * `{{` with a `}}` after it. Not the regex `/\{\{[\s\S]*?\}\}/`: on a file of `{` without `}}` it
 * scans to the end from every position, minutes of CPU for one 1 MiB file.
 */
function hasTemplateMarker(text: string): boolean {
  const open = text.indexOf("{{");
  return open >= 0 && text.indexOf("}}", open + 2) >= 0;
}

/**
 * YAML text -> documents with the line of every node. Never throws: anything the file does wrong
 * becomes a Problem and the other documents (and files) are still reviewed.
 */
export function parseFile(
  file: string,
  text: string,
  side: Side,
  limits: ParseLimits = DEFAULT_LIMITS,
  classify: DocumentClassifier = unclassified,
): ParsedFile {
  const result: ParsedFile = { file, side, format: "yaml", documents: [], problems: [] };
  const problem = (code: Problem["code"], line: number | null, message: string): ParsedFile => {
    result.problems.push({ code, file, side, line, message });
    return result;
  };

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > limits.maxFileBytes) {
    result.format = "unreadable";
    return problem(
      "file-too-large",
      null,
      `${bytes} bytes is over the ${limits.maxFileBytes}-byte limit; the file was not reviewed.`,
    );
  }

  const hasTemplate = hasTemplateMarker(text);
  if (hasTemplate && isChartTemplatePath(file)) {
    result.format = "helm-template";
    return problem("helm-template", null, templateMessage());
  }

  const lineCounter = new LineCounter();
  const docs = parseDocuments(text, lineCounter);
  if (typeof docs === "string") {
    result.format = "unreadable";
    return problem("yaml-syntax", null, docs);
  }
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > limits.maxDocuments) {
    result.format = "unreadable";
    return problem(
      "file-too-large",
      null,
      `${list.length} YAML documents is over the limit of ${limits.maxDocuments}; the file was not reviewed.`,
    );
  }

  const lineOf = (offset: number | undefined): number =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;

  for (const [index, doc] of list.entries()) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line ?? lineOf(error.pos[0]);
      // A Go template that is not valid YAML: say so instead of blaming the syntax.
      if (hasTemplate) {
        result.format = "helm-template";
        return problem("helm-template", line, templateMessage());
      }
      // The parser recurses per nesting level: a hostile depth surfaces as a stack overflow.
      if (STACK_OVERFLOW.test(error.message)) {
        problem("depth-limit", line, depthMessage(limits.maxDepth, index));
        continue;
      }
      problem("yaml-syntax", line, `YAML syntax error: ${firstLine(error.message)}`);
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/alias/i.test(message)) {
        problem(
          "alias-limit",
          lineOf(doc.contents?.range?.[0]),
          `YAML aliases expand past the limit of ${limits.maxAliasCount} (a "YAML bomb"?); document ${index + 1} was not reviewed.`,
        );
      } else if (STACK_OVERFLOW.test(message)) {
        problem("depth-limit", lineOf(doc.contents?.range?.[0]), depthMessage(limits.maxDepth, index));
      } else {
        problem("yaml-syntax", lineOf(doc.contents?.range?.[0]), `YAML error: ${firstLine(message)}`);
      }
      continue;
    }
    if (depthOf(value, limits.maxDepth + 1) > limits.maxDepth) {
      problem("depth-limit", lineOf(doc.contents?.range?.[0]), depthMessage(limits.maxDepth, index));
      continue;
    }
    const locations = new Map<string, SourceLocation>();
    const start = doc.contents ? lineOf(doc.contents.range?.[0]) : lineOf(doc.range[0]);
    recordLocations(doc.contents as Node | null, [], locations, file, lineOf);
    result.documents.push({
      file,
      index,
      kind: classify(file, value),
      line: start,
      value,
      locations,
    });
  }
  return result;
}

const STACK_OVERFLOW = /maximum call stack size exceeded/i;

/** The documents of a YAML text, or why the parser gave up on the whole text. */
function parseDocuments(text: string, lineCounter: LineCounter) {
  try {
    return parseAllDocuments(text, {
      lineCounter,
      merge: true,
      uniqueKeys: false,
      prettyErrors: false,
      // `!!set`, `!!omap`, `!!binary`, `!!timestamp` stay plain maps, lists and strings, close to how
      // Go readers (Helm, kubectl) see them. Resolved, they became JS Sets, Maps and Buffers: leaves
      // the diff cannot look into, so an edit under `!!set` or `!!omap` went unreported.
      resolveKnownTags: false,
      // A PR's file must not write to the server's stderr (a complex key `? {a: 1}` made it warn).
      logLevel: "error",
    });
  } catch (err) {
    // The parser recovers from bad indentation by nesting: a stray `- item` at column 0 followed by
    // a few thousand items and a tab-indented line runs it out of stack.
    const message = err instanceof Error ? err.message : String(err);
    return STACK_OVERFLOW.test(message)
      ? "The YAML parser ran out of stack on this file (badly broken indentation?); it was not reviewed."
      : `YAML syntax error: ${firstLine(message)}; the file was not reviewed.`;
  }
}

function depthMessage(maxDepth: number, index: number): string {
  return `YAML nesting is deeper than ${maxDepth} levels; document ${index + 1} was not reviewed.`;
}

function templateMessage(): string {
  return "Helm template ({{ }}): it changed, but it is only meaningful once rendered, so it was not parsed.";
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Depth of nested maps/lists, counting stops once `stopAt` is reached. */
function depthOf(value: unknown, stopAt: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (max >= stopAt) return max;
    if (typeof node === "object" && node !== null) {
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
    }
  }
  return max;
}

/**
 * Walks the YAML AST beside the JS value and records the line of each node.
 * A map entry is located at its key (where a reader looks); aliases are not followed,
 * so nodes behind them fall back to the alias line through their nearest ancestor.
 */
function recordLocations(
  node: Node | null,
  path: PathSegment[],
  locations: Map<string, SourceLocation>,
  file: string,
  lineOf: (offset: number | undefined) => number,
  ownLine?: number,
): void {
  if (!node) return;
  locations.set(pathKey(path), { file, line: ownLine ?? lineOf(node.range?.[0]) });
  if (isAlias(node)) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : null;
      if (key === "<<" || key === null || key === undefined) continue;
      const keyLine = lineOf((pair.key as Node).range?.[0]);
      const child = pair.value as Node | null;
      if (child) {
        recordLocations(child, [...path, String(key)], locations, file, lineOf, keyLine);
      } else {
        locations.set(pathKey([...path, String(key)]), { file, line: keyLine });
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      recordLocations(item as Node | null, [...path, i], locations, file, lineOf);
    });
  }
}
