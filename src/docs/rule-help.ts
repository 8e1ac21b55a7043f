/**
 * The help a SARIF consumer shows for each rule (code scanning's "Show more"): the rule's
 * explain.md, its reviewer checklist and its remediation, the same lesson `/explain` teaches.
 */
import type { Rule } from "../engine/types.js";
import { readExplainText } from "./explain-text.js";

/** Help by rule id, for the rules that have an explain.md (custom rules have none). */
export async function readRuleHelp(rules: readonly Rule[]): Promise<Map<string, string>> {
  const help = new Map<string, string>();
  for (const rule of rules) {
    const explain = await readExplainText(rule.meta.id);
    if (explain === null) continue;
    const parts = [explain.trim()];
    if (rule.checklist.length > 0)
      parts.push(
        ["## Reviewer checklist", "", ...rule.checklist.map((item) => `- [ ] ${itemText(item)}`)].join("\n"),
      );
    parts.push(`## Remediation\n\n${rule.remediation}`);
    help.set(rule.meta.id, parts.join("\n\n") + "\n");
  }
  return help;
}

/** A checklist item's question, whether the rule writes it as a string or as `{ text, topics }`. */
function itemText(item: unknown): string {
  return typeof item === "string" ? item : String((item as { text?: unknown }).text ?? "");
}
