import { locate } from "../model/located.js";
import type { LocatedValue, PathSegment, ValuePath } from "../parse/types.js";
import {
  chooseListStrategy,
  DEFAULT_MERGE_KEYS,
  DEFAULT_ORDERED_LISTS,
  mergeKeyOf,
} from "./list-strategy.js";
import type { ListStrategy, ListStrategyOptions } from "./list-strategy.js";
import { alignLists } from "./list-alignment.js";
import { formatPath } from "./path.js";
import type { DisplaySegment } from "./path.js";
import { StructuralIds } from "./structural-id.js";
import type { ChangeOp, ValueChange } from "./types.js";
import { isPlainMap, kindOf, scalarEqual, scalarKey } from "./value-kind.js";

export interface DiffOptions {
  /**
   * Paths (list indexes as numbers, as on either side) whose subtree is left out entirely: never
   * reported, and pruned from the values of reported ancestors.
   */
  ignore?: (path: ValuePath) => boolean;
  /** Merge keys by list name, replacing the default entry for that name (see DEFAULT_MERGE_KEYS). */
  mergeKeys?: Readonly<Record<string, readonly string[]>>;
  /** More scalar lists compared by position (see DEFAULT_ORDERED_LISTS). */
  orderedLists?: readonly string[];
}

/** One node position while walking both sides in step. */
interface Cursor {
  display: readonly DisplaySegment[];
  basePath: readonly PathSegment[];
  headPath: readonly PathSegment[];
}

interface DiffContext {
  base: LocatedValue;
  head: LocatedValue;
  ignore: ((path: ValuePath) => boolean) | undefined;
  lists: ListStrategyOptions;
  ids: StructuralIds;
  changes: ValueChange[];
}

const NO_LOCATIONS: LocatedValue = { value: undefined, locations: new Map() };

/**
 * Path-level differences between two versions of a value, in base order then new head keys in head
 * order. A subtree added or removed is one change at its root; a node changing kind (scalar to map)
 * is one `changed`. Lists pair items by merge key, or by value for scalar sets, or else in order
 * like lines of a text diff, so one item inserted at the top is one `added`; such items are shown
 * by index, the head index for an item still on head (`args[3]`), the base index for a removed one.
 *
 * Locations: a side where the node exists gets the node's own location (or its nearest located
 * ancestor). The side where it does not exist gets its nearest existing ancestor's location, so a
 * removal can still be annotated in the head file; `basePath`/`headPath` stay null there.
 */
export function diffValues(
  base: LocatedValue | null,
  head: LocatedValue | null,
  options: DiffOptions = {},
): ValueChange[] {
  const context: DiffContext = {
    base: base ?? NO_LOCATIONS,
    head: head ?? NO_LOCATIONS,
    ignore: options.ignore,
    lists: {
      mergeKeys: { ...DEFAULT_MERGE_KEYS, ...options.mergeKeys },
      orderedLists: new Set([...DEFAULT_ORDERED_LISTS, ...(options.orderedLists ?? [])]),
    },
    ids: new StructuralIds(),
    changes: [],
  };
  const root: Cursor = { display: [], basePath: [], headPath: [] };
  if (base && head) diffNode(context, root, base.value, head.value);
  else if (head) report(context, "added", root, { after: head.value });
  else if (base) report(context, "removed", root, { before: base.value });
  return context.changes;
}

function diffNode(context: DiffContext, at: Cursor, before: unknown, after: unknown): void {
  if (isIgnored(context, at.basePath) || isIgnored(context, at.headPath)) return;
  const kind = kindOf(before);
  if (kind !== kindOf(after)) {
    report(context, "changed", at, { before, after });
  } else if (kind === "map") {
    diffMaps(context, at, before as Record<string, unknown>, after as Record<string, unknown>);
  } else if (kind === "list") {
    diffLists(context, at, before as unknown[], after as unknown[]);
  } else if (!scalarEqual(before, after)) {
    report(context, "changed", at, { before, after });
  }
}

function diffMaps(
  context: DiffContext,
  at: Cursor,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): void {
  for (const key of Object.keys(before)) {
    const segment: DisplaySegment = { kind: "key", key };
    if (Object.hasOwn(after, key)) diffNode(context, step(at, segment, key, key), before[key], after[key]);
    else report(context, "removed", step(at, segment, key, null), { before: before[key] });
  }
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key)) {
      report(context, "added", step(at, { kind: "key", key }, null, key), { after: after[key] });
    }
  }
}

function diffLists(context: DiffContext, at: Cursor, before: unknown[], after: unknown[]): void {
  const last = at.basePath.at(-1) ?? at.headPath.at(-1);
  const strategy = chooseListStrategy(typeof last === "string" ? last : null, before, after, context.lists);
  switch (strategy.kind) {
    case "same":
      return;
    case "sequence":
      diffInSequence(context, at, before, after);
      return;
    case "set":
    case "merge-key":
      diffByIdentity(context, at, before, after, strategy);
      return;
  }
}

function diffInSequence(context: DiffContext, at: Cursor, before: unknown[], after: unknown[]): void {
  for (const edit of alignLists(before, after, context.ids)) {
    if (edit.op === "removed") {
      const segment: DisplaySegment = { kind: "index", index: edit.base };
      report(context, "removed", step(at, segment, edit.base, null), { before: before[edit.base] });
    } else if (edit.op === "added") {
      const segment: DisplaySegment = { kind: "index", index: edit.head };
      report(context, "added", step(at, segment, null, edit.head), { after: after[edit.head] });
    } else {
      const segment: DisplaySegment = { kind: "index", index: edit.head };
      diffNode(context, step(at, segment, edit.base, edit.head), before[edit.base], after[edit.head]);
    }
  }
}

/** Pairs items that share a merge key (or, for scalar sets, the same value), wherever they sit. */
function diffByIdentity(
  context: DiffContext,
  at: Cursor,
  before: unknown[],
  after: unknown[],
  strategy: Exclude<ListStrategy, { kind: "same" } | { kind: "sequence" }>,
): void {
  const identity = (item: unknown): string =>
    scalarKey(strategy.kind === "set" ? item : mergeKeyOf(item, strategy.field));
  const segment = (item: unknown): DisplaySegment =>
    strategy.kind === "set"
      ? { kind: "element", value: item }
      : { kind: "match", field: strategy.field, value: mergeKeyOf(item, strategy.field) };

  const headIndex = new Map(after.map((item, index) => [identity(item), index]));
  const matched = new Set<number>();
  for (const [baseIndex, item] of before.entries()) {
    const index = headIndex.get(identity(item));
    if (index === undefined) {
      report(context, "removed", step(at, segment(item), baseIndex, null), { before: item });
    } else {
      matched.add(index);
      diffNode(context, step(at, segment(item), baseIndex, index), item, after[index]);
    }
  }
  for (const [index, item] of after.entries()) {
    if (!matched.has(index)) report(context, "added", step(at, segment(item), null, index), { after: item });
  }
}

/**
 * The child cursor. A side where the child does not exist (null) keeps the parent's path, which is
 * then the nearest existing ancestor used for its location.
 */
function step(
  at: Cursor,
  display: DisplaySegment,
  baseSegment: PathSegment | null,
  headSegment: PathSegment | null,
): Cursor {
  return {
    display: [...at.display, display],
    basePath: baseSegment === null ? at.basePath : [...at.basePath, baseSegment],
    headPath: headSegment === null ? at.headPath : [...at.headPath, headSegment],
  };
}

function report(
  context: DiffContext,
  op: ChangeOp,
  at: Cursor,
  values: { before?: unknown; after?: unknown },
): void {
  const onBase = op !== "added";
  const onHead = op !== "removed";
  if ((onBase && isIgnored(context, at.basePath)) || (onHead && isIgnored(context, at.headPath))) return;
  const change: ValueChange = {
    path: formatPath(at.display),
    op,
    basePath: onBase ? at.basePath : null,
    headPath: onHead ? at.headPath : null,
    base: locate(context.base, at.basePath),
    head: locate(context.head, at.headPath),
  };
  if (onBase) change.before = prune(context, values.before, at.basePath);
  if (onHead) change.after = prune(context, values.after, at.headPath);
  context.changes.push(change);
}

function isIgnored(context: DiffContext, path: ValuePath): boolean {
  return context.ignore !== undefined && context.ignore(path);
}

/** A copy of `value` without ignored descendants; the value itself when none is ignored. */
function prune(context: DiffContext, value: unknown, path: ValuePath): unknown {
  if (context.ignore === undefined) return value;
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    let changed = false;
    for (const [index, item] of value.entries()) {
      const childPath = [...path, index];
      if (isIgnored(context, childPath)) {
        changed = true;
      } else {
        const pruned = prune(context, item, childPath);
        changed ||= pruned !== item;
        kept.push(pruned);
      }
    }
    return changed ? kept : value;
  }
  if (isPlainMap(value)) {
    const kept: Record<string, unknown> = {};
    let changed = false;
    for (const [key, item] of Object.entries(value)) {
      const childPath = [...path, key];
      if (isIgnored(context, childPath)) {
        changed = true;
      } else {
        const pruned = prune(context, item, childPath);
        changed ||= pruned !== item;
        kept[key] = pruned;
      }
    }
    return changed ? kept : value;
  }
  return value;
}
