import { describeSubject, editedDiffs, getIn, locationOf } from "../../src/engine/rule-kit.js";
import {
  appTemplateEntries,
  entryMounts,
  persistenceBlocks,
  podVolumes,
  renderReleaseName,
  scalarText,
} from "../../src/k8s/storage.js";
import { podSpecsOf } from "../../src/k8s/workloads.js";
import type { HelmRelease, KubeObject, Rule, RuleReport, SubjectPair } from "../../src/engine/types.js";

/** What the claim holds, for messages: `10Gi ceph-block`, `existing claim grafana-pvc`. */
function claimSummary(config: unknown, releaseName: string): string {
  const claim = scalarText(getIn(config, ["existingClaim"]));
  const parts = [
    claim ? `existing claim ${renderReleaseName(claim, releaseName)}` : null,
    scalarText(getIn(config, ["size"])),
    scalarText(getIn(config, ["storageClass"])) ?? scalarText(getIn(config, ["storageClassName"])),
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : "chart default size and class";
}

/** Names of app-template StatefulSet volumeClaimTemplates on head: a new, empty claim per pod. */
function claimTemplates(release: HelmRelease): Set<string> {
  const names = new Set<string>();
  const controllers = getIn(release.values.value, ["controllers"]);
  if (controllers === null || typeof controllers !== "object") return names;
  for (const controller of Object.values(controllers as Record<string, unknown>)) {
    const templates = getIn(controller, ["statefulset", "volumeClaimTemplates"]);
    if (!Array.isArray(templates)) continue;
    for (const template of templates) {
      const name = scalarText(getIn(template, ["name"]));
      if (name) names.add(name);
    }
  }
  return names;
}

function releaseReports(pair: SubjectPair, base: HelmRelease, head: HelmRelease): RuleReport[] {
  const reports: RuleReport[] = [];
  const subject = describeSubject(head);
  const headBlocks = new Map(persistenceBlocks(head).map((block) => [block.label, block]));
  for (const block of persistenceBlocks(base)) {
    if (block.enabled !== true) continue;
    const now = headBlocks.get(block.label);
    if (now?.enabled === true) continue;
    const written = now ? getIn(head.values.value, [...now.path, "enabled"]) : undefined;
    const config = getIn(base.values.value, block.path);
    reports.push({
      messageId: written === undefined ? "blockRemoved" : "blockDisabled",
      data: {
        subject,
        block: `values.${block.label}`,
        mountPath: block.mountPath ?? "its mount path",
        claim: claimSummary(config, head.releaseName),
        after: String(written),
      },
      location:
        written !== undefined
          ? locationOf(head, [...now!.path, "enabled"], "head")
          : locationOf(base, [...block.path, "enabled"], "base"),
      subject: pair.id,
      evidence: { path: `${block.label}.enabled`, before: true, after: written },
    });
  }
  const headEntries = new Map(appTemplateEntries(head).map((entry) => [entry.name, entry]));
  const templates = claimTemplates(head);
  for (const entry of appTemplateEntries(base)) {
    if (!entry.persistent) continue;
    const now = headEntries.get(entry.name);
    if (now && now.enabled) continue;
    const mounts = entryMounts(entry)
      .map((mount) => mount.rawMountPath)
      .join(", ");
    const data = {
      subject,
      entry: `values.persistence.${entry.name}`,
      claim: claimSummary(entry.value, head.releaseName),
      mounts,
    };
    if (now) {
      reports.push({
        messageId: "entryDisabled",
        data,
        location: locationOf(head, ["persistence", entry.name, "enabled"], "head"),
        subject: pair.id,
        evidence: { path: `persistence.${entry.name}.enabled`, before: true, after: false },
      });
    } else {
      reports.push({
        messageId: templates.has(entry.name) ? "entryReplacedByClaimTemplate" : "entryRemoved",
        data,
        location: locationOf(base, ["persistence", entry.name], "base"),
        subject: pair.id,
        evidence: { path: `persistence.${entry.name}`, before: entry.value },
      });
    }
  }
  return reports;
}

function objectReports(pair: SubjectPair, base: KubeObject, head: KubeObject): RuleReport[] {
  const reports: RuleReport[] = [];
  const headPods = new Map(podSpecsOf(head).map((pod) => [pod.path.join("."), pod]));
  for (const pod of podSpecsOf(base)) {
    const headPod = headPods.get(pod.path.join("."));
    const remaining = headPod ? podVolumes(head, headPod) : new Map();
    for (const volume of podVolumes(base, pod).values()) {
      if (volume.source !== "persistentVolumeClaim" || remaining.has(volume.name)) continue;
      reports.push({
        messageId: "claimVolumeRemoved",
        data: {
          subject: describeSubject(head),
          volume: volume.name,
          claim: volume.ref ?? "(unnamed)",
        },
        location: locationOf(base, volume.valuePath, "base"),
        subject: pair.id,
        evidence: { path: `volumes[name=${volume.name}]`, before: volume.value },
      });
    }
  }
  return reports;
}

export const rule: Rule = {
  meta: {
    id: "persistence-disabled",
    title: "Persistent storage switched off or removed",
    category: "data-loss",
    defaultSeverity: "high",
    appliesTo: ["release", "object"],
    description:
      "persistence.enabled turned off or removed in values, an app-template persistence claim removed, or a PVC-backed volume removed from a workload.",
  },
  messages: {
    blockDisabled:
      "{{subject}}: {{block}}.enabled is now {{after}} (was true; {{claim}}). The pod gets an emptyDir at {{mountPath}} instead of its claim: it starts with no data, everything it writes is lost at every restart, and the old claim stays in the cluster (or is deleted with the release, depending on the chart).",
    blockRemoved:
      "{{subject}}: {{block}}.enabled: true was removed (was {{claim}}): the chart's default applies, which for most charts is off. The pod would get an emptyDir at {{mountPath}} instead of its claim: no data at start, everything written lost at every restart.",
    entryDisabled:
      "{{subject}}: {{entry}} ({{claim}}, mounted at {{mounts}}) is now disabled: the app no longer sees the data on that claim and writes to its own filesystem instead, lost at every restart.",
    entryRemoved:
      "{{subject}}: {{entry}} ({{claim}}, mounted at {{mounts}}) was removed: the app no longer mounts the claim, starts without that data, and what it writes at {{mounts}} is lost at every restart. The claim itself stays unless it is deleted too.",
    entryReplacedByClaimTemplate:
      "{{subject}}: {{entry}} ({{claim}}, mounted at {{mounts}}) was removed and a StatefulSet volumeClaimTemplate of the same name takes its place: the pod gets a new, empty claim; the data on the old claim is not carried over.",
    claimVolumeRemoved:
      "{{subject}}: volume {{volume}} backed by PVC {{claim}} was removed from the pod template: the pods no longer mount it, start without that data, and what they write there is lost at restart. The claim stays in the cluster unless it is deleted too.",
  },
  remediation:
    "Keep persistence enabled (or the claim mounted) unless losing the data is intended; if it is, back the data up first and say so in the PR.",
  checklist: [
    "Is losing the data on this volume intended, and is there a backup or snapshot taken before the change?",
    "After the change, where does the app write: an emptyDir or its own filesystem (lost at restart)?",
    "Is the old claim deleted too (PVC removed, release uninstalled), and what is its PersistentVolume's reclaim policy?",
    "If the data moves to a new claim (StatefulSet volumeClaimTemplates, a renamed claim), how is it copied over?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of editedDiffs(context)) {
      if (base.type === "release" && head.type === "release")
        reports.push(...releaseReports(pair, base, head));
      if (base.type === "object" && head.type === "object") reports.push(...objectReports(pair, base, head));
    }
    return reports;
  },
};
