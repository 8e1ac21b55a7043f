/**
 * Where the engine runs for the App: inline by default (tests, the CLI), or in a pool of worker
 * threads once the service configures one, so that parsing and diffing a hostile pull request
 * never blocks the event loop that answers webhooks and renews job locks.
 */
import { reviewChangeSet, type ReviewOptions } from "../engine/review.js";
import type { ReviewResult } from "../engine/types.js";
import type { ChangeSet } from "../source/change-set.js";

export type ReviewEngine = (changeSet: ChangeSet, options: ReviewOptions) => Promise<ReviewResult>;

let engine: ReviewEngine = reviewChangeSet;

export function useReviewEngine(next: ReviewEngine | null): void {
  engine = next ?? reviewChangeSet;
}

export function runReviewEngine(changeSet: ChangeSet, options: ReviewOptions): Promise<ReviewResult> {
  return engine(changeSet, options);
}
