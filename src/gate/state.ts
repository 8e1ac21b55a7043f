/**
 * What the gate remembers between events: checklist ticks (who ticked which item, when) and acks
 * (`/ack`: who, why, which findings), and the checklist lines of the comment that show them.
 *
 * The state lives in a hidden block at the end of the bot's own sticky comment (see `seal.ts`), the
 * one place that lives as long as the pull request (a check run belongs to one commit), so ticks and
 * acks survive pushes. Both are keyed by finding fingerprint, which is stable across pushes while the
 * finding stays; `pruneGateState` drops what belongs to findings that went away.
 */
import { checklistKey, type ChecklistTicks } from "../render/markdown-parts.js";
import { escapeMarkdown } from "../render/safe-text.js";

export interface Tick {
  by: string;
  /** ISO time of the edit that ticked the item. */
  at: string;
}

export interface Ack {
  ruleId: string;
  /** Findings of the rule present when the ack was given; a new instance needs a new ack. */
  fingerprints: string[];
  by: string;
  reason: string;
  at: string;
}

export interface GateState {
  version: 1;
  /** By `checklistKey(fingerprint, index)`. */
  ticks: Record<string, Tick>;
  acks: Ack[];
}

const MARKER_LINE =
  /^(\s*[-*+] \[)([ xX])(\] )(.*?)( \(ticked by [^()\n]*\))?( <!-- gitops-review-bot:check ([A-Za-z0-9_.:-]+\/\d+) -->)[ \t]*$/;

export function emptyGateState(): GateState {
  return { version: 1, ticks: {}, acks: [] };
}

/** Nothing ticked, nothing acknowledged. */
export function isEmptyGateState(state: GateState): boolean {
  return Object.keys(state.ticks).length === 0 && state.acks.length === 0;
}

/** Keeps only what belongs to findings still present. */
export function pruneGateState(state: GateState, fingerprints: ReadonlySet<string>): GateState {
  const ticks: Record<string, Tick> = {};
  for (const [key, tick] of Object.entries(state.ticks)) {
    if (fingerprints.has(key.slice(0, key.lastIndexOf("/")))) ticks[key] = tick;
  }
  const acks = state.acks
    .map((ack) => ({ ...ack, fingerprints: ack.fingerprints.filter((f) => fingerprints.has(f)) }))
    .filter((ack) => ack.fingerprints.length > 0);
  return { version: 1, ticks, acks };
}

export function ackedFingerprints(state: GateState): Set<string> {
  return new Set(state.acks.flatMap((ack) => ack.fingerprints));
}

/** The acks that cover a finding (usually one). */
export function acksFor(state: GateState, fingerprint: string): Ack[] {
  return state.acks.filter((ack) => ack.fingerprints.includes(fingerprint));
}

/** For the renderer: who acknowledged which finding, and why. */
export function acksByFingerprint(state: GateState): Map<string, Ack[]> {
  const byFingerprint = new Map<string, Ack[]>();
  for (const ack of state.acks) {
    for (const fingerprint of ack.fingerprints) {
      byFingerprint.set(fingerprint, [...(byFingerprint.get(fingerprint) ?? []), ack]);
    }
  }
  return byFingerprint;
}

/** Adds an ack; a second ack of the same findings by the same person replaces the first. */
export function addAck(state: GateState, ack: Ack): GateState {
  const others = state.acks.filter(
    (existing) => !(existing.ruleId === ack.ruleId && existing.by.toLowerCase() === ack.by.toLowerCase()),
  );
  return { ...state, acks: [...others, ack] };
}

/** Ticks that count for the gate: given by someone other than the author. */
export function countedTicks(state: GateState, author: string): Set<string> {
  const lower = author.toLowerCase();
  return new Set(
    Object.entries(state.ticks)
      .filter(([, tick]) => tick.by.toLowerCase() !== lower)
      .map(([key]) => key),
  );
}

/** For the renderer: who ticked what. */
export function ticksForRender(state: GateState): ChecklistTicks {
  return new Map(Object.entries(state.ticks).map(([key, tick]) => [key, { by: tick.by }]));
}

// ---------------------------------------------------------------------------------------------
// Checkboxes in the comment body

/** Checkbox state of every bot checklist line in a body, by item key. */
export function readChecklist(body: string): Map<string, boolean> {
  const items = new Map<string, boolean>();
  for (const line of body.split(/\r?\n/)) {
    const match = MARKER_LINE.exec(line);
    if (match) items.set(match[7], match[2] !== " ");
  }
  return items;
}

export interface TickChanges {
  ticked: string[];
  unticked: string[];
}

/**
 * What an edit changed. Only items that were in the body before count: a line someone pasted in
 * with a copied marker is not one of the bot's items.
 */
export function tickChanges(before: string, after: string): TickChanges {
  const previous = readChecklist(before);
  const next = readChecklist(after);
  const changes: TickChanges = { ticked: [], unticked: [] };
  for (const [key, wasTicked] of previous) {
    const isTicked = next.get(key);
    if (isTicked === undefined || isTicked === wasTicked) continue;
    (isTicked ? changes.ticked : changes.unticked).push(key);
  }
  return changes;
}

/**
 * Records an edit: ticked items get `by`/`at` (the first tick is kept), unticked ones are cleared.
 * The caller passes only ticks that count (see `reevaluateGate`): the author's are never recorded,
 * so a later reviewer's tick is never shadowed by one.
 */
export function applyTickChanges(state: GateState, changes: TickChanges, by: string, at: string): GateState {
  const ticks = { ...state.ticks };
  for (const key of changes.ticked) ticks[key] ??= { by, at };
  for (const key of changes.unticked) delete ticks[key];
  return { ...state, ticks };
}

/**
 * Rewrites the checklist lines of a body to match the state: checkbox and "ticked by" note. The
 * rest of the body is left as it is (the bot rewrites it fully on the next review).
 */
export function renderChecklistState(body: string, state: GateState): string {
  return body
    .split("\n")
    .map((line) => {
      const match = MARKER_LINE.exec(line);
      if (!match) return line;
      const tick = state.ticks[match[7]];
      const by = tick ? ` (ticked by ${escapeMarkdown(tick.by)})` : "";
      return `${match[1]}${tick ? "x" : " "}${match[3]}${match[4]}${by}${match[6]}`;
    })
    .join("\n");
}

/**
 * The body as the bot wrote it, whatever a checkbox edit changed: every checklist line without its
 * checkbox state and "ticked by" note, whitespace runs folded (the browser rewrites line endings).
 * A seal covers this, so ticking stays possible while any other edit breaks the seal.
 */
export function checklistSkeleton(body: string): string {
  return body
    .split("\n")
    .map((line) => {
      const match = MARKER_LINE.exec(line.replace(/\r$/, ""));
      return match ? `${match[1]} ${match[3]}${match[4]}${match[6]}` : line;
    })
    .join("\n")
    .replace(/\s+/g, " ")
    .trim();
}

/** Every checklist key of a finding. */
export function checklistKeys(fingerprint: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => checklistKey(fingerprint, index));
}
