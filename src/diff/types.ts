import type { SourceLocation, ValuePath } from "../parse/types.js";

export type ChangeOp = "added" | "removed" | "changed";

/** One path-level difference between the base and head value of a subject. */
export interface ValueChange {
  /**
   * Readable path, list items by merge key (`volumes[name=config].mountPath`), by value in scalar
   * sets, else by index: the head index for an item still on head, the base index for a removed one.
   */
  path: string;
  op: ChangeOp;
  /** Path in the base value (list indexes as numbers); null when added. */
  basePath: ValuePath | null;
  /** Path in the head value; null when removed. */
  headPath: ValuePath | null;
  before?: unknown;
  after?: unknown;
  base: SourceLocation | null;
  head: SourceLocation | null;
}
