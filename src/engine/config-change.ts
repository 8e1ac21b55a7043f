/**
 * Whether a change to the review configuration (`.github/gitops-review.yml`, with what it extends)
 * weakens it. Pure: two configurations in, the weakenings out, each with the key it is about and what
 * changed, so the rule that reports them stays declarative.
 *
 * The head's configuration is never applied to the pull request that brings it (the base's is), so
 * a weaker policy would judge every later pull request without anyone having reviewed it. A change
 * that only strengthens the policy is quiet. A key this module does not know how to compare (one a
 * newer schema adds) is reported as not compared: the gate holds rather than guess.
 */
import { approvalsFor, parseConfig, type EnvironmentConfig, type ReviewConfig } from "./config.js";
import { createPathMatcher } from "./policy.js";
import type { ReviewConfigSide } from "../source/change-set.js";
import { SEVERITIES, severityRank, type Severity } from "./types.js";

export type WeakeningKind =
  | "rule-off"
  | "rule-lowered"
  | "gate-severity-raised"
  | "approvals-lowered"
  | "paths-ignored"
  | "environment-weakened"
  | "reviewers-widened"
  | "older-approvals-count"
  | "checklist-optional"
  | "extends-added"
  | "extends-unread"
  | "not-compared"
  | "head-invalid";

export interface Weakening {
  kind: WeakeningKind;
  /** The key path in the configuration file, for the line to point at. */
  path: (string | number)[];
  /** What changed, plain text, one entry per change: `pvc-changed: high -> off`. */
  details: string[];
}

/** One side of the configuration, as a front end loaded it. */
export type ConfigSide = ReviewConfigSide;

/** Keys whose changes never weaken the gate: how the bot talks, not what it holds. */
const QUIET_KEYS = new Set(["comment", "labels"]);
const QUIET_GATE_KEYS = new Set(["requestReviewers"]);
const COMPARED_KEYS = new Set(["rules", "environments", "ignore", "gate"]);
const COMPARED_GATE_KEYS = new Set([
  "severity",
  "approvals",
  "teams",
  "users",
  "currentHeadOnly",
  "checklist",
]);

/**
 * The weakenings from `base` to `head`. `ruleDefaults` gives each rule's own severity, which a
 * removed or added override is compared with. A base that does not load yields nothing: the review
 * itself already fails on it.
 */
export function configWeakenings(
  base: ConfigSide,
  head: ConfigSide,
  ruleDefaults: ReadonlyMap<string, Severity>,
): Weakening[] {
  const found: Weakening[] = [];
  const newSources = head.extendsFrom.filter((source) => !base.extendsFrom.includes(source));
  if (newSources.length > 0) {
    found.push({
      kind: head.extendsRead ? "extends-added" : "extends-unread",
      path: ["_extends"],
      details: newSources,
    });
  }
  const baseConfig = parseConfig(withoutExtends(base.raw));
  if (base.error || !baseConfig.ok) return found;
  const headConfig = parseConfig(withoutExtends(head.raw));
  if (head.error || !headConfig.ok) {
    found.push({
      kind: "head-invalid",
      path: [],
      details: head.error ? [head.error] : headConfig.ok ? [] : headConfig.errors,
    });
    return found;
  }
  return [...found, ...compareConfigs(baseConfig.config, headConfig.config, ruleDefaults)];
}

/** `_extends` is the loader's business; a file read on its own still carries it. */
function withoutExtends(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !("_extends" in raw)) return raw;
  const rest = { ...(raw as Record<string, unknown>) };
  delete rest._extends;
  return rest;
}

/** The weakenings between two valid configurations, in the order of the file's keys. */
export function compareConfigs(
  base: ReviewConfig,
  head: ReviewConfig,
  ruleDefaults: ReadonlyMap<string, Severity>,
): Weakening[] {
  return [
    ...ruleChanges(base, head, ruleDefaults),
    ...environmentChanges(base.environments, head.environments),
    ...ignoreChanges(base.ignore, head.ignore),
    ...gateChanges(base.gate, head.gate),
    ...uncompared(base, head),
  ];
}

function ruleChanges(
  base: ReviewConfig,
  head: ReviewConfig,
  defaults: ReadonlyMap<string, Severity>,
): Weakening[] {
  const off: { id: string; text: string }[] = [];
  const lowered: { id: string; text: string }[] = [];
  const ids = [...new Set([...Object.keys(base.rules), ...Object.keys(head.rules)])].sort();
  for (const id of ids) {
    const before = base.rules[id] ?? defaults.get(id);
    const after = head.rules[id] ?? defaults.get(id);
    // A rule this version does not know, without an explicit setting on one side: nothing to compare.
    if (before === undefined || after === undefined || before === "off" || before === after) continue;
    if (after === "off") off.push({ id, text: `${id}: ${before} -> off` });
    else if (severityRank(after) < severityRank(before))
      lowered.push({ id, text: `${id}: ${before} -> ${after}` });
  }
  const report = (kind: WeakeningKind, list: { id: string; text: string }[]): Weakening[] =>
    list.length > 0 ? [{ kind, path: ["rules", list[0].id], details: list.map((entry) => entry.text) }] : [];
  return [...report("rule-off", off), ...report("rule-lowered", lowered)];
}

function shiftOf(env: EnvironmentConfig | undefined): number {
  return env ? (env.raise ?? 0) - (env.lower ?? 0) : 0;
}

function signed(shift: number): string {
  return shift === 0 ? "no change" : shift > 0 ? `raise ${shift}` : `lower ${-shift}`;
}

/**
 * Environments shift the severity of findings in their paths; the first one in file order whose
 * globs match applies, else none. Paths are globs, so the comparison is by glob and by order, and
 * says "may": a path leaves an environment for a later one (or none), or is taken over by an
 * earlier one, and is weaker when the shift it ends up with can be lower than the one it had.
 */
function environmentChanges(
  base: Readonly<Record<string, EnvironmentConfig>>,
  head: Readonly<Record<string, EnvironmentConfig>>,
): Weakening[] {
  const baseOrder = Object.keys(base);
  const headOrder = Object.keys(head);
  const details: { name: string; text: string }[] = [];
  const note = (name: string, text: string) => details.push({ name, text });
  // The lowest shift a path can fall to once it leaves the environment at `index` of `order`.
  const fallsTo = (
    order: readonly string[],
    envs: Readonly<Record<string, EnvironmentConfig>>,
    index: number,
  ) => Math.min(0, ...order.slice(index + 1).map((name) => shiftOf(envs[name])));
  // The highest shift a path could have had before an environment at `index` of the head took it.
  const takenFrom = (index: number) =>
    Math.max(
      0,
      ...headOrder
        .slice(index + 1)
        .filter((name) => name in base)
        .map((name) => shiftOf(base[name])),
    );

  for (const [index, name] of baseOrder.entries()) {
    if (name in head) continue;
    const shift = shiftOf(base[name]);
    if (shift > fallsTo(baseOrder, base, index)) note(name, `${name} (${signed(shift)}) removed`);
  }
  for (const [index, name] of headOrder.entries()) {
    const after = shiftOf(head[name]);
    if (!(name in base)) {
      if (after < takenFrom(index)) note(name, `${name} (${signed(after)}) added`);
      continue;
    }
    const before = shiftOf(base[name]);
    if (after < before) note(name, `${name}: ${signed(before)} -> ${signed(after)}`);
    const removed = base[name].paths.filter((glob) => !coveredBy(glob, head[name].paths));
    const added = head[name].paths.filter((glob) => !coveredBy(glob, base[name].paths));
    if (removed.length > 0 && after > fallsTo(headOrder, head, index)) {
      note(name, `${name} (${signed(after)}) no longer covers ${removed.join(", ")}`);
    }
    if (added.length > 0 && after < takenFrom(index)) {
      note(name, `${name} (${signed(after)}) now also covers ${added.join(", ")}`);
    }
  }
  // A pair that swapped places: where both match, the one now first applies.
  for (const [i, first] of headOrder.entries()) {
    for (const second of headOrder.slice(i + 1)) {
      if (!(first in base) || !(second in base)) continue;
      if (
        baseOrder.indexOf(first) > baseOrder.indexOf(second) &&
        shiftOf(head[first]) < shiftOf(head[second])
      ) {
        note(
          first,
          `${first} (${signed(shiftOf(head[first]))}) now comes before ${second} (${signed(shiftOf(head[second]))})`,
        );
      }
    }
  }
  if (details.length === 0) return [];
  const firstName = details[0].name;
  return [
    {
      kind: "environment-weakened",
      path: firstName in head ? ["environments", firstName] : ["environments"],
      details: details.map((detail) => detail.text),
    },
  ];
}

/**
 * Whether `globs` already cover `glob`: the same glob, or one that matches it read as a path
 * (`clusters/**` covers `clusters/prod/**`). Short of comparing glob languages, this keeps the
 * usual widening and narrowing quiet where it is quiet.
 */
function coveredBy(glob: string, globs: readonly string[]): boolean {
  return globs.includes(glob) || createPathMatcher(globs)(glob);
}

function ignoreChanges(base: readonly string[], head: readonly string[]): Weakening[] {
  const added = head.filter((glob) => !coveredBy(glob, base));
  return added.length > 0
    ? [{ kind: "paths-ignored", path: ["ignore", head.indexOf(added[0])], details: added }]
    : [];
}

function gateChanges(base: ReviewConfig["gate"], head: ReviewConfig["gate"]): Weakening[] {
  const found: Weakening[] = [];
  if (severityRank(head.severity) > severityRank(base.severity)) {
    const freed = SEVERITIES.filter(
      (level) =>
        severityRank(level) >= severityRank(base.severity) &&
        severityRank(level) < severityRank(head.severity),
    );
    found.push({
      kind: "gate-severity-raised",
      path: ["gate", "severity"],
      details: [
        `${base.severity} -> ${head.severity} (${freed.join(", ")} findings no longer need a second reviewer)`,
      ],
    });
  }
  // Only the levels that gate on both sides: the ones below are free on one side already.
  const gated = SEVERITIES.filter(
    (level) => severityRank(level) >= Math.max(severityRank(base.severity), severityRank(head.severity)),
  );
  const fewer = gated
    .map((level) => ({ level, before: approvalsFor(base, level), after: approvalsFor(head, level) }))
    .filter(({ before, after }) => after < before);
  if (fewer.length > 0) {
    found.push({
      kind: "approvals-lowered",
      path: ["gate", "approvals", fewer[0].level],
      details: fewer.map(({ level, before, after }) => `${level}: ${before} -> ${after}`),
    });
  }

  const widened = reviewerChanges(base, head);
  if (widened.length > 0) {
    const path = head.users.length > 0 || head.teams.length === 0 ? ["gate", "users"] : ["gate", "teams"];
    found.push({ kind: "reviewers-widened", path, details: widened });
  }
  if (base.currentHeadOnly && !head.currentHeadOnly) {
    found.push({
      kind: "older-approvals-count",
      path: ["gate", "currentHeadOnly"],
      details: ["true -> false"],
    });
  }
  if (base.checklist === "required" && head.checklist !== "required") {
    found.push({
      kind: "checklist-optional",
      path: ["gate", "checklist"],
      details: [`required -> ${head.checklist}`],
    });
  }
  return found;
}

/**
 * `teams` and `users` are one allow-list; empty, anyone with write access counts. Adding names to
 * a list in force, emptying it, or naming a bot (bots count only by name) lets more people open it.
 */
function reviewerChanges(base: ReviewConfig["gate"], head: ReviewConfig["gate"]): string[] {
  const lower = (names: readonly string[]) => names.map((name) => name.toLowerCase());
  const baseNames = new Set([...lower(base.users), ...lower(base.teams).map((team) => `team ${team}`)]);
  const headNames = [...lower(head.users), ...lower(head.teams).map((team) => `team ${team}`)];
  if (baseNames.size > 0 && headNames.length === 0) {
    return ["gate.teams and gate.users emptied: anyone with write access now counts"];
  }
  const bots = lower(head.users).filter((user) => user.endsWith("[bot]") && !baseNames.has(user));
  const added =
    baseNames.size > 0 ? headNames.filter((name) => !baseNames.has(name) && !bots.includes(name)) : [];
  return [...added.map((name) => `adds ${name}`), ...bots.map((bot) => `bot ${bot} can now approve`)];
}

/** Keys neither compared nor known to be quiet: a newer schema's, said rather than guessed. */
function uncompared(base: ReviewConfig, head: ReviewConfig): Weakening[] {
  const found: Weakening[] = [];
  const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  const top = new Set([...Object.keys(base), ...Object.keys(head)]);
  for (const key of [...top].sort()) {
    if (COMPARED_KEYS.has(key) || QUIET_KEYS.has(key)) continue;
    const before = (base as Record<string, unknown>)[key];
    const after = (head as Record<string, unknown>)[key];
    if (differs(before, after)) found.push({ kind: "not-compared", path: [key], details: [key] });
  }
  const gateKeys = new Set([...Object.keys(base.gate), ...Object.keys(head.gate)]);
  for (const key of [...gateKeys].sort()) {
    if (COMPARED_GATE_KEYS.has(key) || QUIET_GATE_KEYS.has(key)) continue;
    const before = (base.gate as Record<string, unknown>)[key];
    const after = (head.gate as Record<string, unknown>)[key];
    if (differs(before, after))
      found.push({ kind: "not-compared", path: ["gate", key], details: [`gate.${key}`] });
  }
  return found;
}
