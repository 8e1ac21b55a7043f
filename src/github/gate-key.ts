/**
 * The key that seals the gate's state in the sticky comment (see `src/gate/seal.ts`): from
 * `GATE_STATE_KEY` when set, else derived from the webhook secret, so a deployment needs nothing new.
 * Every replica must share it. Rotating it drops the ticks and acks of open pull requests once
 * (fail closed: reviewers tick and `/ack` again).
 */
import type { Logger } from "probot";
import { gateKeyFrom, randomGateKey, type GateKey } from "../gate/seal.js";

/** What a handler's context carries once the App has prepared it. */
export interface GateKeyHolder {
  gateKey: GateKey;
}

export function gateKeyFromEnv(env: NodeJS.ProcessEnv, log: Pick<Logger, "warn">): GateKey {
  const secret = env.GATE_STATE_KEY || env.WEBHOOK_SECRET;
  if (secret) return gateKeyFrom(secret);
  // Probot's own fallback secret ("development") is public: never sign with it.
  log.warn(
    "neither GATE_STATE_KEY nor WEBHOOK_SECRET is set: gate ticks and acks are sealed with a key of this process only and are lost on restart",
  );
  return randomGateKey();
}
