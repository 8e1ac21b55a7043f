/** Plain data (parsed YAML) as the input a CEL program reads. */
import type { CelInput } from "@bufbuild/cel";

/**
 * A parsed YAML value as CEL input, maps as `Map`s: integral numbers become CEL ints (BigInt), since JavaScript
 * has one number type and CEL would otherwise see `replicas: 3` as the double 3.0 and refuse
 * `replicas + 1`. Shared subtrees (YAML aliases) are converted once; cycles end.
 */
export function toCelInput(value: unknown, seen = new Map<object, CelInput>()): CelInput {
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? BigInt(value) : value;
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "undefined":
      return null;
    case "object":
      break;
    default:
      return null;
  }
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const list: CelInput[] = [];
    seen.set(value, list);
    for (const item of value) list.push(toCelInput(item, seen));
    return list;
  }
  // A Map, not an object: a `__proto__` key in a manifest stays data, and the evaluator reads a
  // Map faster than an object with arbitrary keys (measured: 140 against 160-290 µs a Deployment).
  const map = new Map<string, CelInput>();
  seen.set(value, map);
  for (const [key, item] of Object.entries(value)) map.set(key, toCelInput(item, seen));
  return map;
}
