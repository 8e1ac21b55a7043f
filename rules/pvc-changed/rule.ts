import {
  describeSubject,
  getIn,
  isRecord,
  locationOf,
  objectDiffs,
  releaseDiffs,
  show,
} from "../../src/engine/rule-kit.js";
import { deletionProtection } from "../../src/k8s/deletion.js";
import {
  appTemplateEntries,
  persistenceBlocks,
  quantityBytes,
  scalarText,
  stableJson,
} from "../../src/k8s/storage.js";
import type { HelmRelease, KubeObject, ReviewContext, Rule, RuleReport } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import type { ValuePath } from "../../src/parse/types.js";

/** Flux postBuild substitution variables that carry a volume size (`VOLSYNC_CAPACITY`, `APP_PVC_SIZE`). */
const SIZE_VARIABLE = /(CAPACITY|SIZE|STORAGE)/i;

function pvcSummary(object: KubeObject): string {
  const spec = getIn(object.document.value, ["spec"]);
  const modes = getIn(spec, ["accessModes"]);
  const parts = [
    scalarText(getIn(spec, ["resources", "requests", "storage"])),
    scalarText(getIn(spec, ["storageClassName"])),
    Array.isArray(modes) ? modes.join("/") : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "no size written";
}

interface SizeChange {
  messageId: "sizeReduced" | "sizeIncreased";
  before: string;
  after: string;
}

function sizeChange(before: unknown, after: unknown): SizeChange | null {
  const a = quantityBytes(before);
  const b = quantityBytes(after);
  if (a === null || b === null || a === b) return null;
  return { messageId: b < a ? "sizeReduced" : "sizeIncreased", before: String(before), after: String(after) };
}

/** Compares the storage fields of a claim-like map on both sides (PVC spec, values block, app-template entry). */
function fieldReports(
  pairId: string,
  head: Subject,
  where: string,
  fields: { size: ValuePath; storageClass: ValuePath[]; accessModes: ValuePath[] },
  baseValue: unknown,
  headValue: unknown,
  headRoot: ValuePath,
): RuleReport[] {
  const reports: RuleReport[] = [];
  const subject = describeSubject(head);
  const size = sizeChange(getIn(baseValue, fields.size), getIn(headValue, fields.size));
  if (size) {
    reports.push({
      messageId: size.messageId,
      severity: "medium",
      data: { subject, where: `${where}.${fields.size.join(".")}`, before: size.before, after: size.after },
      location: locationOf(head, [...headRoot, ...fields.size], "head"),
      subject: pairId,
      evidence: { path: `${where}.${fields.size.join(".")}`, before: size.before, after: size.after },
    });
  }
  for (const [messageId, paths] of [
    ["storageClassChanged", fields.storageClass],
    ["accessModesChanged", fields.accessModes],
  ] as const) {
    const path = paths.find(
      (item) => getIn(baseValue, item) !== undefined || getIn(headValue, item) !== undefined,
    );
    if (!path) continue;
    const before = getIn(baseValue, path);
    const after = getIn(headValue, path);
    if (before === undefined || stableJson(before) === stableJson(after)) continue;
    reports.push({
      messageId,
      severity: "medium",
      data: { subject, where: `${where}.${path.join(".")}`, before: show(before), after: show(after) },
      location:
        after === undefined
          ? locationOf(head, headRoot, "head")
          : locationOf(head, [...headRoot, ...path], "head"),
      subject: pairId,
      evidence: { path: `${where}.${path.join(".")}`, before, after },
    });
  }
  return reports;
}

function pvcReports(context: ReviewContext): RuleReport[] {
  const reports: RuleReport[] = [];
  for (const diff of objectDiffs(context, ["PersistentVolumeClaim", "PersistentVolume"])) {
    const { base, head, pair } = diff;
    const kind = (head ?? base)!.identity.kind;
    if (kind === "PersistentVolumeClaim") {
      if (base && (pair.status === "removed" || pair.status === "replaced")) {
        const kept = deletionProtection(base);
        reports.push({
          messageId: kept ? "pvcRemovedKept" : pair.status === "replaced" ? "pvcReplaced" : "pvcRemoved",
          severity: kept ? "medium" : "high",
          data: {
            subject: describeSubject(base),
            summary: pvcSummary(base),
            kept: kept ?? "",
            replacement: head ? describeSubject(head) : "",
          },
          location: locationOf(base, [], "base"),
          subject: pair.id,
          evidence: { path: "spec", before: pvcSummary(base), after: head ? pvcSummary(head) : undefined },
        });
      }
      if (base && head && pair.status === "modified") {
        reports.push(
          ...fieldReports(
            pair.id,
            head,
            "spec",
            {
              size: ["resources", "requests", "storage"],
              storageClass: [["storageClassName"]],
              accessModes: [["accessModes"]],
            },
            getIn(base.document.value, ["spec"]),
            getIn(head.document.value, ["spec"]),
            ["spec"],
          ),
        );
      }
    } else if (head && kind === "PersistentVolume") {
      const policy = scalarText(getIn(head.document.value, ["spec", "persistentVolumeReclaimPolicy"]));
      const before = base
        ? scalarText(getIn(base.document.value, ["spec", "persistentVolumeReclaimPolicy"]))
        : null;
      if (policy === "Delete" && before !== "Delete") {
        reports.push({
          messageId: base ? "reclaimDeleteSet" : "newVolumeReclaimDelete",
          severity: "medium",
          data: {
            subject: describeSubject(head),
            before: before ?? "Retain (default for a PersistentVolume created by hand)",
          },
          location: locationOf(head, ["spec", "persistentVolumeReclaimPolicy"], "head"),
          subject: pair.id,
          evidence: {
            path: "spec.persistentVolumeReclaimPolicy",
            before: before ?? undefined,
            after: policy,
          },
        });
      }
    }
  }
  return reports;
}

function valuesReports(context: ReviewContext): RuleReport[] {
  const reports: RuleReport[] = [];
  for (const { pair, base, head, changes } of releaseDiffs(context)) {
    if (!base || !head) continue;
    if (pair.status === "replaced") reports.push(...replacedClaims(pair.id, base, head));
    if (changes.length === 0) continue;
    reports.push(...blockReports(pair.id, base, head), ...entryReports(pair.id, base, head));
  }
  return reports;
}

/**
 * A release reinstalled under another name or namespace: claims the chart creates are named after
 * the release, so the new release gets new, empty ones and the old data stays on the old claims.
 */
function replacedClaims(pairId: string, base: HelmRelease, head: HelmRelease): RuleReport[] {
  const reports: RuleReport[] = [];
  const before = new Map(persistenceBlocks(base).map((block) => [block.label, block]));
  const claims: { where: string; path: ValuePath }[] = [];
  for (const block of persistenceBlocks(head)) {
    if (block.enabled !== true || before.get(block.label)?.enabled !== true) continue;
    if (getIn(head.values.value, [...block.path, "existingClaim"])) continue;
    claims.push({ where: `values.${block.label}`, path: [...block.path, "enabled"] });
  }
  const oldEntries = new Map(appTemplateEntries(base).map((entry) => [entry.name, entry]));
  for (const entry of appTemplateEntries(head)) {
    if (
      !entry.persistent ||
      entry.value.existingClaim !== undefined ||
      !oldEntries.get(entry.name)?.persistent
    )
      continue;
    claims.push({ where: `values.persistence.${entry.name}`, path: ["persistence", entry.name] });
  }
  for (const claim of claims) {
    reports.push({
      messageId: "releaseReplacedNewClaim",
      severity: "medium",
      data: {
        subject: describeSubject(head),
        where: claim.where,
        oldRelease: `${base.namespace}/${base.releaseName}`,
        newRelease: `${head.namespace}/${head.releaseName}`,
      },
      location: locationOf(head, claim.path, "head"),
      subject: pairId,
      evidence: { path: claim.where, before: base.releaseName, after: head.releaseName },
    });
  }
  return reports;
}

function blockReports(pairId: string, base: HelmRelease, head: HelmRelease): RuleReport[] {
  const reports: RuleReport[] = [];
  const before = new Map(persistenceBlocks(base).map((block) => [block.label, block]));
  for (const block of persistenceBlocks(head)) {
    const old = before.get(block.label);
    // A claim only exists (and can be resized or rejected) while persistence stays on.
    if (!old || old.enabled !== true || block.enabled !== true) continue;
    reports.push(
      ...fieldReports(
        pairId,
        head,
        `values.${block.label}`,
        {
          size: ["size"],
          storageClass: [["storageClass"], ["storageClassName"]],
          accessModes: [["accessMode"], ["accessModes"]],
        },
        getIn(base.values.value, old.path),
        getIn(head.values.value, block.path),
        block.path,
      ),
    );
  }
  return reports;
}

function entryReports(pairId: string, base: HelmRelease, head: HelmRelease): RuleReport[] {
  const reports: RuleReport[] = [];
  const before = new Map(appTemplateEntries(base).map((entry) => [entry.name, entry]));
  for (const entry of appTemplateEntries(head)) {
    const old = before.get(entry.name);
    // An existing claim is managed elsewhere: the entry's size and class are not applied to it.
    if (!old || !old.persistent || !entry.persistent || entry.value.existingClaim !== undefined) continue;
    reports.push(
      ...fieldReports(
        pairId,
        head,
        `values.persistence.${entry.name}`,
        { size: ["size"], storageClass: [["storageClass"]], accessModes: [["accessMode"], ["accessModes"]] },
        old.value,
        entry.value,
        ["persistence", entry.name],
      ),
    );
  }
  return reports;
}

function substitutionReports(context: ReviewContext): RuleReport[] {
  const reports: RuleReport[] = [];
  for (const { pair, base, head } of objectDiffs(context, ["Kustomization"])) {
    if (!base || !head) continue;
    const before = getIn(base.document.value, ["spec", "postBuild", "substitute"]);
    const after = getIn(head.document.value, ["spec", "postBuild", "substitute"]);
    if (!isRecord(before) || !isRecord(after)) continue;
    for (const [name, value] of Object.entries(after)) {
      if (!SIZE_VARIABLE.test(name)) continue;
      const size = sizeChange(before[name], value);
      if (!size) continue;
      reports.push({
        messageId: size.messageId === "sizeReduced" ? "substitutionReduced" : "substitutionIncreased",
        severity: "medium",
        data: {
          subject: describeSubject(head),
          where: `postBuild.substitute.${name}`,
          before: size.before,
          after: size.after,
        },
        location: locationOf(head, ["spec", "postBuild", "substitute", name], "head"),
        subject: pair.id,
        evidence: { path: `spec.postBuild.substitute.${name}`, before: size.before, after: size.after },
      });
    }
  }
  return reports;
}

export const rule: Rule = {
  meta: {
    id: "pvc-changed",
    title: "PersistentVolumeClaim deleted or changed",
    category: "data-loss",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "A PersistentVolumeClaim deleted, its storage class or access modes changed, its size reduced or increased (manifests, values persistence size/storageClass, Flux size substitutions), or a PersistentVolume with reclaim policy Delete.",
  },
  messages: {
    pvcRemoved:
      "{{subject}} ({{summary}}) is deleted from git: the GitOps controller prunes it, and its PersistentVolume and data go with it unless the volume's reclaim policy is Retain. Pods still mounting it stay Pending on restart.",
    pvcReplaced:
      "{{subject}} ({{summary}}) is replaced by {{replacement}}: Kubernetes deletes the old claim (and its data, unless the volume's reclaim policy is Retain) and creates a new, empty one.",
    pvcRemovedKept:
      "{{subject}} ({{summary}}) is removed from git but annotated {{kept}}: the claim and its data stay in the cluster, unmanaged. Check that nothing still expects git to own it.",
    storageClassChanged:
      "{{subject}}: {{where}} changes {{before}} -> {{after}}. A claim's storageClassName is immutable: the apply or Helm upgrade fails, and the only way through is deleting the claim with its data.",
    accessModesChanged:
      "{{subject}}: {{where}} changes {{before}} -> {{after}}. A bound claim's accessModes are immutable: the apply or Helm upgrade fails.",
    sizeReduced:
      "{{subject}}: {{where}} shrinks {{before}} -> {{after}}. Kubernetes never shrinks a claim: the apply or Helm upgrade is rejected.",
    sizeIncreased:
      "{{subject}}: {{where}} grows {{before}} -> {{after}}. This works only if the StorageClass has allowVolumeExpansion: true (otherwise the apply is rejected), some drivers need a pod restart, and it cannot be shrunk back.",
    substitutionIncreased:
      "{{subject}}: {{where}} grows {{before}} -> {{after}}; the claims built from this variable grow with it. This works only if their StorageClass has allowVolumeExpansion: true, and it cannot be shrunk back.",
    substitutionReduced:
      "{{subject}}: {{where}} shrinks {{before}} -> {{after}}; the claims built from this variable would shrink, which Kubernetes rejects: the Kustomization fails to apply.",
    releaseReplacedNewClaim:
      "{{subject}}: the release is reinstalled as {{newRelease}} (was {{oldRelease}}), and {{where}} has the chart create its claim, named after the release: the new release starts on a new, empty claim, while the data (for Traefik, acme.json with every certificate) stays on the old one, deleted with the old release or orphaned if the chart keeps it.",
    newVolumeReclaimDelete:
      "{{subject}} is created with persistentVolumeReclaimPolicy: Delete: deleting its claim deletes the volume and its data.",
    reclaimDeleteSet:
      "{{subject}}: persistentVolumeReclaimPolicy {{before}} -> Delete: from now on, deleting its claim deletes the volume and its data.",
  },
  remediation:
    "Keep claims that hold data (annotate them `kustomize.toolkit.fluxcd.io/prune: disabled` or set the PV's reclaim policy to Retain before removing them from git), and change a claim's class or access modes by migrating the data to a new claim rather than editing it.",
  checklist: [
    "Is the data on this claim backed up or no longer needed, and what is the bound PersistentVolume's reclaim policy (`kubectl get pv`)?",
    "For a storage class or access mode change: how is the data migrated to a new claim, since the field cannot be edited in place?",
    "For a size change: does the StorageClass allow expansion (`allowVolumeExpansion: true`), and does the driver need a pod restart to grow the filesystem?",
    "Does any workload still mount a claim that is deleted here?",
  ],
  evaluate(context) {
    return [...pvcReports(context), ...valuesReports(context), ...substitutionReports(context)];
  },
};
