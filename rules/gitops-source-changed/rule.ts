import {
  describeSubject,
  formatValuePath,
  getIn,
  isRecord,
  locationOf,
  objectDiffs,
  releaseDiffs,
  show,
  walkValue,
} from "../../src/engine/rule-kit.js";
import type { KubeObject, ReviewContext, Rule, RuleReport, Severity } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import {
  describeRevision,
  parseRepoUrl,
  revisionKind,
  sameRevision,
  type Revision,
  type RevisionKind,
} from "../../src/k8s/gitops-sources.js";
import type { PathSegment } from "../../src/parse/types.js";

const FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io";
const FLUX_SOURCES = ["GitRepository", "OCIRepository", "HelmRepository", "Bucket"] as const;
const ARGO_GROUP = "argoproj.io";
const CONSUMERS: Record<string, string> = {
  Kustomization: "kustomize.toolkit.fluxcd.io",
  HelmRelease: "helm.toolkit.fluxcd.io",
};

/** A revision and where it is written. */
interface Ref extends Revision {
  /** Readable field: `spec.ref.branch`, `spec.source.targetRevision`. */
  field: string;
  path: PathSegment[];
}

/** One place a GitOps tool pulls from: a repository URL and the revision it follows. */
interface SourcePoint {
  /** Pairs the base and head points of one subject. */
  key: string;
  url: string | null;
  urlField: string;
  urlPath: PathSegment[];
  ref: Ref | null;
  /** A chart or artifact registry (HelmRepository, OCIRepository, Argo CD chart source), not a git repository. */
  registry: boolean;
}

interface Verdict {
  messageId: string;
  severity: Severity;
  data: Record<string, string>;
  path: PathSegment[];
  evidence: { path: string; before: unknown; after: unknown };
}

function makeRef(value: unknown, hint: RevisionKind | null, path: PathSegment[]): Ref | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const text = String(value);
  return { text, kind: revisionKind(text, hint), field: formatValuePath(path), path };
}

// ------------------------------------------------------------------ where subjects pull from

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/** Flux source objects: `spec.url` and `spec.ref` (GitRepository, OCIRepository), bucket endpoints. */
function fluxSourcePoint(object: KubeObject): SourcePoint | null {
  const value = object.document.value;
  const kind = object.identity.kind;
  if (kind === "Bucket") {
    const endpoint = str(getIn(value, ["spec", "endpoint"]));
    const bucket = str(getIn(value, ["spec", "bucketName"]));
    if (!endpoint && !bucket) return null;
    return {
      key: "spec",
      url: `${endpoint ?? ""}/${bucket ?? ""}`,
      urlField: "spec.endpoint/bucketName",
      urlPath: ["spec", bucket ? "bucketName" : "endpoint"],
      ref: null,
      registry: false,
    };
  }
  const url = str(getIn(value, ["spec", "url"]));
  if (!url) return null;
  const point: SourcePoint = {
    key: "spec",
    url,
    urlField: "spec.url",
    urlPath: ["spec", "url"],
    ref: null,
    registry: kind !== "GitRepository",
  };
  const ref = getIn(value, ["spec", "ref"]);
  const at = (field: string): PathSegment[] => ["spec", "ref", field];
  if (kind === "GitRepository") {
    // Flux precedence: commit > name > semver > tag > branch; no ref means branch master.
    const name = str(getIn(ref, ["name"]));
    point.ref = makeRef(getIn(ref, ["commit"]), "commit", at("commit")) ??
      (name
        ? makeRef(
            name.replace(/^refs\/(heads|tags)\//, ""),
            name.startsWith("refs/tags/") ? "tag" : null,
            at("name"),
          )
        : null) ??
      makeRef(getIn(ref, ["semver"]), "version", at("semver")) ??
      makeRef(getIn(ref, ["tag"]), "tag", at("tag")) ??
      makeRef(getIn(ref, ["branch"]), null, at("branch")) ?? {
        text: "master",
        kind: "default",
        field: "spec.ref",
        path: ["spec", "url"],
      };
  } else if (kind === "OCIRepository") {
    point.ref = makeRef(getIn(ref, ["digest"]), "commit", at("digest")) ??
      makeRef(getIn(ref, ["semver"]), "version", at("semver")) ??
      makeRef(getIn(ref, ["tag"]), "tag", at("tag")) ?? {
        text: "latest",
        kind: "tag",
        field: "spec.ref",
        path: ["spec", "url"],
      };
  }
  return point;
}

/** A map with `repoURL` (and `targetRevision`/`revision`): an Argo CD source, a git generator, app-of-apps values. */
function recordPoint(record: Record<string, unknown>, path: PathSegment[], key: string): SourcePoint | null {
  const url = str(record.repoURL);
  const revisionKey =
    "targetRevision" in record ? "targetRevision" : url && "revision" in record ? "revision" : null;
  if (!url && !revisionKey) return null;
  const chart = str(record.chart) !== null;
  const ref = revisionKey
    ? makeRef(record[revisionKey], chart ? "version" : null, [...path, revisionKey])
    : url && !chart
      ? { text: "HEAD", kind: "default" as const, field: formatValuePath([...path, "targetRevision"]), path }
      : null;
  return {
    key,
    url,
    urlField: formatValuePath([...path, "repoURL"]),
    urlPath: [...path, "repoURL"],
    ref,
    registry: chart,
  };
}

function argoPoints(object: KubeObject): SourcePoint[] {
  const value = object.document.value;
  const points: SourcePoint[] = [];
  if (object.identity.kind === "Application") {
    const source = getIn(value, ["spec", "source"]);
    if (isRecord(source)) {
      const point = recordPoint(source, ["spec", "source"], "spec.source");
      if (point) points.push(point);
    }
    const sources = getIn(value, ["spec", "sources"]);
    if (Array.isArray(sources)) {
      sources.forEach((item, i) => {
        if (!isRecord(item)) return;
        const point = recordPoint(item, ["spec", "sources", i], `spec.sources[${i}]`);
        if (point) points.push(point);
      });
    }
    return points;
  }
  // ApplicationSet: the template's sources and the git generators (matrix and merge nest them).
  walkValue(getIn(value, ["spec"]), (node) => {
    if (!isRecord(node.value) || node.path.length > 12 || !str(node.value.repoURL)) return;
    const point = recordPoint(node.value, ["spec", ...node.path], `spec.${node.key}`);
    if (point) points.push(point);
  });
  return points;
}

/**
 * Values of an app-of-apps chart, read by key name (a heuristic): maps with a string `repoURL`,
 * or a `targetRevision`, are what the chart's templates put into the Applications they render.
 */
function valuesPoints(values: unknown): SourcePoint[] {
  const points: SourcePoint[] = [];
  walkValue(values, (node) => {
    if (!isRecord(node.value) || node.path.length > 10) return;
    const record = node.value;
    if (!str(record.repoURL) && typeof record.targetRevision !== "string") return;
    const point = recordPoint(record, node.path, node.key);
    if (point) points.push(point);
  });
  return points;
}

/** Base and head points of one subject: by key, then what is left in order (values moved under a new key). */
function pairPoints(base: SourcePoint[], head: SourcePoint[]): [SourcePoint, SourcePoint][] {
  const pairs: [SourcePoint, SourcePoint][] = [];
  const leftBase: SourcePoint[] = [];
  const headByKey = new Map(head.map((point) => [point.key, point]));
  const used = new Set<SourcePoint>();
  for (const point of base) {
    const match = headByKey.get(point.key);
    if (match && !used.has(match)) {
      used.add(match);
      pairs.push([point, match]);
    } else leftBase.push(point);
  }
  const leftHead = head.filter((point) => !used.has(point));
  for (let i = 0; i < Math.min(leftBase.length, leftHead.length); i++)
    pairs.push([leftBase[i]!, leftHead[i]!]);
  return pairs;
}

// ------------------------------------------------------------------ verdicts

function urlNote(point: SourcePoint): string {
  return point.url ? ` of ${point.url}` : "";
}

function compare(before: SourcePoint, after: SourcePoint): Verdict | null {
  const from = before.url ? parseRepoUrl(before.url) : null;
  const to = after.url ? parseRepoUrl(after.url) : null;
  if (from && to && from.normalized !== to.normalized) {
    const sameOwner = from.owner === to.owner;
    return {
      messageId: sameOwner ? "repository" : "owner",
      severity: sameOwner && before.registry && after.registry ? "medium" : "high",
      data: {
        field: after.urlField,
        before: before.url!,
        after: after.url!,
        fromOwner: from.ownerText,
        toOwner: to.ownerText,
        refNote: after.ref
          ? ` at ${describeRevision(after.ref)}${before.ref && before.ref.text !== after.ref.text ? ` (was ${describeRevision(before.ref)})` : ""}`
          : "",
      },
      path: after.urlPath,
      evidence: { path: after.urlField, before: before.url, after: after.url },
    };
  }
  const a = before.ref;
  const b = after.ref;
  if (!a || !b || sameRevision(a, b)) return null;
  const sameField = a.field === b.field;
  const data = {
    field: sameField ? b.field : formatValuePath(b.path.slice(0, -1)) || b.field,
    before: sameField ? a.text : describeRevision(a),
    after: sameField ? b.text : describeRevision(b),
    urlNote: urlNote(after),
    branch: b.text,
  };
  const evidence = { path: b.field, before: a.text, after: b.text };
  if (b.kind === "branch") return { messageId: "branch", severity: "high", data, path: b.path, evidence };
  if (a.kind === "version" && b.kind === "version")
    return { messageId: "version", severity: "low", data, path: b.path, evidence };
  return { messageId: "revision", severity: "medium", data, path: b.path, evidence };
}

function followerText(subject: Subject): string {
  if (subject.type === "release")
    return "Every Application rendered from these values (app-of-apps: read from keys named repoURL/targetRevision/revision)";
  switch (subject.identity.kind) {
    case "Application":
      return "Argo CD";
    case "ApplicationSet":
      return "Every Application this ApplicationSet generates";
    case "Kustomization":
    case "HelmRelease":
      return "Flux";
    default:
      return "Every Flux Kustomization and HelmRelease reading this source";
  }
}

// ------------------------------------------------------------------ Flux sourceRef / chartRef

interface SourceRef {
  kind: string;
  namespace: string | null;
  name: string;
  field: string;
  path: PathSegment[];
}

function sourceRefOf(object: KubeObject): SourceRef | null {
  const value = object.document.value;
  const candidates: PathSegment[][] =
    object.identity.kind === "HelmRelease"
      ? [
          ["spec", "chartRef"],
          ["spec", "chart", "spec", "sourceRef"],
        ]
      : [["spec", "sourceRef"]];
  for (const path of candidates) {
    const ref = getIn(value, path);
    const name = str(getIn(ref, ["name"]));
    if (!name) continue;
    return {
      kind: str(getIn(ref, ["kind"])) ?? "GitRepository",
      namespace: str(getIn(ref, ["namespace"])) ?? object.identity.namespace,
      name,
      field: formatValuePath(path),
      path: [...path, "name"],
    };
  }
  return null;
}

function sourceRefText(ref: SourceRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** The Flux source object a reference names, on one side of the change, when the change set holds it. */
function resolveSource(context: ReviewContext, ref: SourceRef, side: "base" | "head"): SourcePoint | null {
  for (const pair of context.pairs) {
    const subject = pair[side];
    if (subject?.type !== "object" || subject.identity.group !== FLUX_SOURCE_GROUP) continue;
    const { kind, name, namespace } = subject.identity;
    if (kind !== ref.kind || name !== ref.name) continue;
    if (namespace && ref.namespace && namespace !== ref.namespace) continue;
    return fluxSourcePoint(subject);
  }
  return null;
}

function pointText(point: SourcePoint | null): string {
  if (!point?.url) return "not in this change";
  return `${point.url}${point.ref ? ` at ${describeRevision(point.ref)}` : ""}`;
}

/** Why a new source object matters, from the comparison of what the two objects fetch. */
const WHY: Record<string, string> = {
  owner: ": another owner's repository",
  repository: ": another repository",
  branch: ": another branch",
  revision: ": another revision",
  version: ": another version",
};

function sourceRefVerdict(context: ReviewContext, base: KubeObject, head: KubeObject): Verdict | null {
  const before = sourceRefOf(base);
  const after = sourceRefOf(head);
  if (!before || !after || sourceRefText(before) === sourceRefText(after)) return null;
  const from = resolveSource(context, before, "base");
  const to = resolveSource(context, after, "head");
  const inner = from && to ? compare(from, to) : null;
  // Another object with the same URL and revision: what is deployed does not change.
  if (from && to && !inner) return null;
  return {
    messageId: "sourceRef",
    severity: inner?.severity ?? "medium",
    data: {
      field: after.field,
      before: sourceRefText(before),
      after: sourceRefText(after),
      fromSource: pointText(from),
      toSource: pointText(to),
      why: inner ? (WHY[inner.messageId] ?? "") : "",
    },
    path: after.path,
    evidence: { path: after.field, before: sourceRefText(before), after: sourceRefText(after) },
  };
}

// ------------------------------------------------------------------ the rule

export const rule: Rule = {
  meta: {
    id: "gitops-source-changed",
    title: "GitOps source repository or revision changed",
    category: "gitops",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "Where a GitOps controller pulls from changes (Flux GitRepository/OCIRepository/HelmRepository URL or ref, Kustomization/HelmRelease sourceRef, Argo CD Application/ApplicationSet repoURL/targetRevision, app-of-apps values): high for another repository or branch, medium for another revision, low for a version bump.",
  },
  messages: {
    owner:
      "{{subject}}: {{field}} moves to another owner's repository, {{before}} -> {{after}}{{refNote}} ({{fromOwner}} -> {{toOwner}}). {{follows}} now deploys whatever that repository holds: anyone who can push there changes the cluster, and a personal fork or test branch merged by mistake keeps deploying from it.",
    repository:
      "{{subject}}: {{field}} points at another repository, {{before}} -> {{after}}{{refNote}}. {{follows}} now deploys what that repository holds: every manifest, chart or values file that differs between the two changes in the cluster, and none of it is in this diff.",
    branch:
      "{{subject}}: {{field}} {{before}} -> {{after}}{{urlNote}}: it now tracks branch {{branch}}. {{follows}} deploys every commit pushed to that branch, reviewed or not, and the sync fails (or prunes) once the branch is deleted after its merge.",
    revision:
      "{{subject}}: {{field}} {{before}} -> {{after}}{{urlNote}}. {{follows}} deploys the content at the new revision: every commit between the two reaches the cluster with this change, and none of it is in this diff.",
    version:
      "{{subject}}: {{field}} {{before}} -> {{after}}{{urlNote}}, a pinned version update. {{follows}} deploys the new version: read its release notes before merging.",
    sourceRef:
      "{{subject}}: {{field}} {{before}} -> {{after}} (was {{fromSource}}; now {{toSource}}{{why}}). {{follows}} now applies whatever that source object fetches: its repository and revision decide what is deployed.",
  },
  remediation:
    "Point the source back at the shared repository and its main branch (or a pinned tag) before merging; if the move is intended, make it its own PR that says why, and check the new repository's owner and branch protection.",
  checklist: [
    "Is the new repository (or branch) the one meant to be deployed from, and not a fork or test branch left in by mistake?",
    "Who can push to the new repository or branch, and is it protected like the old one?",
    "What differs between the old and new source (diff the two revisions): is all of it meant to be deployed now?",
    "Will the source still exist after this PR merges (feature branches are usually deleted)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    const push = (subject: Subject, pairId: string, verdict: Verdict): void => {
      const location = locationOf(subject, verdict.path, "head");
      reports.push({
        messageId: verdict.messageId,
        severity: verdict.severity,
        data: { subject: describeSubject(subject), follows: followerText(subject), ...verdict.data },
        location,
        subject: pairId,
        evidence: verdict.evidence,
        // chart-upgrade-mixed-with-changes covers a version bump on its line or its parent's.
        ...(verdict.messageId === "version"
          ? { alsoAbout: { lines: [locationOf(subject, verdict.path.slice(0, -1), "head")] } }
          : {}),
      });
    };

    const kinds = [...FLUX_SOURCES, "Application", "ApplicationSet", ...Object.keys(CONSUMERS)];
    for (const { pair, base, head } of objectDiffs(context, kinds)) {
      // A replaced pair is a new object (another name): its consumers' sourceRef says what moves.
      if (!base || !head || pair.status !== "modified") continue;
      const kind = head.identity.kind;
      if (base.identity.kind !== kind || base.identity.group !== head.identity.group) continue;
      const group = head.identity.group;
      if (CONSUMERS[kind] === group) {
        const verdict = sourceRefVerdict(context, base, head);
        if (verdict) push(head, pair.id, verdict);
        continue;
      }
      let pairs: [SourcePoint, SourcePoint][] = [];
      // One finding per move: an ApplicationSet's generator and template usually change together.
      const seen = new Set<string>();
      if (group === FLUX_SOURCE_GROUP && (FLUX_SOURCES as readonly string[]).includes(kind)) {
        const from = fluxSourcePoint(base);
        const to = fluxSourcePoint(head);
        if (from && to) pairs = [[from, to]];
      } else if (group === ARGO_GROUP && (kind === "Application" || kind === "ApplicationSet")) {
        pairs = pairPoints(argoPoints(base), argoPoints(head));
      }
      for (const [from, to] of pairs) {
        const verdict = compare(from, to);
        const key =
          verdict &&
          `${verdict.messageId}\u0000${show(verdict.evidence.before)}\u0000${show(verdict.evidence.after)}`;
        if (!verdict || seen.has(key!)) continue;
        seen.add(key!);
        push(head, pair.id, verdict);
      }
    }

    for (const { pair, base, head, changes } of releaseDiffs(context)) {
      if (!base || !head || changes.length === 0 || pair.status !== "modified") continue;
      for (const [from, to] of pairPoints(valuesPoints(base.values.value), valuesPoints(head.values.value))) {
        const verdict = compare(from, to);
        if (verdict) push(head, pair.id, verdict);
      }
    }
    return reports;
  },
};
