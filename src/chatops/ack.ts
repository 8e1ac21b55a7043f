/**
 * `/ack <rule-id> <reason>`: who may acknowledge, what gets recorded. Pure; the handler persists the
 * new state in the sticky comment and re-decides the gate.
 */
import type { Severity } from "../engine/types.js";
import { hasWriteAccess, sameLogin, type Permission } from "../gate/evaluate.js";
import { addAck, type Ack, type GateState } from "../gate/state.js";
import { renderAckAccepted, renderAckRefused, type AckRefusal } from "./replies.js";

export interface AckInput {
  ruleId: string | null;
  /** Empty when the command had none. */
  reason: string;
  sender: string;
  author: string;
  /** The sender's permission on the repository. */
  permission: Permission;
  /** Findings of the current head (from the check run state or a fresh review). */
  findings: readonly { fingerprint: string; ruleId: string; severity: Severity }[];
  gateSeverity: Severity;
  state: GateState;
  /** ISO time of the command comment. */
  at: string;
}

export type AckDecision =
  | { accepted: true; ack: Ack; state: GateState; reply: string }
  | { accepted: false; refusal: AckRefusal; reply: string };

/** Longest reason kept: the comment shows it; the command comment has the whole text. */
export const MAX_REASON = 500;

/**
 * Who may acknowledge a finding: someone other than the author, with write access. The one check,
 * used by decideAck and by the handler before it spends a review (permission null: not known yet).
 */
export function ackPermissionRefusal(
  sender: string,
  author: string,
  permission: Permission | null,
): "author" | "permission" | null {
  if (sameLogin(sender, author)) return "author";
  if (permission !== null && !hasWriteAccess(permission)) return "permission";
  return null;
}

export function decideAck(input: AckInput, isGating: (severity: Severity) => boolean): AckDecision {
  const refuse = (
    refusal: AckRefusal,
    extra: { permission?: string; ruleIdsHere?: string[] } = {},
  ): AckDecision => ({
    accepted: false,
    refusal,
    reply: renderAckRefused({ reason: refusal, sender: input.sender, ruleId: input.ruleId, ...extra }),
  });
  if (!input.ruleId || input.reason.trim() === "") return refuse("no-reason");
  const refusal = ackPermissionRefusal(input.sender, input.author, input.permission);
  if (refusal) return refuse(refusal, refusal === "permission" ? { permission: input.permission } : {});
  const instances = input.findings.filter((finding) => finding.ruleId === input.ruleId);
  if (instances.length === 0) {
    return refuse("unknown-rule", { ruleIdsHere: [...new Set(input.findings.map((f) => f.ruleId))].sort() });
  }
  const ack: Ack = {
    ruleId: input.ruleId,
    fingerprints: instances.map((finding) => finding.fingerprint),
    by: input.sender,
    reason: input.reason.trim().slice(0, MAX_REASON),
    at: input.at,
  };
  return {
    accepted: true,
    ack,
    state: addAck(input.state, ack),
    reply: renderAckAccepted(
      ack,
      instances.some((finding) => isGating(finding.severity)),
    ),
  };
}
