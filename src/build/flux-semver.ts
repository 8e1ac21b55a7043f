/**
 * Chart version ranges resolved the way Flux's source-controller resolves them: Masterminds/semver
 * v3 constraints (the same library Helm uses for Chart.yaml dependencies), an exact string match
 * first, the highest matching version, ties broken by the index's `created` time.
 *
 * Where this differs from npm's semver (and so from the `semver` package), by design:
 * - `>=1.0.0, <2.0.0`: a comma is an AND, as a space is; npm rejects the comma.
 * - `!=`, `=>` and `=<` are operators; npm has none of them.
 * - a prerelease in any comparator of an AND group lets prereleases of every version through that
 *   group: `>=1.2.0-0` matches `1.5.0-rc.1`, which npm only allows for 1.2.0 prereleases.
 * - an index version with fewer than three parts (`1.2`) is skipped, as fluxcd/pkg/version does;
 *   a `v` prefix (`v1.21.1`, cert-manager's) is accepted.
 */

export interface SemVersion {
  major: number;
  minor: number;
  patch: number;
  pre: string;
  original: string;
}

const VERSION =
  /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds `NewVersion` (lenient: `v` prefix, missing minor or patch, leading zeros coerced). */
export function parseSemVersion(text: string): SemVersion | null {
  if (text.length > 256) return null;
  const m = VERSION.exec(text);
  if (!m) return null;
  const pre = m[4] ?? "";
  if (pre && !validPrerelease(pre)) return null;
  const num = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  const [major, minor, patch] = [num(m[1]), num(m[2]), num(m[3])];
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  return { major, minor, patch, pre, original: text };
}

/** fluxcd/pkg/version ParseVersion: three dot-separated parts, then Masterminds. */
export function parseFluxVersion(text: string): SemVersion | null {
  return text.split(".").length >= 3 ? parseSemVersion(text) : null;
}

function validPrerelease(pre: string): boolean {
  return pre.split(".").every((part) => !(/^[0-9]+$/.test(part) && part.length > 1 && part.startsWith("0")));
}

export function compareVersions(a: SemVersion, b: SemVersion): number {
  for (const key of ["major", "minor", "patch"] as const) {
    if (a[key] !== b[key]) return a[key] > b[key] ? 1 : -1;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === "") return 1;
  if (b.pre === "") return -1;
  const ap = a.pre.split(".");
  const bp = b.pre.split(".");
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const d = comparePrePart(ap[i] ?? "", bp[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return -1;
  if (o === "") return 1;
  const sNum = /^[0-9]+$/.test(s);
  const oNum = /^[0-9]+$/.test(o);
  if (!sNum && !oNum) return s > o ? 1 : -1;
  if (!oNum) return -1;
  if (!sNum) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

type Op = "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^";

interface Comparator {
  op: Op;
  con: SemVersion;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

export interface Constraint {
  groups: Comparator[][];
  groupHasPre: boolean[];
  text: string;
}

export type ParsedConstraint = { ok: true; constraint: Constraint } | { ok: false; reason: string };

const MAX_CONSTRAINT_LENGTH = 512;
const MAX_GROUPS = 32;
const CV = String.raw`v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?`;
const HYPHEN_RANGE = new RegExp(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`, "g");
const SPACE = /[ \t\n\f\r]/;
const SEGMENT_CHAR = /[0-9xX*|]/;
const IDENT_CHAR = /[0-9A-Za-z-]/;

/** Masterminds/semver v3 `NewConstraint`. */
export function parseConstraint(text: string): ParsedConstraint {
  if (text.length > MAX_CONSTRAINT_LENGTH)
    return { ok: false, reason: `constraint is longer than ${MAX_CONSTRAINT_LENGTH} characters` };
  const rewritten = text.includes("-")
    ? text.replace(HYPHEN_RANGE, (_m, from: string, ...rest: string[]) => `>= ${from}, <= ${rest[9]} `)
    : text;
  const ors = rewritten.split("||");
  if (ors.length > MAX_GROUPS) return { ok: false, reason: `more than ${MAX_GROUPS} || groups` };
  const groups: Comparator[][] = [];
  for (const group of ors) {
    const parsed = parseGroup(group);
    if (typeof parsed === "string") return { ok: false, reason: parsed };
    groups.push(parsed);
  }
  return {
    ok: true,
    constraint: { groups, groupHasPre: groups.map((g) => g.some((c) => c.con.pre !== "")), text },
  };
}

function skipSpace(s: string): string {
  let i = 0;
  while (i < s.length && SPACE.test(s[i]!)) i++;
  return s.slice(i);
}

function parseGroup(group: string): Comparator[] | string {
  let s = skipSpace(group);
  if (s === "") return `improper constraint: "${group}"`;
  const result: Comparator[] = [];
  for (;;) {
    const scanned = scanComparator(s);
    if (typeof scanned === "string") return scanned;
    result.push(scanned.comparator);
    const rest = scanned.rest;
    let trimmed = skipSpace(rest);
    if (trimmed === "") return result;
    if (trimmed[0] === ",") trimmed = skipSpace(trimmed.slice(1));
    else if (trimmed.length === rest.length) return `improper constraint: "${group}"`;
    if (trimmed === "") return `improper constraint: "${group}"`;
    s = trimmed;
  }
}

function scanComparator(s: string): { comparator: Comparator; rest: string } | string {
  let op: Op = "";
  const two = s.slice(0, 2);
  if (["!=", ">=", "=>", "<=", "=<", "~>"].includes(two)) op = two as Op;
  else if (["=", ">", "<", "~", "^"].includes(s[0] ?? "")) op = s[0] as Op;
  let rest = skipSpace(s.slice(op.length));

  let i = 0;
  if (rest[i] === "v") i++;
  const segs: string[] = [];
  for (;;) {
    const start = i;
    while (i < rest.length && SEGMENT_CHAR.test(rest[i]!)) i++;
    if (i === start) return `improper constraint: "${s}"`;
    segs.push(rest.slice(start, i));
    if (segs.length === 3 || rest[i] !== "." || !SEGMENT_CHAR.test(rest[i + 1] ?? "")) break;
    i++;
  }
  let pre = "";
  if (rest[i] === "-") {
    const end = scanIdentifiers(rest, i + 1);
    if (end > i + 1) {
      pre = rest.slice(i + 1, end);
      i = end;
    }
  }
  if (rest[i] === "+") {
    const end = scanIdentifiers(rest, i + 1);
    if (end > i + 1) i = end;
  }
  const orig = rest.slice(0, i);
  rest = rest.slice(i);

  const isX = (seg: string | undefined) => seg === "x" || seg === "X" || seg === "*";
  const segment = (seg: string): number | null =>
    /^[0-9]+$/.test(seg) && Number.isSafeInteger(Number(seg)) ? Number(seg) : null;
  const comparator: Comparator = {
    op,
    con: { major: 0, minor: 0, patch: 0, pre, original: orig },
    dirty: false,
    minorDirty: false,
    patchDirty: false,
  };
  const set = (key: "major" | "minor" | "patch", seg: string): boolean => {
    const value = segment(seg);
    if (value === null) return false;
    comparator.con[key] = value;
    return true;
  };
  if (isX(segs[0])) {
    comparator.dirty = true;
  } else if (segs.length < 2 || isX(segs[1])) {
    comparator.dirty = comparator.minorDirty = true;
    if (!set("major", segs[0]!)) return "constraint parser error";
  } else if (segs.length < 3 || isX(segs[2])) {
    comparator.dirty = comparator.patchDirty = true;
    if (!set("major", segs[0]!) || !set("minor", segs[1]!)) return "constraint parser error";
  } else if (!set("major", segs[0]!) || !set("minor", segs[1]!) || !set("patch", segs[2]!)) {
    return "constraint parser error";
  }
  if (pre && !validPrerelease(pre)) return "constraint parser error";
  return { comparator, rest };
}

function scanIdentifiers(s: string, from: number): number {
  let end = from;
  for (;;) {
    const start = end;
    while (end < s.length && IDENT_CHAR.test(s[end]!)) end++;
    if (end === start) return start;
    if (s[end] === "." && IDENT_CHAR.test(s[end + 1] ?? "")) {
      end++;
      continue;
    }
    return end;
  }
}

export function satisfies(version: SemVersion, constraint: Constraint): boolean {
  return constraint.groups.some((group, i) =>
    group.every((c) => check(version, c, constraint.groupHasPre[i]!)),
  );
}

function check(v: SemVersion, c: Comparator, includePre: boolean): boolean {
  if (v.pre !== "" && !includePre) return false;
  const cmp = compareVersions(v, c.con);
  switch (c.op) {
    case "":
    case "=":
      return c.dirty ? tilde(v, c) : cmp === 0;
    case "!=":
      return notEqual(v, c);
    case ">":
      if (!c.dirty) return cmp === 1;
      if (v.major !== c.con.major) return v.major > c.con.major;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return cmp === 1;
    case "<":
      return cmp < 0;
    case ">=":
    case "=>":
      return cmp >= 0;
    case "<=":
    case "=<":
      if (!c.dirty) return cmp <= 0;
      if (v.major > c.con.major) return false;
      return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
    case "~":
    case "~>":
      return tilde(v, c);
    case "^":
      return caret(v, c);
  }
}

function tilde(v: SemVersion, c: Comparator): boolean {
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major === 0 && c.con.minor === 0 && c.con.patch === 0 && !c.minorDirty && !c.patchDirty)
    return true;
  if (v.major !== c.con.major) return false;
  return !(v.minor !== c.con.minor && !c.minorDirty);
}

function caret(v: SemVersion, c: Comparator): boolean {
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major > 0 || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0) return false;
  if (c.con.minor > 0 || c.patchDirty) return v.minor === c.con.minor;
  if (v.minor > 0) return false;
  return v.patch === c.con.patch;
}

function notEqual(v: SemVersion, c: Comparator): boolean {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) {
      if (v.pre !== "" || c.con.pre !== "") return v.pre !== c.con.pre;
      return false;
    }
  }
  return compareVersions(v, c.con) !== 0;
}

export interface IndexedVersion {
  version: string;
  /** RFC 3339 time from index.yaml, for versions equal but for build metadata. */
  created?: string;
}

export type VersionChoice<T extends IndexedVersion> = { ok: true; entry: T } | { ok: false; reason: string };

/**
 * source-controller's getChartVersion: an exact match first; empty or `*` means the latest stable;
 * otherwise the highest version satisfying the constraint.
 */
export function chooseVersion<T extends IndexedVersion>(
  entries: readonly T[],
  wanted: string | undefined,
): VersionChoice<T> {
  const text = (wanted ?? "").trim();
  if (text) {
    const exact = entries.find((e) => e.version === text);
    if (exact) return { ok: true, entry: exact };
  }
  const parsed = parseConstraint(text === "" ? "*" : text);
  if (!parsed.ok)
    return { ok: false, reason: `"${text}" is not a valid version constraint (${parsed.reason})` };
  let best: { entry: T; version: SemVersion } | null = null;
  for (const entry of entries) {
    const version = parseFluxVersion(String(entry.version));
    if (!version || !satisfies(version, parsed.constraint)) continue;
    if (!best) {
      best = { entry, version };
      continue;
    }
    const d = compareVersions(version, best.version);
    if (d > 0 || (d === 0 && (entry.created ?? "") > (best.entry.created ?? ""))) best = { entry, version };
  }
  if (!best) return { ok: false, reason: `no version matches "${text || "*"}"` };
  return { ok: true, entry: best.entry };
}
