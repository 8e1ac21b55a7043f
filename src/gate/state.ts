/**
 * What the gate remembers between events, kept in a hidden block of the bot's own sticky comment:
 * checklist ticks (who ticked which item, when) and acks (`/ack`: who, why, which findings).
 *
 * The comment is the one place that lives as long as the pull request (a check run belongs to one
 * commit), so ticks and acks survive pushes. Both are keyed by finding fingerprint, which is stable
 * across pushes while the finding stays; `pruneGateState` drops what belongs to findings that went
 * away. The block in a body someone else just edited is never trusted: state is always read from the
 * body *before* the edit (`changes.body.from`) or from the bot's own last write.
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

const PREFIX = "<!-- gitops-review-bot:gate ";
const SUFFIX = " -->";
const MARKER_LINE =
  /^(\s*[-*+] \[)([ xX])(\] )(.*?)( \(ticked by [^()\n]*\))?( <!-- gitops-review-bot:check ([A-Za-z0-9_.:-]+\/\d+) -->)[ \t]*$/;

export function emptyGateState(): GateState {
  return { version: 1, ticks: {}, acks: [] };
}

/** Nothing ticked, nothing acknowledged: no block is needed. */
export function isEmptyGateState(state: GateState): boolean {
  return Object.keys(state.ticks).length === 0 && state.acks.length === 0;
}

/** The hidden block, placed at the end of the comment. */
export function renderGateState(state: GateState): string {
  const json = JSON.stringify(state).replace(/-->/g, "--\\u003e").replace(/</g, "\\u003c");
  return `${PREFIX}${json}${SUFFIX}`;
}

/**
 * Where the block sits: only at the very end of the body, where the bot puts it. Pull request data
 * (a file name in a code span, a value in a diff block) is shown verbatim and can quote a block
 * anywhere else: that one is never the state.
 */
function findBlock(body: string): { start: number; end: number } | null {
  const trimmed = body.trimEnd();
  if (!trimmed.endsWith(SUFFIX)) return null;
  const start = trimmed.lastIndexOf(PREFIX);
  if (start < 0) return null;
  const end = trimmed.length - SUFFIX.length;
  // The JSON never holds the suffix (see renderGateState): a second one means quoted text.
  if (end < start + PREFIX.length || trimmed.indexOf(SUFFIX, start + PREFIX.length) !== end) return null;
  return { start, end };
}

/** Whether the body ends with a state block (the only place the bot reads one from). */
export function hasGateState(body: string): boolean {
  return findBlock(body) !== null;
}

/** Reads the block back; an absent or unreadable block is an empty state, never an error. */
export function parseGateState(body: string | null | undefined): GateState {
  if (!body) return emptyGateState();
  const block = findBlock(body);
  if (!block) return emptyGateState();
  let raw: unknown;
  try {
    raw = JSON.parse(body.slice(block.start + PREFIX.length, block.end));
  } catch {
    return emptyGateState();
  }
  return sanitize(raw);
}

function sanitize(raw: unknown): GateState {
  const state = emptyGateState();
  if (!isRecord(raw) || raw.version !== 1) return state;
  if (isRecord(raw.ticks)) {
    for (const [key, tick] of Object.entries(raw.ticks)) {
      if (isRecord(tick) && typeof tick.by === "string" && typeof tick.at === "string") {
        state.ticks[key] = { by: tick.by, at: tick.at };
      }
    }
  }
  if (Array.isArray(raw.acks)) {
    for (const ack of raw.acks) {
      if (
        isRecord(ack) &&
        typeof ack.ruleId === "string" &&
        typeof ack.by === "string" &&
        typeof ack.reason === "string" &&
        typeof ack.at === "string" &&
        Array.isArray(ack.fingerprints) &&
        ack.fingerprints.every((f) => typeof f === "string")
      ) {
        state.acks.push({
          ruleId: ack.ruleId,
          fingerprints: ack.fingerprints as string[],
          by: ack.by,
          reason: ack.reason,
          at: ack.at,
        });
      }
    }
  }
  return state;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body with its state block replaced (or appended). */
export function withGateState(body: string, state: GateState): string {
  const block = renderGateState(state);
  const found = findBlock(body);
  if (!found) return `${body}\n${block}`;
  return body.slice(0, found.start) + block + body.slice(found.end + SUFFIX.length);
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

/** Records an edit: ticked items get `by`/`at` (the first tick is kept), unticked ones are cleared. */
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

/** Every checklist key of a finding. */
export function checklistKeys(fingerprint: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => checklistKey(fingerprint, index));
}
