import { diffArrays } from "diff";
import type { StructuralIds } from "./structural-id.js";

/** One difference between two versions of a list whose items have no identity of their own. */
export type ListEdit =
  /** The item at `base` became the item at `head` (edited in place, or moved along by inserts). */
  | { op: "paired"; base: number; head: number }
  | { op: "removed"; base: number }
  | { op: "added"; head: number };

/**
 * Past this edit distance (items added plus removed, after the common head and tail are set aside)
 * the longest-common-subsequence search stops and the rest is paired by position. Myers' search
 * costs about the square of the distance: 500 edits on two 10,000-item lists take ~35 ms and a few
 * MB, 2,000 take ~350 ms, so a hostile list cannot make a review quadratic. An edit count rather
 * than the diff package's `timeout`, so the same input always gives the same answer.
 */
export const MAX_LIST_EDITS = 500;

/**
 * Largest run of adjacent removals and insertions (both sides together) whose items are matched
 * by similarity rather than by position; the match is quadratic in the run.
 */
export const MAX_SIMILARITY_RUN = 200;

/**
 * Lines up two versions of a list the way a text diff lines up lines: items that stay (deeply
 * equal, in order) are left out, so one inserted item is one `added` and one deleted item is one
 * `removed`, wherever they sit. Within a run of removals next to insertions, items are paired
 * when the run has as many of each (an in-place edit), else by similarity (`StructuralIds.similar`),
 * so an edit beside an insert is still reported field by field. Edits come in list order.
 */
export function alignLists(
  before: readonly unknown[],
  after: readonly unknown[],
  ids: StructuralIds,
): ListEdit[] {
  const baseIds = before.map((item) => ids.idOf(item));
  const headIds = after.map((item) => ids.idOf(item));
  // The common head and tail cost one pass; only the middle needs the subsequence search.
  let start = 0;
  while (start < baseIds.length && start < headIds.length && baseIds[start] === headIds[start]) start++;
  let baseEnd = baseIds.length;
  let headEnd = headIds.length;
  while (baseEnd > start && headEnd > start && baseIds[baseEnd - 1] === headIds[headEnd - 1]) {
    baseEnd--;
    headEnd--;
  }
  const edits: ListEdit[] = [];
  const run = new EditRun(before, after, ids, edits);
  const baseRest = range(start, baseEnd);
  const headRest = range(start, headEnd);
  if (baseRest.length === 0 || headRest.length === 0) {
    // Only insertions or only removals are left.
    run.pairByPosition(baseRest, headRest);
    return edits;
  }
  const components = diffArrays(baseIds.slice(start, baseEnd), headIds.slice(start, headEnd), {
    maxEditLength: MAX_LIST_EDITS,
  });
  if (components === undefined) {
    // Too different to align cheaply: the middles are paired by position, as an index diff would.
    run.pairByPosition(baseRest, headRest);
    return edits;
  }
  let baseIndex = start;
  let headIndex = start;
  for (const component of components) {
    if (component.removed) {
      run.remove(baseIndex, component.count);
      baseIndex += component.count;
    } else if (component.added) {
      run.add(headIndex, component.count);
      headIndex += component.count;
    } else {
      run.flush();
      baseIndex += component.count;
      headIndex += component.count;
    }
  }
  run.flush();
  return edits;
}

/** Adjacent removals and insertions collected until an unchanged item ends the run. */
class EditRun {
  private removed: number[] = [];
  private added: number[] = [];

  constructor(
    private readonly before: readonly unknown[],
    private readonly after: readonly unknown[],
    private readonly ids: StructuralIds,
    private readonly edits: ListEdit[],
  ) {}

  remove(from: number, count: number): void {
    for (let i = from; i < from + count; i++) this.removed.push(i);
  }

  add(from: number, count: number): void {
    for (let i = from; i < from + count; i++) this.added.push(i);
  }

  flush(): void {
    const { removed, added } = this;
    this.removed = [];
    this.added = [];
    // As many in as out reads as edits in place; only an uneven, short run is matched by similarity.
    const uneven = removed.length > 0 && added.length > 0 && removed.length !== added.length;
    if (uneven && removed.length + added.length <= MAX_SIMILARITY_RUN) this.pairBySimilarity(removed, added);
    else this.pairByPosition(removed, added);
  }

  /** Pairs the n-th removed with the n-th added item; the longer side's rest is added or removed. */
  pairByPosition(removed: readonly number[], added: readonly number[]): void {
    const paired = Math.min(removed.length, added.length);
    for (let i = 0; i < paired; i++) this.edits.push({ op: "paired", base: removed[i]!, head: added[i]! });
    for (const base of removed.slice(paired)) this.edits.push({ op: "removed", base });
    for (const head of added.slice(paired)) this.edits.push({ op: "added", head });
  }

  /** An in-order match of similar items (a subsequence search with similarity as equality). */
  private pairBySimilarity(removed: readonly number[], added: readonly number[]): void {
    const components = diffArrays([...removed], [...added], {
      comparator: (base, head) => this.ids.similar(this.before[base], this.after[head]),
    });
    let r = 0;
    let a = 0;
    for (const component of components) {
      for (let i = 0; i < component.count; i++) {
        if (component.removed) this.edits.push({ op: "removed", base: removed[r++]! });
        else if (component.added) this.edits.push({ op: "added", head: added[a++]! });
        else this.edits.push({ op: "paired", base: removed[r++]!, head: added[a++]! });
      }
    }
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
