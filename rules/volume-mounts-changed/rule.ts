import { describeSubject, editedDiffs, getIn, isRecord, locationOf } from "../../src/engine/rule-kit.js";
import {
  appTemplateEntries,
  entryMounts,
  persistenceBlocks,
  podVolumes,
  renderReleaseName,
  scalarText,
  sourceLabel,
  stableJson,
  volumeSourceOf,
  type VolumeSource,
} from "../../src/k8s/storage.js";
import { podSpecsOf } from "../../src/k8s/workloads.js";
import type { KubeObject, HelmRelease, Rule, RuleReport } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import type { PathSegment, ValuePath } from "../../src/parse/types.js";

/** Values keys that hold volumes or mounts, whatever the chart calls them. */
const VOLUME_KEY = /^(volumes|volumeMounts|(extra|additional)\w*(Volumes|VolumeMounts|Mounts))$/i;
const MAX_DEPTH = 7;

/** One volume as a reviewer thinks of it: where its data comes from and where it is mounted. */
interface VolumeEntry {
  key: string;
  /** Readable origin: `values.volumes[name=x]`, `Deployment pod volume x`. */
  origin: string;
  volume: string;
  source: VolumeSource;
  sourceLabel: string;
  mounts: string[];
  /** Compared between base and head. */
  fingerprint: string;
  valuePath: ValuePath;
}

function pathLabel(path: ValuePath): string {
  return path
    .map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`))
    .join("")
    .slice(1);
}

function objectEntries(object: KubeObject): VolumeEntry[] {
  const entries: VolumeEntry[] = [];
  for (const pod of podSpecsOf(object)) {
    const volumes = podVolumes(object, pod);
    const mounts = new Map<string, { text: string[]; raw: unknown[]; path: ValuePath }>();
    for (const list of ["initContainers", "containers"]) {
      const containers = pod.spec[list];
      if (!Array.isArray(containers)) continue;
      containers.forEach((container, c) => {
        const name = scalarText(getIn(container, ["name"])) ?? String(c);
        const items = getIn(container, ["volumeMounts"]);
        if (!Array.isArray(items)) return;
        items.forEach((mount, m) => {
          const volume = scalarText(getIn(mount, ["name"]));
          if (!volume) return;
          const entry = mounts.get(volume) ?? {
            text: [],
            raw: [],
            path: [...pod.path, list, c, "volumeMounts", m],
          };
          entry.text.push(`${scalarText(getIn(mount, ["mountPath"])) ?? "?"} in ${name}`);
          entry.raw.push({ container: name, list, mount });
          mounts.set(volume, entry);
        });
      });
    }
    const podLabel = pod.path.length > 0 ? pathLabel(pod.path) : "spec";
    for (const name of new Set([...volumes.keys(), ...mounts.keys()])) {
      const volume = volumes.get(name);
      const mount = mounts.get(name);
      const source = volume?.source ?? "other";
      entries.push({
        key: `${podLabel}:${name}`,
        origin: `${podLabel}.volumes[name=${name}]`,
        volume: name,
        source,
        sourceLabel: sourceLabel(source, volume?.ref),
        mounts: mount?.text ?? [],
        fingerprint: stableJson({ volume: volume?.value ?? null, mounts: mount?.raw ?? [] }),
        valuePath: volume && volume.value !== null ? volume.valuePath : (mount?.path ?? pod.path),
      });
    }
  }
  return entries;
}

function listItemKey(item: unknown, index: number): string {
  const name = scalarText(getIn(item, ["name"]));
  if (name) return `name=${name}`;
  const mountPath = scalarText(getIn(item, ["mountPath"]));
  return mountPath ? `mountPath=${mountPath}` : String(index);
}

/** One volume of the values, from its definition and mount items (possibly in sibling lists). */
function valuesEntry(
  release: HelmRelease,
  key: string,
  items: { item: unknown; path: ValuePath }[],
  lists: string[],
): VolumeEntry {
  let source: VolumeSource = "other";
  let ref: string | null = null;
  const mounts: string[] = [];
  for (const { item } of items) {
    const type = scalarText(getIn(item, ["type"]));
    const found =
      type === "configMap" || type === "secret"
        ? { source: type as VolumeSource, ref: scalarText(getIn(item, ["name"])) }
        : volumeSourceOf(item);
    if (found.source !== "other" && source === "other") ({ source, ref } = found);
    const mountPath = scalarText(getIn(item, ["mountPath"]));
    if (mountPath) mounts.push(mountPath);
  }
  const first = items[0]!;
  const name = scalarText(getIn(first.item, ["name"]));
  const parent = first.path.slice(0, -2);
  const volume = renderReleaseName(name ?? mounts[0] ?? key, release.releaseName);
  const where = parent.length > 0 ? `values.${pathLabel(parent)}.` : "values.";
  return {
    key,
    origin: `${where}${lists.length > 1 ? `{${lists.join(",")}}` : lists[0]}${name ? `[name=${volume}]` : ""}`,
    volume,
    source,
    sourceLabel:
      source === "other"
        ? "volume"
        : sourceLabel(source, ref ? renderReleaseName(ref, release.releaseName) : null),
    mounts,
    fingerprint: stableJson(items.map(({ item }) => item)),
    valuePath: first.path,
  };
}

function releaseEntries(release: HelmRelease): VolumeEntry[] {
  const entries: VolumeEntry[] = [];
  const values = release.values.value;
  // Volume and mount lists anywhere in the values (Traefik volumes, extraVolumes + extraVolumeMounts,
  // initContainers). Definitions and mounts written in sibling lists are one volume, grouped by name.
  const visit = (node: unknown, path: PathSegment[], depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i], depth + 1));
      return;
    }
    if (!isRecord(node)) return;
    const groups = new Map<string, { items: { item: unknown; path: ValuePath }[]; lists: Set<string> }>();
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...path, key];
      if (path.length === 0 && key === "persistence") continue;
      if (VOLUME_KEY.test(key) && Array.isArray(child)) {
        child.forEach((item, i) => {
          if (!isRecord(item)) return;
          const group = `${pathLabel(path) || "values"}:${listItemKey(item, i).replace(/^name=/, "")}${
            scalarText(getIn(item, ["name"])) ? "" : `:${key}`
          }`;
          const found = groups.get(group) ?? { items: [], lists: new Set<string>() };
          found.items.push({ item, path: [...childPath, i] });
          found.lists.add(key);
          groups.set(group, found);
        });
      } else {
        visit(child, childPath, depth + 1);
      }
    }
    for (const [key, group] of groups) entries.push(valuesEntry(release, key, group.items, [...group.lists]));
  };
  visit(values, [], 0);
  // app-template: one entry per persistence item.
  for (const entry of appTemplateEntries(release)) {
    entries.push({
      key: `persistence.${entry.name}`,
      origin: `values.persistence.${entry.name}`,
      volume: entry.name,
      source: entry.source,
      sourceLabel: sourceLabel(entry.source, entry.ref),
      mounts: entryMounts(entry).map((mount) => mount.rawMountPath),
      fingerprint: stableJson(entry.value),
      valuePath: ["persistence", entry.name],
    });
  }
  // Persistence blocks: only where they are mounted (on/off and size are other rules' business).
  for (const block of persistenceBlocks(release)) {
    const written = scalarText(getIn(values, [...block.path, block.mountPathKey]));
    if (written === null) continue;
    entries.push({
      key: `${block.label}.${block.mountPathKey}`,
      origin: `values.${block.label}.${block.mountPathKey}`,
      volume: block.name,
      source: block.enabled === true ? "persistentVolumeClaim" : "emptyDir",
      sourceLabel: block.enabled === true ? "persistent volume" : "emptyDir",
      mounts: [written],
      fingerprint: stableJson({
        path: written,
        subPath: getIn(values, [...block.path, "subPath"]) ?? null,
      }),
      valuePath: [...block.path, block.mountPathKey],
    });
  }
  return entries;
}

function entriesOf(subject: Subject | null): VolumeEntry[] {
  if (!subject) return [];
  return subject.type === "release" ? releaseEntries(subject) : objectEntries(subject);
}

function isClaim(source: VolumeSource): boolean {
  return source === "persistentVolumeClaim" || source === "volumeClaimTemplate";
}

function mountsText(entry: VolumeEntry): string {
  return entry.mounts.length > 0 ? entry.mounts.join(", ") : "no mount";
}

export const rule: Rule = {
  meta: {
    id: "volume-mounts-changed",
    title: "Volumes or volume mounts changed",
    category: "data-loss",
    defaultSeverity: "medium",
    appliesTo: ["release", "object"],
    description:
      "Volumes or volumeMounts added, removed or changed on a workload's pod template or in chart values (volumes, extraVolumes, additionalVolumeMounts, app-template persistence entries).",
  },
  messages: {
    added:
      "{{subject}}: new volume {{volume}} ({{source}}) at {{mounts}} ({{origin}}). Whatever the image or another volume had at that path is hidden while it is mounted.",
    removed:
      "{{subject}}: volume {{volume}} ({{source}}, was at {{mounts}}) removed ({{origin}}). Files the app reads or writes there now come from the container's own filesystem: config it expects is missing, and what it writes is lost at restart.",
    changed:
      "{{subject}}: volume {{volume}} changed ({{origin}}): {{sourceBefore}} at {{mountsBefore}} -> {{sourceAfter}} at {{mountsAfter}}. Check that the new path and source still hold what the app expects.",
    claimReplacedByEmptyDir:
      "{{subject}}: volume {{volume}} was {{sourceBefore}} and is now an emptyDir ({{origin}}): the pod starts with an empty {{mountsAfter}} and everything written there is lost at every restart; the claim and its data stay in the cluster, unused.",
  },
  remediation:
    "Check each added, moved or removed mount against what the app reads and writes at that path, and keep data on a claim rather than an emptyDir.",
  checklist: [
    "Does any new mount path hide files the image, the chart or another volume put there (config, certificates, a data directory)?",
    "For removed or moved mounts: does the app's configuration (arguments, config files, env) still point at the old path?",
    "Where do files written at each path end up after a restart: a claim (kept), an emptyDir or the container filesystem (lost)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    // A whole new or deleted workload is another rule's subject; here only changed templates.
    for (const { pair, base, head } of editedDiffs(context)) {
      const before = new Map(entriesOf(base).map((entry) => [entry.key, entry]));
      const after = new Map(entriesOf(head).map((entry) => [entry.key, entry]));
      const subject = describeSubject(head);
      for (const [key, entry] of after) {
        const old = before.get(key);
        if (!old) {
          reports.push({
            messageId: "added",
            data: {
              subject,
              volume: entry.volume,
              source: entry.sourceLabel,
              mounts: mountsText(entry),
              origin: entry.origin,
            },
            location: locationOf(head, entry.valuePath, "head"),
            subject: pair.id,
            evidence: { path: entry.origin, after: `${entry.sourceLabel} at ${mountsText(entry)}` },
          });
        } else if (old.fingerprint !== entry.fingerprint) {
          const emptied = isClaim(old.source) && entry.source === "emptyDir";
          reports.push({
            messageId: emptied ? "claimReplacedByEmptyDir" : "changed",
            severity: emptied ? "high" : "medium",
            data: {
              subject,
              volume: entry.volume,
              origin: entry.origin,
              sourceBefore: old.sourceLabel,
              sourceAfter: entry.sourceLabel,
              mountsBefore: mountsText(old),
              mountsAfter: mountsText(entry),
            },
            location: locationOf(head, entry.valuePath, "head"),
            subject: pair.id,
            evidence: {
              path: entry.origin,
              before: `${old.sourceLabel} at ${mountsText(old)}`,
              after: `${entry.sourceLabel} at ${mountsText(entry)}`,
            },
          });
        }
      }
      for (const [key, entry] of before) {
        if (after.has(key)) continue;
        // A claim that goes away is persistence-disabled's finding (high): not repeated here.
        if (isClaim(entry.source) && !key.endsWith(".path") && !key.endsWith(".mountPath")) continue;
        reports.push({
          messageId: "removed",
          data: {
            subject,
            volume: entry.volume,
            source: entry.sourceLabel,
            mounts: mountsText(entry),
            origin: entry.origin,
          },
          location: locationOf(base, entry.valuePath, "base"),
          subject: pair.id,
          evidence: { path: entry.origin, before: `${entry.sourceLabel} at ${mountsText(entry)}` },
        });
      }
    }
    return reports;
  },
};
