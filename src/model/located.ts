import {
  isRecord,
  pathKey,
  type LocatedValue,
  type PathSegment,
  type SourceLocation,
  type ValuePath,
} from "../parse/types.js";

export { isRecord };

/** The value at `path`, or undefined. */
export function getIn(value: unknown, path: ValuePath): unknown {
  let node = value;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === "number") node = node[segment];
    else if (isRecord(node) && typeof segment === "string")
      node = Object.hasOwn(node, segment) ? node[segment] : undefined; // never inherited (`__proto__`)
    else return undefined;
  }
  return node;
}

export function getString(value: unknown, path: ValuePath): string | null {
  const found = getIn(value, path);
  return typeof found === "string" ? found : typeof found === "number" ? String(found) : null;
}

/** Location of a node, falling back to the nearest located ancestor. */
export function locate(located: LocatedValue, path: ValuePath): SourceLocation | null {
  for (let end = path.length; end >= 0; end--) {
    const found = located.locations.get(pathKey(path.slice(0, end)));
    if (found) return found;
  }
  return null;
}

/** The subtree at `path` as its own LocatedValue (locations re-rooted). */
export function subtree(located: LocatedValue, path: ValuePath): LocatedValue {
  const value = getIn(located.value, path);
  const locations = new Map<string, SourceLocation>();
  copyLocations(located, path, value, [], locations);
  if (!locations.has(pathKey([]))) {
    const own = locate(located, path);
    if (own) locations.set(pathKey([]), own);
  }
  return { value, locations };
}

/** Shift every line by `offset` and rename the file (values embedded as a string in a manifest). */
export function relocate(located: LocatedValue, file: string, offset: number): LocatedValue {
  const locations = new Map<string, SourceLocation>();
  for (const [key, loc] of located.locations) locations.set(key, { file, line: loc.line + offset });
  return { value: located.value, locations };
}

/** Walks `value` (found at `from` in `source`) and copies each node's location to `to` in `target`. */
function copyLocations(
  source: LocatedValue,
  from: PathSegment[] | ValuePath,
  value: unknown,
  to: PathSegment[],
  target: Map<string, SourceLocation>,
): void {
  const own = source.locations.get(pathKey(from));
  if (own) target.set(pathKey(to), own);
  if (Array.isArray(value)) {
    value.forEach((item, i) => copyLocations(source, [...from, i], item, [...to, i], target));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      copyLocations(source, [...from, key], item, [...to, key], target);
    }
  }
}

/**
 * Merge value layers the way Helm coalesces values: maps deep-merge, lists and scalars from a
 * higher layer replace, and `null` in a higher layer deletes the key. Every node keeps the
 * location of the layer it came from.
 */
export function mergeLayers(layers: readonly LocatedValue[]): LocatedValue {
  let merged: LocatedValue = { value: {}, locations: new Map() };
  for (const layer of layers) {
    if (layer.value === undefined || layer.value === null) continue;
    const locations = new Map<string, SourceLocation>();
    const value = mergeNode(merged, layer, [], locations);
    merged = { value, locations };
  }
  return merged;
}

function mergeNode(
  lower: LocatedValue,
  upper: LocatedValue,
  path: PathSegment[],
  target: Map<string, SourceLocation>,
): unknown {
  const low = getIn(lower.value, path);
  const high = getIn(upper.value, path);
  if (!isRecord(low) || !isRecord(high)) {
    const winner = high === undefined ? lower : upper;
    const value = high === undefined ? low : high;
    copyLocations(winner, path, value, path, target);
    return cloneValue(value);
  }
  const own = upper.locations.get(pathKey(path)) ?? lower.locations.get(pathKey(path));
  if (own) target.set(pathKey(path), own);
  const result: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(low), ...Object.keys(high)])) {
    const child = [...path, key];
    if (key in high && high[key] === null) continue; // null deletes the key
    if (!(key in high)) {
      if (low[key] === null) continue;
      copyLocations(lower, child, low[key], child, target);
      defineKey(result, key, cloneValue(low[key]));
    } else {
      defineKey(result, key, mergeNode(lower, upper, child, target));
    }
  }
  return result;
}

/**
 * Deep copy of the maps and lists of a parsed value; other leaves (Dates, binary) are shared.
 * Not `structuredClone`: its objects come from the main realm, so under a VM context (jest)
 * their prototype is not this realm's Object.prototype and `isPlainMap` in the diff rejects them.
 */
export function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (isRecord(value) && isPlainObject(value)) {
    // fromEntries defines keys, so a `__proto__` key stays a key.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cloneValue(item)]));
  }
  return value;
}

/** Sets an own, enumerable key; unlike `obj[key] = v`, `__proto__` stays an ordinary key. */
function defineKey(container: object, key: PathSegment, value: unknown): void {
  Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An object literal from any realm: its prototype is some realm's Object.prototype, or null. */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Sets `value` at a dotted Helm `--set` style path (`a.b[0].c`), creating maps on the way. */
export function setDotted(root: Record<string, unknown>, dotted: string, value: unknown): PathSegment[] {
  const path = parseDottedPath(dotted);
  let node: Record<string, unknown> | unknown[] = root;
  // Own properties only, defined rather than assigned: a parameter named `__proto__.x` (written
  // in a pull request) must become a key, never reach Object.prototype.
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const container = node as Record<string | number, unknown>;
    if (last) {
      defineKey(container, segment, value);
      return;
    }
    const next = path[i + 1];
    const own = Object.hasOwn(container, segment) ? container[segment] : undefined;
    if (typeof own !== "object" || own === null)
      defineKey(container, segment, typeof next === "number" ? [] : {});
    node = container[segment] as Record<string, unknown> | unknown[];
  });
  return path;
}

/** Helm's own bound on a `--set` list index (strvals `MaxIndex`): larger ones are an error there. */
const MAX_SET_INDEX = 65536;

/**
 * `a.b\.c[1].d` -> ["a", "b.c", 1, "d"] (Helm's --set syntax, escaped dots kept in keys).
 * A bracket that is not a list index Helm accepts (unclosed, not a number, over 65536) stays
 * part of the key: the name comes from a pull request, and must neither loop nor size a huge list.
 */
export function parseDottedPath(dotted: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let current = "";
  for (let i = 0; i < dotted.length; i++) {
    const char = dotted[i];
    if (char === "\\" && i + 1 < dotted.length) {
      current += dotted[++i];
    } else if (char === ".") {
      if (current) segments.push(current);
      current = "";
    } else if (char === "[") {
      let close = i + 1;
      while (close < dotted.length && dotted[close]! >= "0" && dotted[close]! <= "9") close++;
      const index = dotted.slice(i + 1, close);
      if (dotted[close] !== "]" || index === "" || Number(index) > MAX_SET_INDEX) {
        current += char;
        continue;
      }
      if (current) segments.push(current);
      current = "";
      segments.push(Number(index));
      i = close;
    } else {
      current += char;
    }
  }
  if (current) segments.push(current);
  return segments;
}
