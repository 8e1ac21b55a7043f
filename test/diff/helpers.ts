import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node } from "yaml";
import { pathKey } from "../../src/parse/types.js";
import type { LocatedValue, PathSegment, SourceLocation } from "../../src/parse/types.js";

/**
 * Test stand-in for the YAML parser: plain value plus the 1-based line of every node
 * (a map entry is located at its key, a list item at the item).
 */
export function located(text: string, file = "test.yaml"): LocatedValue {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const locations = new Map<string, SourceLocation>();
  const record = (path: PathSegment[], offset: number | undefined): void => {
    const key = pathKey(path);
    if (offset !== undefined && !locations.has(key)) {
      locations.set(key, { file, line: lineCounter.linePos(offset).line });
    }
  };
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        record([...path, key], (pair.key as Node | null)?.range?.[0]);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        record([...path, index], (item as Node | null)?.range?.[0]);
        walk(item, [...path, index]);
      }
    }
  };
  record([], document.contents?.range[0]);
  walk(document.contents, []);
  return { value: document.toJS(), locations };
}
