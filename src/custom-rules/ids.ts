/** Names custom rules share with the config schema, kept apart so the schema can import them. */
import type { PairStatus } from "../model/types.js";

/**
 * Every custom rule id starts with this; catalogue ids are plain kebab-case, so a custom rule can
 * never take the name of a built-in one, today's or a future one's.
 */
export const CUSTOM_RULE_PREFIX = "custom/";

export const SUBJECT_STATUSES = [
  "added",
  "removed",
  "modified",
  "replaced",
  "unchanged",
] as const satisfies readonly PairStatus[];

/** What a rule looks at when `match.status` is not set: subjects that exist on the head side. */
export const DEFAULT_STATUSES: readonly PairStatus[] = ["added", "modified", "replaced"];

export function isCustomRuleId(id: string): boolean {
  return id.startsWith(CUSTOM_RULE_PREFIX);
}
