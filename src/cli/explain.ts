import { closest } from "fastest-levenshtein";
import { readExplainText } from "../docs/explain-text.js";
import type { Rule } from "../engine/types.js";

export function listRules(rules: readonly Rule[]): string {
  const width = Math.max(...rules.map((rule) => rule.meta.id.length));
  return (
    rules
      .map(
        (rule) => `${rule.meta.id.padEnd(width)}  ${rule.meta.defaultSeverity.padEnd(8)}  ${rule.meta.title}`,
      )
      .join("\n") + "\n"
  );
}

export async function explainRule(
  rules: readonly Rule[],
  ruleId: string,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const rule = rules.find((candidate) => candidate.meta.id === ruleId);
  if (!rule) {
    const suggestion =
      rules.length > 0 && ruleId
        ? closest(
            ruleId,
            rules.map((r) => r.meta.id),
          )
        : null;
    return {
      ok: false,
      message: `unknown rule "${ruleId}"${suggestion ? `; did you mean ${suggestion}?` : ""}`,
    };
  }
  const explain = (await readExplainText(rule.meta.id)) ?? "";
  const checklist = rule.checklist.map((item) => `- [ ] ${item}`).join("\n");
  return {
    ok: true,
    text: `# ${rule.meta.title} (${rule.meta.id}, ${rule.meta.defaultSeverity})\n\n${explain.trim()}\n\n## Checklist\n\n${checklist}\n\n## Remediation\n\n${rule.remediation}\n`,
  };
}
