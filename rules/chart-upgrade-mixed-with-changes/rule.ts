import semver from "semver";
import { describeSubject, locationOf, objectDiffs, releaseDiffs } from "../../src/engine/rule-kit.js";
import type { FindingLocation, HelmRelease, Rule, RuleReport, Severity } from "../../src/engine/types.js";

type Level = "major" | "minor" | "patch";

interface Bump {
  level: Level;
  /** `87.21.0 -> 88.0.0`, with ranges and downgrades spelled out. */
  text: string;
  range: boolean;
  downgrade: boolean;
}

const SEVERITY: Record<Level, Severity> = { major: "high", minor: "medium", patch: "low" };

/** An exact version, or null. Accepts a `v` prefix. */
function exact(version: string): semver.SemVer | null {
  return semver.valid(version.trim(), { loose: true })
    ? new semver.SemVer(version.trim(), { loose: true })
    : null;
}

/** The lowest version a range allows and whether it stays within one major, or null when not a range. */
function rangeOf(version: string): { min: semver.SemVer; major: number | null } | null {
  const text = version.trim();
  if (!semver.validRange(text, { loose: true })) return null;
  const min = semver.minVersion(text, { loose: true });
  if (!min) return null;
  const nextMajor = `${min.major + 1}.0.0`;
  const bounded = !semver.satisfies(nextMajor, text, { loose: true, includePrerelease: true });
  return { min, major: bounded ? min.major : null };
}

/**
 * How big a chart version change is. Ranges (`9.x`, `^1.2`, `*`) compare by the major they
 * allow; 0.x charts treat a minor bump as breaking, as SemVer allows. Null when a side is not a
 * version (a git branch or commit): that is a source change, not a chart upgrade.
 */
export function classifyBump(before: string, after: string): Bump | null {
  if (before.trim() === after.trim()) return null;
  const from = exact(before);
  const to = exact(after);
  const text = `${before} -> ${after}`;
  if (from && to) {
    const cmp = semver.compare(from, to);
    if (cmp === 0) return null;
    const [low, high] = cmp < 0 ? [from, to] : [to, from];
    const diff = semver.diff(low, high);
    let level: Level =
      diff === "major" || diff === "premajor"
        ? "major"
        : diff === "minor" || diff === "preminor"
          ? "minor"
          : "patch";
    if (level === "minor" && low.major === 0) level = "major";
    return { level, text, range: false, downgrade: cmp > 0 };
  }
  const fromRange = from ? { min: from, major: from.major } : rangeOf(before);
  const toRange = to ? { min: to, major: to.major } : rangeOf(after);
  if (!fromRange || !toRange) return null;
  const sameMajor = fromRange.major !== null && fromRange.major === toRange.major;
  return {
    level: sameMajor ? (fromRange.min.major === 0 ? "major" : "minor") : "major",
    text,
    range: true,
    downgrade: semver.lt(toRange.min, fromRange.min) && !sameMajor,
  };
}

/**
 * A bump on its own is routine maintenance (info), except a major one (breaking changes by
 * definition: renamed values, CRDs Helm will not upgrade) and a pin replaced by a range (later
 * versions then roll out with no pull request at all): those deserve a second look (medium).
 */
function bareSeverity(bump: Bump, before: string, after: string): Severity {
  const unpinned = exact(before) !== null && exact(after) === null;
  return bump.level === "major" || unpinned ? "medium" : "info";
}

/** Message data every bump shares: `87.21.0 -> 88.0.0`, `major downgrade`, the range note. */
function bumpData(bump: Bump): { bump: string; level: string; range: string } {
  return {
    bump: bump.text,
    level: bump.downgrade ? `${bump.level} downgrade` : bump.level,
    range: bump.range ? "; a range: later versions in it are applied without review" : "",
  };
}

function versionLocation(release: HelmRelease, fallback: FindingLocation): FindingLocation {
  const at = release.chart.versionLocation;
  return at ? { path: at.file, line: at.line, side: "head" } : fallback;
}

export const rule: Rule = {
  meta: {
    id: "chart-upgrade-mixed-with-changes",
    title: "Chart upgrade mixed with values changes",
    category: "maintenance",
    defaultSeverity: "medium",
    appliesTo: ["release", "object"],
    description:
      "A chart version bump in the same change as values changes for that release (major: high, minor: medium, patch: low); a bare bump is info, or medium when it is major or replaces a pinned version with a range.",
    // Its finding on a chart version line says more than the bare version bump gitops-source-changed sees.
    covers: [{ rule: "gitops-source-changed", messageIds: ["version"], match: "line" }],
  },
  messages: {
    mixed:
      "{{release}}: chart {{chart}} {{bump}} ({{level}}{{range}}) in the same change as {{count}} values change(s) ({{paths}}). When the rollout fails or behaves differently you cannot tell whether the new chart or the new values did it, and rolling back one reverts both: don't mix fixing and maintenance.",
    bare: "{{release}}: chart {{chart}} {{bump}} ({{level}}{{range}}) with no values change in this PR. Read the chart's changelog and upgrade notes (renamed values, CRDs, changed defaults) before merging.",
    bareSource:
      "{{subject}}: chart version {{bump}} ({{level}}{{range}}) with no values change in this PR. Read the chart's changelog and upgrade notes (renamed values, CRDs, changed defaults) before merging.",
  },
  remediation:
    "Split the change: upgrade the chart alone (values untouched, so any difference comes from the chart), then change the values in a second PR once the upgrade has rolled out.",
  checklist: [
    "Have the chart's upgrade notes between the two versions been read (renamed or removed values, CRD changes, new defaults)?",
    "Could the values changes be merged separately, before or after the upgrade?",
    "If the rollout fails, which change is rolled back, and does that revert the other one too?",
    "For a version range: are later versions in the range meant to be applied without review?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    const seenSources = new Set<string>();
    for (const diff of releaseDiffs(context)) {
      const { base, head, pair } = diff;
      if (!base || !head || (pair.status !== "modified" && pair.status !== "unchanged")) continue;
      if (head.origin === "chart") continue; // a chart in the repo bumps its own version with every change
      const at = head.chart.versionLocation;
      if (at) seenSources.add(`${at.file}\u0000${at.line}`);
      const before = base.chart.version;
      const after = head.chart.version;
      if (!before || !after) continue;
      const bump = classifyBump(before, after);
      if (!bump) continue;
      const data = {
        release: describeSubject(head),
        chart: head.chart.name ?? "?",
        ...bumpData(bump),
      };
      const location = versionLocation(head, locationOf(head, [], "head"));
      const evidence = { path: "chart.version", before, after };
      if (diff.changes.length === 0) {
        reports.push({
          messageId: "bare",
          severity: bareSeverity(bump, before, after),
          data,
          location,
          subject: pair.id,
          evidence,
        });
        continue;
      }
      const paths = [...new Set(diff.changes.map((change) => change.path))];
      reports.push({
        messageId: "mixed",
        severity: SEVERITY[bump.level],
        data: {
          ...data,
          count: diff.changes.length,
          paths: paths.length > 4 ? `${paths.slice(0, 4).join(", ")}, ...` : paths.join(", "),
        },
        location,
        subject: pair.id,
        evidence,
      });
    }
    // A chart source (OCIRepository tag) bumped while no release in the change reads it.
    for (const diff of objectDiffs(context, ["OCIRepository", "HelmChart"])) {
      if (diff.pair.status !== "modified" || !diff.head) continue;
      for (const change of diff.changes) {
        if (!/^spec\.(ref\.(tag|semver)|version)$/.test(change.path) || !change.head) continue;
        if (typeof change.before !== "string" || typeof change.after !== "string") continue;
        if (seenSources.has(`${change.head.file}\u0000${change.head.line}`)) continue;
        const refLine = locationOf(diff.head, ["spec", "ref"], "head");
        if (seenSources.has(`${refLine.path}\u0000${refLine.line}`)) continue;
        const bump = classifyBump(change.before, change.after);
        if (!bump) continue;
        reports.push({
          messageId: "bareSource",
          severity: bareSeverity(bump, change.before, change.after),
          data: {
            subject: describeSubject(diff.head),
            ...bumpData(bump),
          },
          location: { path: change.head.file, line: change.head.line, side: "head" },
          subject: diff.pair.id,
          evidence: { path: change.path, before: change.before, after: change.after },
        });
      }
    }
    return reports;
  },
};
