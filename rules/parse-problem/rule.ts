import type { Rule, RuleReport, Severity } from "../../src/engine/types.js";
import type { ProblemCode } from "../../src/parse/types.js";

const SEVERITY: Record<ProblemCode, Severity> = {
  "yaml-syntax": "high",
  "file-too-large": "medium",
  "alias-limit": "medium",
  "depth-limit": "medium",
  "helm-template": "info",
  "not-loaded": "low",
};

export const rule: Rule = {
  meta: {
    id: "parse-problem",
    title: "File could not be reviewed",
    category: "engine",
    defaultSeverity: "high",
    appliesTo: ["file"],
    description:
      "A changed file is not valid YAML, is too large or too deep, or is a Helm template, so it was not reviewed.",
  },
  messages: {
    "yaml-syntax": "{{file}} is not valid YAML: {{detail}} The GitOps controller will fail to apply it.",
    "file-too-large": "{{file}} was not reviewed: {{detail}}",
    "alias-limit": "{{file}} was not reviewed: {{detail}}",
    "depth-limit": "{{file}} was not reviewed: {{detail}}",
    "helm-template": "{{file}} is a Helm template; review the rendered output by hand: {{detail}}",
    "not-loaded": "{{file}} was not reviewed: {{detail}}",
  },
  remediation:
    "Fix the YAML at the reported line (or render the template with `helm template`) and push again.",
  checklist: [
    "Does the file load with the same parser the controller uses (`kubectl apply --dry-run=server`, `helm template`, `kustomize build`)?",
    "Has someone reviewed by hand what the bot could not read?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const problem of context.problems) {
      // A broken base file is history; only what the PR leaves behind matters.
      if (problem.side === "base" && problem.code !== "not-loaded") continue;
      reports.push({
        messageId: problem.code,
        data: { file: problem.file, detail: problem.message },
        severity: SEVERITY[problem.code],
        location: { path: problem.file, line: problem.line, side: problem.side },
        subject: `file/${problem.file}`,
      });
    }
    return reports;
  },
};
