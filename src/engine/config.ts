/**
 * The repository configuration, `.github/gitops-review.yml`.
 *
 * The schema is the single source of truth: it validates what `context.config` returns, gives the
 * defaults, and generates `docs/config.schema.json` (see `src/github/generate-schema.ts`).
 */
import { z } from "zod";
import { MAX_EXPRESSION_LENGTH } from "../cel/compile.js";
import {
  CUSTOM_RULE_PREFIX,
  customRuleProblems,
  duplicateIdProblems,
  SUBJECT_STATUSES,
} from "./custom-rule-definition.js";
import { SEVERITIES, severityRank, type Severity } from "./types.js";

export const CONFIG_FILE = "gitops-review.yml";
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;

export const COMMENT_MODES = ["always", "on-changes", "on-findings"] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

/** Severities that get a `gitops-risk:*` label, highest first. */
export const LABELLED_SEVERITIES = ["critical", "high", "medium"] as const;
export type LabelledSeverity = (typeof LABELLED_SEVERITIES)[number];

const severity = z.enum(SEVERITIES, {
  error: () => `expected one of ${SEVERITIES.join(", ")}`,
});

const ruleSetting = z.enum(["off", ...SEVERITIES], {
  error: () => `expected "off" or one of ${SEVERITIES.join(", ")}`,
});

const glob = z.string().min(1, { error: "a path glob cannot be empty" });

const severityShift = z
  .int({ error: "expected a whole number of severity levels" })
  .min(0, { error: "use a positive number (raise and lower are separate keys)" })
  .max(SEVERITIES.length - 1);

const environment = z
  .strictObject({
    paths: z.array(glob).min(1, { error: "an environment needs at least one path glob" }),
    raise: severityShift.optional().describe("Raise the severity of findings in these paths by N levels."),
    lower: severityShift.optional().describe("Lower the severity of findings in these paths by N levels."),
  })
  .refine((env) => !(env.raise && env.lower), { error: "set either raise or lower, not both" })
  .describe("Findings located in files matching `paths` have their severity raised or lowered.");

const labelName = z.string().min(1).max(50, { error: "GitHub label names are at most 50 characters" });

const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const customRuleMatch = z
  .strictObject({
    kinds: z
      .array(z.string().min(1, { error: "a kind cannot be empty" }))
      .min(1, { error: 'list at least one kind, or "*" for every object' })
      .optional()
      .describe('Kubernetes kinds the rule looks at (`Service`, `Deployment`), or `"*"` for every object.'),
    releases: z
      .literal(true, { error: () => "releases can only be true (leave it out for Kubernetes objects)" })
      .optional()
      .describe("Look at Helm releases (their effective values) instead of Kubernetes objects."),
    paths: z
      .array(glob)
      .min(1, { error: "list at least one path glob, or leave paths out" })
      .optional()
      .describe("Only subjects declared in files matching these globs (either side of the change)."),
    status: z
      .array(z.enum(SUBJECT_STATUSES, { error: () => `expected one of ${SUBJECT_STATUSES.join(", ")}` }))
      .min(1)
      .optional()
      .describe("Which changes the rule looks at. Default: added, modified, replaced."),
  })
  .refine((match) => (match.kinds !== undefined) !== (match.releases === true), {
    error: "set either kinds (Kubernetes objects) or releases: true (Helm releases)",
  })
  .meta({
    description: "What the rule looks at: Kubernetes objects by kind, or Helm releases.",
    // The refine above, for editors: exactly one of the two.
    oneOf: [{ required: ["kinds"] }, { required: ["releases"] }],
  });

const customRule = z
  .strictObject({
    id: z
      .string()
      .max(64, { error: "custom rule ids are at most 64 characters" })
      .regex(KEBAB_CASE, { error: "custom rule ids are kebab-case" })
      .describe(`Kebab-case; findings, \`rules:\` and \`/ack\` name the rule \`${CUSTOM_RULE_PREFIX}<id>\`.`),
    title: z.string().trim().min(1).max(120).describe("Shown as the finding's heading."),
    severity: severity.describe("Severity of a finding before rules, environments and the gate apply."),
    match: customRuleMatch,
    expression: z
      .string()
      .min(1, { error: "the expression cannot be empty" })
      .max(MAX_EXPRESSION_LENGTH)
      .describe("CEL; true means the change breaks the rule. See docs/custom-rules.md for the variables."),
    message: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .describe(
        "The finding's message; {{subject}}, {{kind}}, {{name}}, {{namespace}} and {{file}} are filled in.",
      ),
    checklist: z
      .array(z.string().trim().min(1).max(300))
      .max(10)
      .default([])
      .describe("Questions a second reviewer answers before approving."),
    remediation: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe("How to fix it, shown with the finding."),
    failurePolicy: z
      .enum(["fail", "ignore"], { error: () => "expected fail or ignore" })
      .default("fail")
      .describe(
        "When the expression cannot be evaluated on a subject (a missing field without has()): fail reports it as a finding of the rule, ignore skips the subject.",
      ),
  })
  .superRefine((rule, ctx) => {
    for (const problem of customRuleProblems(rule)) ctx.addIssue({ code: "custom", ...problem });
  })
  .describe("A rule of your own, written in CEL.");

export const configSchema = z
  .strictObject({
    _extends: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Inherit another repository's file: `repo`, `owner/repo` or `owner/repo:path`. This file's keys deep-merge over it (lists are concatenated). Followed by the App; the CLI applies this file alone.",
      ),
    rules: z
      .record(
        z.string().regex(new RegExp(`^(${CUSTOM_RULE_PREFIX})?${KEBAB_CASE.source.slice(1, -1)}$`), {
          error: `rule ids are kebab-case (custom rules: ${CUSTOM_RULE_PREFIX}<id>)`,
        }),
        ruleSetting,
      )
      .default({})
      .describe('Per-rule severity override, or "off" to disable the rule.'),
    environments: z
      .record(z.string().min(1), environment)
      .default({})
      .describe(
        "Named environments. The first environment (in file order) whose paths match a finding's file applies.",
      ),
    ignore: z
      .array(glob)
      .default([])
      .describe("Path globs of files the review skips entirely (not fetched, no findings)."),
    gate: z
      .strictObject({
        severity: severity
          .default("high")
          .describe("Findings at or above this severity hold the check at action_required."),
        approvals: z
          .strictObject(
            Object.fromEntries(
              SEVERITIES.map((level) => [
                level,
                z.int({ error: "expected a whole number of approvals" }).min(0).max(10).optional(),
              ]),
            ) as Record<Severity, z.ZodOptional<z.ZodInt>>,
          )
          .default({ high: 1, critical: 2 })
          .describe(
            "Approvals needed, by the highest gating severity. A severity not listed takes the number of the closest lower one listed, else 1.",
          ),
        teams: z
          .array(
            z
              .string()
              .regex(/^([A-Za-z0-9-]+\/)?[A-Za-z0-9_.-]+$/, { error: "expected a team slug or org/team" }),
          )
          .default([])
          .describe(
            "Only members of these teams (or the users below) count as second reviewers. Empty: anyone with write access.",
          ),
        users: z
          .array(z.string().regex(/^[A-Za-z0-9-]+(\[bot\])?$/, { error: "expected a GitHub login" }))
          .default([])
          .describe(
            "Only these users (or members of the teams above) count as second reviewers. Empty: anyone with write access.",
          ),
        currentHeadOnly: z
          .boolean()
          .default(true)
          .describe("Only approvals given on the pull request's current head commit count."),
        checklist: z
          .enum(["required", "optional"], { error: () => "expected required or optional" })
          .default("optional")
          .describe(
            "required: every checklist item of a gating finding must be ticked in the comment by someone other than the author.",
          ),
        requestReviewers: z
          .boolean()
          .default(false)
          .describe("Request reviews from `teams` and `users` when the gate holds a pull request."),
      })
      .prefault({})
      .describe("When the check asks for a second reviewer."),
    comment: z
      .strictObject({
        mode: z
          .enum(COMMENT_MODES, { error: () => `expected one of ${COMMENT_MODES.join(", ")}` })
          .default("on-changes")
          .describe(
            "always: every PR; on-changes: PRs touching files the review reads; on-findings: PRs with findings. An existing comment is always kept up to date.",
          ),
      })
      .prefault({})
      .describe("The sticky pull request comment."),
    labels: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Add a label for the highest severity found."),
        critical: labelName.default("gitops-risk:critical"),
        high: labelName.default("gitops-risk:high"),
        medium: labelName.default("gitops-risk:medium"),
      })
      .prefault({})
      .describe("Risk labels on the pull request (medium and above), removed when no longer true."),
    customRules: z
      .array(customRule)
      .max(50, { error: "at most 50 custom rules" })
      .default([])
      .superRefine((rules, ctx) => {
        for (const problem of duplicateIdProblems(rules)) ctx.addIssue({ code: "custom", ...problem });
      })
      .describe("Rules of your own, written in CEL, reviewed like the built-in ones (docs/custom-rules.md)."),
  })
  .describe("gitops-review-bot repository configuration (.github/gitops-review.yml).");

export type ReviewConfig = z.output<typeof configSchema>;
export type ReviewConfigInput = z.input<typeof configSchema>;
export type EnvironmentConfig = ReviewConfig["environments"][string];
export type CustomRuleConfig = ReviewConfig["customRules"][number];

export type ConfigResult = { ok: true; config: ReviewConfig } | { ok: false; errors: string[] };

/** Validates raw configuration (null when no file exists) and fills in the defaults. */
export function parseConfig(raw: unknown): ConfigResult {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: result.error.issues.map(formatIssue) };
}

export function defaultConfig(): ReviewConfig {
  return configSchema.parse({});
}

/** `gate.severity: expected one of info, low, ...`: the path a user can find in their file. */
function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  const message =
    issue.code === "unrecognized_keys"
      ? `unknown ${issue.keys.length === 1 ? "key" : "keys"} ${issue.keys.map((key) => `"${key}"`).join(", ")}`
      : issue.code === "invalid_key"
        ? (issue.issues[0]?.message ?? issue.message)
        : issue.message;
  return path ? `${path}: ${message}` : message;
}

/** The JSON Schema of the configuration file, for editors and docs. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

export function labelFor(config: ReviewConfig, severity: Severity): string | null {
  return (LABELLED_SEVERITIES as readonly string[]).includes(severity)
    ? config.labels[severity as LabelledSeverity]
    : null;
}

/** Approvals needed for findings of this severity: the setting of the closest level at or below it. */
export function approvalsFor(config: Pick<ReviewConfig["gate"], "approvals">, severity: Severity): number {
  for (let rank = severityRank(severity); rank >= 0; rank -= 1) {
    const value = config.approvals[SEVERITIES[rank]];
    if (value !== undefined) return value;
  }
  return 1;
}
