/**
 * Where the engine runs for the App: inline by default (tests, the CLI), or in a pool of worker
 * threads once the service configures one, so that parsing and diffing a hostile pull request
 * never blocks the event loop that answers webhooks and renews job locks.
 */
import type { CustomRuleConfig } from "../engine/config.js";
import { reviewChangeSet, type ReviewOptions } from "../engine/review.js";
import type { ReviewResult } from "../engine/types.js";
import type { ChangeSet } from "../source/change-set.js";

export interface EngineOptions extends ReviewOptions {
  /**
   * The repository's `customRules:` as data. `rules` (code) cannot be posted to a review thread:
   * the thread runs its own catalogue and rebuilds the custom rules from these.
   */
  customRules?: readonly CustomRuleConfig[];
}

export type ReviewEngine = (changeSet: ChangeSet, options: EngineOptions) => Promise<ReviewResult>;

let engine: ReviewEngine = reviewChangeSet;

export function useReviewEngine(next: ReviewEngine | null): void {
  engine = next ?? reviewChangeSet;
}

export function runReviewEngine(changeSet: ChangeSet, options: EngineOptions): Promise<ReviewResult> {
  return engine(changeSet, options);
}
