/**
 * The CLI's `--format sarif` (SARIF 2.1.0), for GitHub code scanning
 * (`github/codeql-action/upload-sarif`) and any other SARIF consumer. Pure: the front end reads
 * the rules' explain.md and the tool's version and passes them in.
 *
 * - One reporting descriptor per rule the review ran, and one result per finding, so an alert
 *   stays per place. Members of one root-cause group point at each other (`relatedLocations`).
 * - `partialFingerprints` carry the finding's fingerprint (rule, subject, path, message id: no
 *   line), so code scanning tracks an alert across pushes instead of reopening it when the flagged
 *   line moves or is edited again.
 * - Severity: `level` (error, warning, note) everywhere, `security-severity` where code scanning
 *   reads it (rules tagged `security`), `rank` per result.
 * - Every string goes through the report's redactor; text from the pull request is escaped for
 *   plain-text SARIF messages (embedded links) and for Markdown (GitHub renders `markdown`).
 */
import type { PolicyFinding } from "../engine/policy.js";
import type { FindingGroup, Report } from "../engine/report.js";
import type { FindingLocation, RuleMeta, Severity } from "../engine/types.js";
import { maskValue } from "../k8s/secrets.js";
import { locationText, messageMarkdown } from "./markdown-parts.js";
import { escapeMarkdown, inlineCode, plainText, truncate } from "./safe-text.js";

export const SARIF_VERSION = "2.1.0";
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** The key our fingerprint is published under; bump the version if its recipe ever changes. */
export const FINGERPRINT_KEY = "gitopsReviewFinding/v1";

export const TOOL_NAME = "gitops-review-bot";

/** Related locations listed per result; a larger group says how many more it has. */
const MAX_RELATED = 20;

export interface SarifInput {
  report: Report;
  /** The tool's version (package.json), shown by consumers next to each analysis. */
  toolVersion: string;
  /**
   * Help per rule id, Markdown that this project wrote (each rule's explain.md with its checklist
   * and remediation). Rules without an entry (custom rules) get help built from their metadata.
   */
  help?: ReadonlyMap<string, string>;
}

type Level = "error" | "warning" | "note";

const LEVEL: Readonly<Record<Severity, Level>> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/**
 * Code scanning's `security-severity` scale: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium,
 * 0.1-3.9 low. `info` gets none: it is shown as a note, not as a security alert.
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, number | null>> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  low: 2.0,
  info: null,
};

interface SarifMessage {
  text: string;
  markdown?: string;
}

interface SarifLocation {
  id?: number;
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId: string };
    region?: { startLine: number };
  };
  message?: SarifMessage;
}

interface ReportingDescriptor {
  id: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  defaultConfiguration: { level: Level };
  properties: Record<string, unknown>;
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Level;
  rank: number;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  relatedLocations?: SarifLocation[];
  properties: Record<string, unknown>;
}

interface Notification {
  level: Level;
  message: SarifMessage;
  /** The rule the notification is about (`descriptor` would name a notification descriptor). */
  associatedRule?: { id: string; index: number };
  locations?: SarifLocation[];
}

export function renderSarif(input: SarifInput): string {
  const { report } = input;
  const descriptors = ruleDescriptors(input);
  const ruleIndex = new Map(descriptors.map((descriptor, index) => [descriptor.id, index]));
  const groupOf = groupsByMember(report.groups);
  const fingerprints = uniqueFingerprints(report.findings);

  const results: SarifResult[] = [];
  const notifications: Notification[] = [];
  for (const finding of report.findings) {
    // Code scanning needs a file for every alert: a finding about the whole change (a rule that
    // failed to run) is a notification of the run, so it is still said, never dropped.
    if (finding.location.path === "") {
      notifications.push({
        level: LEVEL[finding.severity],
        message: { text: sarifText(`${finding.title}: ${finding.message}`) },
        associatedRule: { id: finding.ruleId, index: ruleIndex.get(finding.ruleId)! },
      });
      continue;
    }
    results.push(
      resultOf(finding, ruleIndex.get(finding.ruleId)!, fingerprints.get(finding)!, groupOf, report),
    );
  }
  notifications.push(...coverageNotifications(report));

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: input.toolVersion,
            semanticVersion: input.toolVersion,
            rules: descriptors,
          },
        },
        invocations: [
          {
            // The review ran; what it could not read is in the notifications.
            executionSuccessful: true,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
        properties: {
          verdict: report.verdict.conclusion,
          title: report.verdict.title,
          gateSeverity: report.gateSeverity,
          suppressed: report.suppressed,
          notes: report.notes,
        },
      },
    ],
  };
  const redact = report.redact;
  // Redact string by string (a pass over the whole text could break the JSON). URIs were
  // redacted before they were encoded: masking an encoded URI would make it invalid.
  return JSON.stringify(
    log,
    (key, value: unknown) => (typeof value === "string" && key !== "uri" ? redact(value) : value),
    2,
  );
}

// ---------------------------------------------------------------------------------------------
// Rules

function ruleDescriptors(input: SarifInput): ReportingDescriptor[] {
  const metas = new Map<string, RuleMeta>(input.report.rules.map((meta) => [meta.id, meta]));
  // A finding from outside the catalogue (the runner's own `internal-error`) still needs a rule.
  for (const finding of input.report.findings) {
    if (!metas.has(finding.ruleId)) {
      metas.set(finding.ruleId, {
        id: finding.ruleId,
        title: finding.title,
        category: "engine",
        defaultSeverity: finding.engineSeverity ?? finding.severity,
        appliesTo: ["file"],
        description: finding.title,
      });
    }
  }
  return [...metas.values()].map((meta) => {
    const written = input.help?.get(meta.id);
    const example = input.report.findings.find((finding) => finding.ruleId === meta.id);
    const score = SECURITY_SEVERITY[meta.defaultSeverity];
    return {
      id: meta.id,
      shortDescription: { text: sarifText(meta.title) },
      fullDescription: { text: sarifText(meta.description) },
      help: written
        ? { text: written, markdown: written }
        : { text: sarifText(meta.description), markdown: builtHelp(meta, example) },
      defaultConfiguration: { level: LEVEL[meta.defaultSeverity] },
      properties: {
        // `security` makes code scanning show its four-step severity (critical, high, medium,
        // low) from `security-severity`; without it critical and high would both read "error".
        tags: [...new Set([...(score === null ? [] : ["security"]), "gitops", meta.category])],
        ...(score === null ? {} : { "security-severity": score.toFixed(1) }),
        severity: meta.defaultSeverity,
      },
    };
  });
}

/** Help for a rule without an explain.md (a custom rule): its text comes from the repository. */
function builtHelp(meta: RuleMeta, example: PolicyFinding | undefined): string {
  const parts = [escapeMarkdown(meta.description)];
  if (example) {
    parts.push(`**Fix:** ${messageMarkdown(example.remediation)}`);
    if (example.checklist.length > 0)
      parts.push(
        ["**Reviewer checklist**", "", ...example.checklist.map((item) => `- ${messageMarkdown(item)}`)].join(
          "\n",
        ),
      );
  }
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// Results

function resultOf(
  finding: PolicyFinding,
  ruleIndex: number,
  fingerprint: string,
  groupOf: ReadonlyMap<string, FindingGroup>,
  report: Report,
): SarifResult {
  const score = SECURITY_SEVERITY[finding.severity];
  const related = relatedOf(finding, groupOf.get(findingKey(finding)));
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: LEVEL[finding.severity],
    rank: (score ?? 0.5) * 10,
    message: {
      text: sarifText(finding.message) + relatedText(related),
      markdown: resultMarkdown(finding, related),
    },
    locations: [locationOf(finding.location, report)],
    partialFingerprints: {
      [FINGERPRINT_KEY]: fingerprint,
      // Given, upload-sarif does not add its own hash of the flagged line's text: that line is
      // what the next push of a values change edits again, and the alert would reopen.
      primaryLocationLineHash: fingerprint,
    },
    ...(related.locations.length > 0
      ? {
          relatedLocations: related.locations.map((r, i) => ({
            id: i + 1,
            ...locationOf(r.finding.location, report),
            message: { text: sarifText(r.label) },
          })),
        }
      : {}),
    properties: {
      severity: finding.severity,
      ...(score === null ? {} : { "security-severity": score.toFixed(1) }),
      ...(finding.engineSeverity
        ? { engineSeverity: finding.engineSeverity, adjustment: finding.adjustment }
        : {}),
      gating: report.gating.some((gating) => findingKey(gating) === findingKey(finding)),
      side: finding.location.side,
      ...(finding.subject ? { subject: finding.subject } : {}),
      ...(finding.evidence
        ? {
            evidence: {
              ...(finding.evidence.path !== undefined ? { path: finding.evidence.path } : {}),
              ...evidenceValue("before", finding.evidence.before, finding.evidence.path),
              ...evidenceValue("after", finding.evidence.after, finding.evidence.path),
            },
          }
        : {}),
      ...(related.group ? { group: related.group.id } : {}),
    },
  };
}

interface Related {
  group: FindingGroup | null;
  locations: { finding: PolicyFinding; label: string }[];
  /** Members beyond MAX_RELATED. */
  more: number;
}

/**
 * A group of one cause: the cause's result lists its consequences, a consequence points at its
 * cause. A group of one finding on many subjects (`kind: "places"`): each place lists the others.
 */
function relatedOf(finding: PolicyFinding, group: FindingGroup | undefined): Related {
  if (!group || group.members.length < 2) return { group: null, locations: [], more: 0 };
  const key = findingKey(finding);
  const others = group.members.filter((member) => findingKey(member) !== key);
  const related = samePlaces(group)
    ? others.map((member) => ({ finding: member, label: `Same finding at ${locationText(member.location)}` }))
    : findingKey(group.cause) === key
      ? others.map((member) => ({ finding: member, label: `Consequence: ${member.title}` }))
      : [{ finding: group.cause, label: `Root cause: ${group.cause.title}` }];
  const placed = related.filter((other) => other.finding.location.path !== "");
  return {
    group,
    locations: placed.slice(0, MAX_RELATED),
    more: Math.max(0, placed.length - MAX_RELATED),
  };
}

/** Whether the group is one finding repeated on many subjects rather than one cause and its consequences. */
function samePlaces(group: FindingGroup): boolean {
  return "kind" in group && group.kind === "places";
}

/** " (Root cause: [title](1))": SARIF embedded links to the related locations, by id. */
function relatedText(related: Related): string {
  if (related.locations.length === 0) return "";
  const links = related.locations.map((r, i) => `[${escapeLinkText(r.label)}](${i + 1})`);
  const more = related.more > 0 ? ` and ${related.more} more` : "";
  return ` (${links.join(", ")}${more})`;
}

function resultMarkdown(finding: PolicyFinding, related: Related): string {
  const parts = [`**${escapeMarkdown(finding.title)}**: ${messageMarkdown(finding.message)}`];
  if (finding.engineSeverity && finding.adjustment)
    parts.push(
      `_Severity ${finding.engineSeverity} → ${finding.severity}: ${escapeMarkdown(finding.adjustment)}._`,
    );
  if (related.locations.length > 0) {
    const lines = related.locations.map(
      (r) => `- ${escapeMarkdown(r.label)} at ${inlineCode(locationText(r.finding.location))}`,
    );
    if (related.more > 0) lines.push(`- and ${related.more} more`);
    parts.push(lines.join("\n"));
  }
  parts.push(`**Fix:** ${messageMarkdown(finding.remediation)}`);
  if (finding.checklist.length > 0)
    parts.push(
      [
        "**Second reviewer checklist**",
        "",
        ...finding.checklist.map((item) => `- [ ] ${messageMarkdown(item)}`),
      ].join("\n"),
    );
  return parts.join("\n\n");
}

function locationOf(location: FindingLocation, report: Report): SarifLocation {
  return {
    physicalLocation: {
      artifactLocation: { uri: fileUri(report.redact(location.path)), uriBaseId: "%SRCROOT%" },
      ...(location.line ? { region: { startLine: location.line } } : {}),
    },
  };
}

/** A repository-relative path as a relative URI reference: every segment percent-encoded. */
export function fileUri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * What the review could not read, as notifications of the run: a SARIF consumer sees that the
 * review was partial, as the comment and the check say.
 */
function coverageNotifications(report: Report): Notification[] {
  return report.coverage
    .filter((entry) => entry.status === "not-understood" || entry.status === "recognised")
    .map((entry) => ({
      level: entry.status === "not-understood" ? "warning" : "note",
      message: {
        text: sarifText(
          `${entry.path} was ${entry.status === "not-understood" ? "not understood" : "recognised but not reviewed"}${entry.reason ? `: ${entry.reason}` : ""}`,
        ),
      },
      locations: entry.path ? [locationOf({ path: entry.path, line: null, side: "head" }, report)] : [],
    }));
}

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * Groups by member, so each finding finds its group (the cause is a member too). Matched by what
 * makes a finding itself, not by object identity: a group may hold copies of the report's findings.
 */
function groupsByMember(groups: readonly FindingGroup[]): Map<string, FindingGroup> {
  const byMember = new Map<string, FindingGroup>();
  for (const group of groups) for (const member of group.members) byMember.set(findingKey(member), group);
  return byMember;
}

/** The runner keeps one finding per fingerprint, line and message: together they name it. */
function findingKey(finding: PolicyFinding): string {
  return `${finding.fingerprint}\u0000${finding.location.path}\u0000${finding.location.line ?? ""}\u0000${finding.message}`;
}

/**
 * The finding's fingerprint, with `:2`, `:3` for further findings sharing it (same rule, subject,
 * file and message on other lines): two results with one fingerprint would be one alert.
 */
function uniqueFingerprints(findings: readonly PolicyFinding[]): Map<PolicyFinding, string> {
  const seen = new Map<string, number>();
  const unique = new Map<PolicyFinding, string>();
  for (const finding of findings) {
    const n = (seen.get(finding.fingerprint) ?? 0) + 1;
    seen.set(finding.fingerprint, n);
    unique.set(finding, n === 1 ? finding.fingerprint : `${finding.fingerprint}:${n}`);
  }
  return unique;
}

/**
 * Plain text for a SARIF message: control characters removed, mentions broken, and square
 * brackets escaped, since `[text](target)` in a SARIF plain-text message is an embedded link.
 */
export function sarifText(text: string): string {
  return truncate(plainText(text).replace(/\\(?=[[\]])|[[\]]/g, "\\$&"), 10_000);
}

function escapeLinkText(text: string): string {
  return plainText(text).replace(/[[\]\\]/g, "");
}

/** One side of the evidence, masked, as JSON data (YAML integers may be bigints); absent stays absent. */
function evidenceValue(side: "before" | "after", value: unknown, path: string | undefined) {
  if (value === undefined) return {};
  const masked = maskValue(value, path ?? []);
  return {
    [side]: JSON.parse(
      JSON.stringify(masked, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    ) as unknown,
  };
}
