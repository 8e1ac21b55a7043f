import semver from "semver";
import {
  describeSubject,
  getIn,
  isRecord,
  leafChanges,
  locationOf,
  ownValue,
} from "../../src/engine/rule-kit.js";
import type { Rule, RuleReport, Severity, ValueChange } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

/** Tags that name a channel or branch, not a version: moving to them is a choice, not an accident. */
const CHANNEL_TAGS =
  /^(stable|main|master|edge|nightly|dev|develop|development|rolling|beta|alpha|lts|release|canary|current|next|preview|unstable|testing|alpine|slim|bookworm|bullseye|jammy|noble)$/i;
/** A commit-based tag: `1a2b3c4`, `sha-1a2b3c4`, `main-1a2b3c4`, `pr-123`. */
const BUILD_TAGS = /^((sha|main|master|dev|develop|pr|branch)[-_])?([0-9a-f]{7,40}|\d+)$/i;

/** The numeric parts of a version tag (`v1.2.3`, `0.2`, `6.4.1.10545`, `16.2-alpine`), or null. */
export function versionOf(tag: string): number[] | null {
  const match = /^v?(\d+(?:\.\d+)*)([-+_~].*)?$/i.exec(tag.trim());
  if (!match?.[1]) return null;
  if (BUILD_TAGS.test(tag.trim()) && !match[1].includes(".")) return null; // a commit hash or build number
  const parts = match[1].split(".").map(Number);
  return parts.every((part) => Number.isSafeInteger(part)) ? parts : null;
}

/** <0 when `a` is lower: semver on the first three parts (coerced loosely), then any further parts. */
export function compareVersions(a: number[], b: number[]): number {
  const head = (parts: number[]) => semver.coerce(parts.slice(0, 3).join("."), { loose: true });
  const left = head(a);
  const right = head(b);
  if (left && right) {
    const cmp = semver.compare(left, right);
    if (cmp !== 0) return cmp;
  }
  for (let i = 3; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

/** `repo[:tag][@digest]` split, registry ports kept in the repository. */
function splitReference(reference: string): { repository: string; tag: string | null } {
  const name = reference.split("@")[0] ?? reference;
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  return colon < 0
    ? { repository: name, tag: null }
    : { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
}

function tagText(value: unknown): string | null {
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return null;
  const tag = (value.split("@")[0] ?? "").trim();
  return tag === "" || tag.includes("{{") || tag.includes("${") ? null : tag;
}

/** The repository next to a `tag` key (`repository`, `name`, `image`, kustomize `newName`/`name`). */
function repositoryAt(root: unknown, parent: PathSegment[]): string | null {
  const block = getIn(root, parent);
  if (!isRecord(block)) return null;
  for (const key of ["newName", "repository", "image", "name"]) {
    const value = block[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

interface TagChange {
  image: string;
  before: string | null;
  after: string;
  field: string;
  change: ValueChange;
}

const TAG_KEYS = new Set(["tag", "newTag", "imageTag"]);

/** Image tag changes in a pair's changes: `image: repo:tag` strings and `{repository, tag}` blocks. */
function tagChanges(changes: readonly ValueChange[], baseRoot: unknown, headRoot: unknown): TagChange[] {
  const found: TagChange[] = [];
  for (const change of leafChanges(changes)) {
    if (change.op === "removed" || !change.headPath) continue;
    const key = change.headPath[change.headPath.length - 1];
    if (key === "image" && typeof change.after === "string") {
      if (typeof change.before !== "string") continue;
      const before = splitReference(change.before);
      const after = splitReference(change.after);
      const afterTag = tagText(after.tag);
      if (before.repository !== after.repository || !afterTag) continue;
      found.push({
        image: after.repository,
        before: tagText(before.tag),
        after: afterTag,
        field: change.path,
        change,
      });
      continue;
    }
    if (typeof key !== "string" || !TAG_KEYS.has(key)) continue;
    const parent = change.headPath.slice(0, -1);
    const parentKey = parent[parent.length - 1];
    const repository = repositoryAt(headRoot, parent);
    const isImage =
      repository !== null || (typeof parentKey === "string" && /image/i.test(parentKey)) || key !== "tag";
    if (!isImage) continue;
    const afterTag = tagText(change.after);
    if (!afterTag) continue;
    if (change.op === "changed") {
      const baseParent = change.basePath ? change.basePath.slice(0, -1) : parent;
      const before = repositoryAt(baseRoot, baseParent);
      if (before !== null && repository !== null && before !== repository) continue; // another image
    }
    found.push({
      image: repository ?? (typeof parentKey === "string" ? change.path.slice(0, -key.length - 1) : "image"),
      before: change.op === "added" ? null : tagText(change.before),
      after: afterTag,
      field: change.path,
      change,
    });
  }
  return found;
}

export const rule: Rule = {
  meta: {
    id: "image-tag-downgraded",
    title: "Image tag downgraded or not a version",
    category: "maintenance",
    defaultSeverity: "low",
    appliesTo: ["object", "release"],
    description:
      "An image tag goes to a lower version (low), or from a version to a tag that is not a version at all (medium), on a workload, in kustomize `images` or in chart values.",
  },
  messages: {
    downgraded:
      "{{subject}}: {{image}} {{before}} -> {{after}} ({{field}}) is a downgrade. Pods roll back to the older version: fixes and migrations shipped since {{after}} are undone, and an app that already migrated its data or config to the newer schema may refuse to start.",
    notVersion:
      "{{subject}}: {{image}} tag {{before}} -> {{after}} ({{field}}): `{{after}}` is not a version. If no such tag exists the pods fail with ImagePullBackOff on their next restart or rollout; if it does, nothing tells which build runs.",
    channel:
      "{{subject}}: {{image}} tag {{before}} -> {{after}} ({{field}}): `{{after}}` is a branch, channel or build tag, not a version: what runs is whatever was pushed under it, and git no longer says which version is deployed.",
  },
  remediation:
    "Pin an existing, released version (with its digest when possible); if the downgrade is a deliberate rollback, say so in the PR and check the app supports running an older version on its current data.",
  checklist: [
    "Is the older version a deliberate rollback, and does the app support downgrading its data or config?",
    "Does the new tag exist in the registry (`crane ls` / `skopeo list-tags`)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    const seen = new Set<string>();
    for (const diff of context.diffs) {
      const { pair } = diff;
      if (!pair.head || (pair.status !== "modified" && pair.status !== "replaced")) continue;
      if (pair.head.type === "object" && pair.head.identity.kind === "CustomResourceDefinition") continue;
      for (const item of tagChanges(diff.changes, ownValue(pair.base), ownValue(pair.head))) {
        if (!item.change.head || !item.change.headPath) continue;
        const location = locationOf(pair.head, item.change.headPath, "head");
        const key = `${location.path}:${location.line}:${item.field}`;
        if (seen.has(key)) continue;
        const after = versionOf(item.after);
        const before = item.before === null ? null : versionOf(item.before);
        let messageId: string;
        let severity: Severity;
        if (after && before) {
          if (compareVersions(after, before) >= 0) continue;
          messageId = "downgraded";
          severity = "low";
        } else if (!after && (before || item.before === null)) {
          if (item.after.toLowerCase() === "latest") continue; // mutable-image-tag says it
          const channel = CHANNEL_TAGS.test(item.after) || BUILD_TAGS.test(item.after);
          messageId = channel ? "channel" : "notVersion";
          severity = channel ? "low" : "medium";
        } else continue;
        seen.add(key);
        reports.push({
          messageId,
          severity,
          data: {
            subject: describeSubject(pair.head),
            image: item.image,
            before: item.before ?? "(chart default)",
            after: item.after,
            field: item.field,
          },
          location,
          subject: pair.id,
          evidence: { path: item.field, before: item.change.before, after: item.change.after },
        });
      }
    }
    return reports;
  },
};
