import { isPlainMap, kindOf, scalarKey } from "./value-kind.js";

const LIST = -1;
const MAP = -2;

/**
 * Numbers for values such that two values get the same number exactly when they are deeply equal
 * (scalars by `scalarKey`, maps whatever their key order, lists item by item in order), so list
 * items compare with `===`. A list or map is known by its children's numbers (hash-consing), so
 * numbering a tree costs one visit per node, and a subtree met again (a YAML alias, a nested list
 * diffed after its parent) is not walked twice. No string is built per node: on big lists,
 * concatenated keys cost more in hashing and garbage than the whole diff.
 */
export class StructuralIds {
  /** Strings by themselves (a string caches its own hash), other scalars by `scalarKey`. */
  private readonly strings = new Map<string, number>();
  private readonly scalars = new Map<string, number>();
  private readonly keys = new Map<string, number>();
  /** Children's numbers of each list or map id, and the ids sharing one hash of them. */
  private readonly signatures = new Map<number, readonly number[]>();
  private readonly byHash = new Map<number, number[]>();
  private readonly byObject = new WeakMap<object, number>();
  private next = 0;

  idOf(value: unknown): number {
    const kind = kindOf(value);
    if (typeof value === "string") return this.intern(this.strings, value);
    if (kind === "scalar") return this.intern(this.scalars, scalarKey(value));
    const node = value as object;
    const known = this.byObject.get(node);
    if (known !== undefined) return known;
    const signature = kind === "list" ? this.listSignature(value as unknown[]) : this.mapSignature(node);
    const id = this.internSignature(signature);
    this.byObject.set(node, id);
    return id;
  }

  /**
   * Whether two unequal list items read as one item edited rather than one removed and another
   * added: both maps, sharing at least half of their entries (same key, deeply equal value).
   */
  similar(a: unknown, b: unknown): boolean {
    if (!isPlainMap(a) || !isPlainMap(b)) return false;
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    let shared = 0;
    for (const key of keysA) {
      if (Object.hasOwn(b, key) && this.idOf(a[key]) === this.idOf(b[key])) shared++;
    }
    return shared > 0 && shared * 2 >= Math.max(keysA.length, keysB.length);
  }

  private listSignature(items: readonly unknown[]): number[] {
    const signature = [LIST];
    for (const item of items) signature.push(this.idOf(item));
    return signature;
  }

  /** Entries as key and value numbers, ordered by key number so that key order does not count. */
  private mapSignature(map: object): number[] {
    const entries = Object.entries(map).map(([key, item]): [number, number] => [
      this.intern(this.keys, key),
      this.idOf(item),
    ]);
    entries.sort((x, y) => x[0] - y[0]);
    const signature = [MAP];
    for (const [key, item] of entries) signature.push(key, item);
    return signature;
  }

  private internSignature(signature: readonly number[]): number {
    let hash = 0x811c9dc5;
    for (const n of signature) hash = Math.imul(hash ^ n, 0x01000193);
    const candidates = this.byHash.get(hash);
    for (const id of candidates ?? []) {
      if (sameNumbers(this.signatures.get(id)!, signature)) return id;
    }
    const id = this.next++;
    this.signatures.set(id, signature);
    if (candidates) candidates.push(id);
    else this.byHash.set(hash, [id]);
    return id;
  }

  private intern(table: Map<string, number>, key: string): number {
    let id = table.get(key);
    if (id === undefined) {
      id = this.next++;
      table.set(key, id);
    }
    return id;
  }
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
