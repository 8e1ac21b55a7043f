/** What the diff engine sees in a YAML value: a map, a list, or a scalar leaf. */
export type ValueKind = "map" | "list" | "scalar";

/** Plain objects only: Dates, Sets and typed arrays from YAML tags are leaves. */
export function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function kindOf(value: unknown): ValueKind {
  if (Array.isArray(value)) return "list";
  return isPlainMap(value) ? "map" : "scalar";
}

/**
 * Identity of a scalar: equal keys mean equal values. The type is part of the key (`"1"` is not `1`),
 * while numbers compare by value whatever their YAML spelling or JS type (`1`, `1.0`, `1n`),
 * so a parser using `intAsBigInt` still matches plain numbers.
 */
export function scalarKey(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) ? `n:${BigInt(value).toString()}` : `n:${String(value)}`;
    case "bigint":
      return `n:${value.toString()}`;
    case "string":
      return `s:${value}`;
    case "boolean":
      return `b:${String(value)}`;
    case "undefined":
      return "u:";
    default:
      break;
  }
  if (value === null) return "z:";
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (value instanceof Uint8Array) return `x:${Buffer.from(value).toString("base64")}`;
  return `o:${String(value)}`;
}

export function scalarEqual(a: unknown, b: unknown): boolean {
  return scalarKey(a) === scalarKey(b);
}
