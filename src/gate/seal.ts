/**
 * The gate's state block, sealed: `<!-- gitops-review-bot:gate {...,"sig":"<hmac>"} -->` at the very
 * end of the bot's sticky comment.
 *
 * Anyone with write access to the repository (the author of a pull request, usually) can edit that
 * comment, and GitHub does not promise to deliver the edit's webhook. So a block is trusted only
 * when its HMAC verifies: keyed with a secret only the App holds, over the pull request it belongs
 * to, the state, and the comment's text as the bot wrote it (checkbox states aside, so reviewers can
 * tick). An edited block, a block copied from another pull request or from an older version of the
 * comment, and a body edited around a genuine block all fail, and the caller rebuilds the comment
 * from what it can verify.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isRecord } from "../parse/types.js";
import { checklistSkeleton, emptyGateState, type GateState } from "./state.js";

const PREFIX = "<!-- gitops-review-bot:gate ";
const SUFFIX = " -->";
const SIG_HEX_LENGTH = 64;
const TICK_KEY = /^[A-Za-z0-9_.:-]+\/\d+$/;
/** Domain separation: the derived key signs gate states and nothing else. */
const KEY_LABEL = "gitops-review-bot gate-state key";
const MESSAGE_LABEL = "gitops-review-bot gate-state v1";

declare const gateKeyBrand: unique symbol;
/** A 32-byte HMAC key; only `gateKeyFrom` and `randomGateKey` make one. */
export interface GateKey {
  readonly [gateKeyBrand]: true;
  readonly bytes: Buffer;
}

/** The key from a secret (GATE_STATE_KEY, or the webhook secret), derived so it signs nothing else. */
export function gateKeyFrom(secret: string): GateKey {
  if (secret.length === 0) throw new Error("a gate state key needs a non-empty secret");
  return { bytes: createHmac("sha256", secret).update(KEY_LABEL).digest() } as GateKey;
}

/** A key for this process only: states it seals do not survive a restart or reach other replicas. */
export function randomGateKey(): GateKey {
  return { bytes: randomBytes(32) } as GateKey;
}

/** A key bound to one pull request: a block sealed for one is worth nothing on another. */
export interface GateSeal {
  key: GateKey;
  scope: string;
}

export function gateSeal(key: GateKey, pr: { owner: string; repo: string; number: number }): GateSeal {
  return { key, scope: `${pr.owner}/${pr.repo}#${pr.number}`.toLowerCase() };
}

/**
 * The body with its state block replaced (or appended), sealed over the rest of the body. Call it
 * last: any later change to the body breaks the seal.
 */
export function sealGateState(body: string, state: GateState, seal: GateSeal): string {
  const found = findBlock(body);
  const rest = found ? body.slice(0, found.start).trimEnd() : body.trimEnd();
  return `${rest}\n${renderBlock(state, signature(seal, state, rest))}`;
}

/**
 * A block of the length the sealed one will have (the signature is fixed-size), for a renderer that
 * counts the trailer in its length limit before the body it signs exists.
 */
export function gateStateTrailer(state: GateState): string {
  return renderBlock(state, "0".repeat(SIG_HEX_LENGTH));
}

/**
 * The state of a body the bot sealed; null when the body has no block, or the block or the text
 * around it is not what the bot wrote for this pull request. Never throws.
 */
export function openGateState(body: string | null | undefined, seal: GateSeal): GateState | null {
  if (!body) return null;
  const found = findBlock(body);
  if (!found) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(body.slice(found.start + PREFIX.length, found.end));
  } catch {
    return null;
  }
  if (!isRecord(raw) || typeof raw.sig !== "string" || !/^[0-9a-f]{64}$/.test(raw.sig)) return null;
  const state = sanitize(raw);
  if (!state) return null;
  const expected = Buffer.from(signature(seal, state, body.slice(0, found.start)), "hex");
  return timingSafeEqual(expected, Buffer.from(raw.sig, "hex")) ? state : null;
}

/** HMAC over the pull request, the state in a canonical form and the body's skeleton. */
function signature(seal: GateSeal, state: GateState, rest: string): string {
  const ticks = Object.keys(state.ticks)
    .sort()
    .map((key) => [key, state.ticks[key].by, state.ticks[key].at]);
  const acks = state.acks.map((ack) => [ack.ruleId, ack.fingerprints, ack.by, ack.reason, ack.at]);
  const skeleton = createHash("sha256").update(checklistSkeleton(rest)).digest("hex");
  const message = JSON.stringify([MESSAGE_LABEL, seal.scope, state.version, ticks, acks, skeleton]);
  return createHmac("sha256", seal.key.bytes).update(message).digest("hex");
}

function renderBlock(state: GateState, sig: string): string {
  const json = JSON.stringify({ ...state, sig })
    .replace(/-->/g, "--\\u003e")
    .replace(/</g, "\\u003c");
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
  // The JSON never holds the suffix (see renderBlock): a second one means quoted text.
  if (end < start + PREFIX.length || trimmed.indexOf(SUFFIX, start + PREFIX.length) !== end) return null;
  return { start, end };
}

/** The state in a block, or null when its shape is not one the bot writes. */
function sanitize(raw: Record<string, unknown>): GateState | null {
  const state = emptyGateState();
  if (raw.version !== 1 || !isRecord(raw.ticks) || !Array.isArray(raw.acks)) return null;
  for (const [key, tick] of Object.entries(raw.ticks)) {
    // Keys are checklist keys (`<fingerprint>/<index>`): never `__proto__` or other odd names.
    if (!TICK_KEY.test(key)) return null;
    if (!isRecord(tick) || typeof tick.by !== "string" || typeof tick.at !== "string") return null;
    state.ticks[key] = { by: tick.by, at: tick.at };
  }
  for (const ack of raw.acks) {
    if (
      !isRecord(ack) ||
      typeof ack.ruleId !== "string" ||
      typeof ack.by !== "string" ||
      typeof ack.reason !== "string" ||
      typeof ack.at !== "string" ||
      !Array.isArray(ack.fingerprints) ||
      !ack.fingerprints.every((f) => typeof f === "string")
    ) {
      return null;
    }
    state.acks.push({
      ruleId: ack.ruleId,
      fingerprints: ack.fingerprints as string[],
      by: ack.by,
      reason: ack.reason,
      at: ack.at,
    });
  }
  return state;
}
