import { isPlainMap, kindOf, scalarKey } from "./value-kind.js";

/**
 * Merge keys by list name, in order of preference, after Kubernetes strategic merge patch
 * (`patchMergeKey` in the core/v1 API). The first field that is usable on both sides wins.
 */
export const DEFAULT_MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  volumes: ["name"],
  env: ["name"],
  imagePullSecrets: ["name"],
  ports: ["containerPort", "port", "name"],
  volumeMounts: ["mountPath"],
  volumeDevices: ["devicePath"],
  hostAliases: ["ip"],
};

/** Scalar lists whose order is their meaning (a command line): compared in order, never as sets. */
export const DEFAULT_ORDERED_LISTS: readonly string[] = ["command", "args"];

/** How two versions of one list are paired up item by item. */
export type ListStrategy =
  | { kind: "merge-key"; field: string }
  /** Scalar lists holding the same items in another order: nothing changed. */
  | { kind: "same" }
  /** Scalar lists without duplicates: report items added and removed by value. */
  | { kind: "set" }
  /** Anything else: items lined up in order like lines of text (see `alignLists`). */
  | { kind: "sequence" };

export interface ListStrategyOptions {
  mergeKeys: Readonly<Record<string, readonly string[]>>;
  orderedLists: ReadonlySet<string>;
}

/**
 * Picks how to pair `base` and `head` items of the list found under map key `name`
 * (null when the list sits directly in another list).
 */
export function chooseListStrategy(
  name: string | null,
  base: readonly unknown[],
  head: readonly unknown[],
  options: ListStrategyOptions,
): ListStrategy {
  // `name` is a key from the file: `toString` or `__proto__` must not reach Object.prototype.
  const candidates = name !== null && Object.hasOwn(options.mergeKeys, name) ? options.mergeKeys[name]! : [];
  for (const field of [...candidates, "name"]) {
    if (isMergeKeyUsable(field, base) && isMergeKeyUsable(field, head)) return { kind: "merge-key", field };
  }
  const ordered = name !== null && options.orderedLists.has(name);
  if (ordered || !isScalarList(base) || !isScalarList(head)) return { kind: "sequence" };
  if (sameMultiset(base, head)) return { kind: "same" };
  return isUnique(base) && isUnique(head) ? { kind: "set" } : { kind: "sequence" };
}

/** The merge-key value of a list item, when it has a usable one. */
export function mergeKeyOf(item: unknown, field: string): string | number | bigint | undefined {
  if (!isPlainMap(item)) return undefined;
  const value = item[field];
  return typeof value === "string" || typeof value === "number" || typeof value === "bigint"
    ? value
    : undefined;
}

/** Every item is a map holding `field` as a string or number, unique within the list. */
function isMergeKeyUsable(field: string, items: readonly unknown[]): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    const value = mergeKeyOf(item, field);
    if (value === undefined) return false;
    const key = scalarKey(value);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function isScalarList(items: readonly unknown[]): boolean {
  return items.every((item) => kindOf(item) === "scalar");
}

function isUnique(items: readonly unknown[]): boolean {
  return new Set(items.map(scalarKey)).size === items.length;
}

function sameMultiset(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  const counts = new Map<string, number>();
  for (const item of a) counts.set(scalarKey(item), (counts.get(scalarKey(item)) ?? 0) + 1);
  for (const item of b) {
    const count = counts.get(scalarKey(item)) ?? 0;
    if (count === 0) return false;
    counts.set(scalarKey(item), count - 1);
  }
  return true;
}
