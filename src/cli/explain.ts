import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { closest } from "fastest-levenshtein";
import type { Rule } from "../engine/types.js";
import { packageRoot } from "../package-root.js";

/** rules/<id>/explain.md; null for an unknown id (ids are checked before touching the disk). */
export async function readExplainText(ruleId: string): Promise<string | null> {
  if (!/^[a-z0-9-]+$/.test(ruleId)) return null;
  try {
    return await readFile(join(packageRoot(), "rules", ruleId, "explain.md"), "utf8");
  } catch {
    return null;
  }
}

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
