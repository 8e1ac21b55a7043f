/** Walking a parsed value node by node, with readable keys that survive list reordering. */
import type { PathSegment } from "../parse/types.js";
import { isRecord } from "./located.js";

export interface ValueNode {
  /** Real path, list positions as numbers: give it to `locationOf`. */
  path: PathSegment[];
  /** Path that survives reordering, list items by `name` when they have one: `containers[name=app].image`. */
  key: string;
  /** The map key or list index the node sits under (null for the root). */
  name: PathSegment | null;
  value: unknown;
  parent: unknown;
}

const WALK_DEPTH_LIMIT = 64;

/**
 * Visits every node of a value depth-first (maps and lists included), never throwing on odd input.
 * `maxDepth` stops at nodes that many segments deep: a caller that only reads shallow keys skips
 * the rest of a large values tree.
 */
export function walkValue(
  value: unknown,
  visit: (node: ValueNode) => void,
  maxDepth = WALK_DEPTH_LIMIT,
): void {
  walkNode(value, [], "", null, undefined, visit, Math.min(maxDepth, WALK_DEPTH_LIMIT));
}

function walkNode(
  value: unknown,
  path: PathSegment[],
  key: string,
  name: PathSegment | null,
  parent: unknown,
  visit: (node: ValueNode) => void,
  maxDepth: number,
): void {
  visit({ path, key, name, value, parent });
  if (path.length >= maxDepth) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const itemName = isRecord(item) && typeof item.name === "string" ? item.name : null;
      const itemKey = itemName === null ? `${key}[${i}]` : `${key}[name=${itemName}]`;
      walkNode(item, [...path, i], itemKey, i, value, visit, maxDepth);
    });
  } else if (isRecord(value)) {
    for (const [childName, child] of Object.entries(value)) {
      const childKey = key ? `${key}.${childName}` : childName;
      walkNode(child, [...path, childName], childKey, childName, value, visit, maxDepth);
    }
  }
}
