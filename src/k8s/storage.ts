/**
 * Storage: where a subject mounts its volumes and which of them keep data.
 *
 * One reading of the many shapes a volume takes in GitOps repos:
 * - plain manifests: every pod spec of a workload (and of custom resources embedding one, like the
 *   Grafana operator's `spec.deployment.spec.template.spec`), with `volumes`, the containers'
 *   `volumeMounts` and a StatefulSet's `volumeClaimTemplates`;
 * - chart values with a persistence block (`persistence.{enabled,name,path|mountPath,...}`, also
 *   nested: `primary.persistence`, `server.persistentVolume`) and the mounts written beside it in the
 *   same container: Traefik `volumes: [{name, mountPath, type}]`, `additionalVolumeMounts` with
 *   `deployment.additionalVolumes`, generic `extraVolumeMounts` with `extraVolumes`;
 * - bjw-s app-template values: `persistence.<name>` entries with `type`, `existingClaim`,
 *   `globalMounts` and `advancedMounts`.
 * Everything here is pure and tolerant: values of unexpected types are skipped, never thrown on.
 */
import { getIn, isRecord } from "../model/located.js";
import type { HelmRelease, KubeObject } from "../model/types.js";
import type { PathSegment, ValuePath } from "../parse/types.js";
import { podSpecsOf, type PodSpecAt } from "./workloads.js";

/** Where a volume's data lives. */
export type VolumeSource =
  | "persistentVolumeClaim"
  | "volumeClaimTemplate"
  | "emptyDir"
  | "configMap"
  | "secret"
  | "projected"
  | "downwardAPI"
  | "hostPath"
  | "nfs"
  | "ephemeral"
  | "image"
  | "other";

/** One volume mounted into one container (or every container of a scope). */
export interface Mount {
  /** Which container(s): `Deployment/x containers[name=app]`, a values prefix, or an app-template scope. */
  scope: string;
  /** app-template global mounts apply to every container: they conflict with any scope of the release. */
  global: boolean;
  volume: string;
  /** Normalised (`/data/` and `/data` are one path). */
  mountPath: string;
  /** As written. */
  rawMountPath: string;
  subPath: string | null;
  source: VolumeSource;
  /** `PVC traefik`, `ConfigMap traefik-dynamic-config`, `emptyDir`. */
  sourceLabel: string;
  /** True when the data outlives the pod (a claim, an enabled persistence block). */
  persistent: boolean;
  /** Path of the mount's `mountPath` (or its entry) inside the subject's value. */
  valuePath: ValuePath;
  /** Readable origin for messages: `values.volumes[0]`, `containers[name=traefik].volumeMounts`. */
  origin: string;
}

/** A Traefik/bitnami-style persistence block. */
export interface PersistenceBlock {
  /** Path of the block in the values (`["persistence"]`, `["primary", "persistence"]`). */
  path: ValuePath;
  /** Readable form: `persistence`, `primary.persistence`. */
  label: string;
  enabled: boolean | null;
  name: string;
  mountPath: string | null;
  /** Key the mount path is written under (`path` or `mountPath`). */
  mountPathKey: string;
}

const SOURCE_KEYS: readonly VolumeSource[] = [
  "persistentVolumeClaim",
  "emptyDir",
  "configMap",
  "secret",
  "projected",
  "downwardAPI",
  "hostPath",
  "nfs",
  "ephemeral",
  "image",
];

const SOURCE_LABEL: Record<VolumeSource, string> = {
  persistentVolumeClaim: "PVC",
  volumeClaimTemplate: "StatefulSet volumeClaimTemplate",
  emptyDir: "emptyDir",
  configMap: "ConfigMap",
  secret: "Secret",
  projected: "projected volume",
  downwardAPI: "downwardAPI volume",
  hostPath: "hostPath",
  nfs: "NFS",
  ephemeral: "ephemeral volume",
  image: "image volume",
  other: "volume",
};

/** Human label of a source, with the object it refers to when known. */
export function sourceLabel(source: VolumeSource, ref?: string | null): string {
  return ref ? `${SOURCE_LABEL[source]} ${ref}` : SOURCE_LABEL[source];
}

/** `/data/`, `//data`, `/data/.` -> `/data`; relative paths stay relative. */
export function normalizeMountPath(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0) parts.pop();
    else parts.push(part);
  }
  return (absolute ? "/" : "") + parts.join("/");
}

export type PathRelation = "same" | "child" | "parent";

/** How `path` sits relative to `other`: the same directory, inside it (child), or above it (parent). */
export function pathRelation(path: string, other: string): PathRelation | null {
  const a = normalizeMountPath(path);
  const b = normalizeMountPath(other);
  if (a === b) return "same";
  if (b === "/" || a.startsWith(`${b}/`)) return "child";
  if (a === "/" || b.startsWith(`${a}/`)) return "parent";
  return null;
}

/** A string or number value as text (YAML reads `size: 10` and `name: 1` as numbers), else null. */
export function scalarText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return null;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Source of a Kubernetes `volumes[]` item (or an app-template `volumeSpec`). */
export function volumeSourceOf(volume: unknown): { source: VolumeSource; ref: string | null } {
  if (!isRecord(volume)) return { source: "other", ref: null };
  for (const key of SOURCE_KEYS) {
    if (!(key in volume)) continue;
    const spec = volume[key];
    const ref =
      key === "persistentVolumeClaim"
        ? scalarText(getIn(spec, ["claimName"]))
        : key === "configMap"
          ? scalarText(getIn(spec, ["name"]))
          : key === "secret"
            ? scalarText(getIn(spec, ["secretName"]))
            : key === "hostPath"
              ? scalarText(getIn(spec, ["path"]))
              : key === "nfs"
                ? [scalarText(getIn(spec, ["server"])), scalarText(getIn(spec, ["path"]))]
                    .filter(Boolean)
                    .join(":") || null
                : null;
    return { source: key, ref };
  }
  return { source: "other", ref: null };
}

function isPersistentSource(source: VolumeSource): boolean {
  return source === "persistentVolumeClaim" || source === "volumeClaimTemplate";
}

// ---------------------------------------------------------------------------------------------
// Plain manifests

/** Names of a StatefulSet's volumeClaimTemplates: volumes backed by one claim per replica. */
function claimTemplateNames(object: KubeObject): Set<string> {
  const names = new Set<string>();
  if (object.identity.kind !== "StatefulSet") return names;
  for (const template of asList(getIn(object.document.value, ["spec", "volumeClaimTemplates"]))) {
    const name = scalarText(getIn(template, ["metadata", "name"]));
    if (name) names.add(name);
  }
  return names;
}

export interface PodVolume {
  name: string;
  source: VolumeSource;
  ref: string | null;
  /** Path of the `volumes[]` item in the document. */
  valuePath: ValuePath;
  value: unknown;
}

/** The `volumes` of a pod spec by name, with the StatefulSet's claim templates. */
export function podVolumes(object: KubeObject, pod: PodSpecAt): Map<string, PodVolume> {
  const volumes = new Map<string, PodVolume>();
  for (const name of claimTemplateNames(object)) {
    volumes.set(name, {
      name,
      source: "volumeClaimTemplate",
      ref: name,
      valuePath: ["spec", "volumeClaimTemplates"],
      value: null,
    });
  }
  asList(pod.spec.volumes).forEach((volume, i) => {
    const name = scalarText(getIn(volume, ["name"]));
    if (!name) return;
    const { source, ref } = volumeSourceOf(volume);
    volumes.set(name, { name, source, ref, valuePath: [...pod.path, "volumes", i], value: volume });
  });
  return volumes;
}

/** Every container mount of an object's pod specs (init containers with `includeInit`). */
export function objectMounts(object: KubeObject | null, includeInit = false): Mount[] {
  if (!object) return [];
  const mounts: Mount[] = [];
  for (const pod of podSpecsOf(object)) {
    const volumes = podVolumes(object, pod);
    const lists = includeInit ? (["initContainers", "containers"] as const) : (["containers"] as const);
    for (const list of lists) {
      asList(pod.spec[list]).forEach((container, c) => {
        const containerName = scalarText(getIn(container, ["name"])) ?? String(c);
        asList(getIn(container, ["volumeMounts"])).forEach((mount, m) => {
          const volume = scalarText(getIn(mount, ["name"]));
          const rawMountPath = scalarText(getIn(mount, ["mountPath"]));
          if (!volume || !rawMountPath) return;
          const found = volumes.get(volume);
          const source = found?.source ?? "other";
          mounts.push({
            scope: `${list}[name=${containerName}]`,
            global: false,
            volume,
            mountPath: normalizeMountPath(rawMountPath),
            rawMountPath,
            subPath: scalarText(getIn(mount, ["subPath"])) || null,
            source,
            sourceLabel: sourceLabel(source, found?.ref),
            persistent: isPersistentSource(source),
            valuePath: [...pod.path, list, c, "volumeMounts", m, "mountPath"],
            origin: `${list}[name=${containerName}].volumeMounts`,
          });
        });
      });
    }
  }
  return mounts;
}

// ---------------------------------------------------------------------------------------------
// Chart values

const BLOCK_KEYS = ["persistence", "persistentVolume"] as const;
const BLOCK_SCALARS = ["enabled", "path", "mountPath", "size", "accessMode", "storageClass", "existingClaim"];

/** Whether `persistence` is a single block (Traefik, bitnami) rather than app-template entries. */
function isBlock(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  return BLOCK_SCALARS.some((key) => key in value && !isRecord(value[key]));
}

function label(path: ValuePath): string {
  return path.map(String).join(".");
}

/** Persistence blocks of the values: at the top level and up to two levels down (`primary.persistence`). */
export function persistenceBlocks(release: HelmRelease | null): PersistenceBlock[] {
  if (!release) return [];
  const blocks: PersistenceBlock[] = [];
  const traefik = isTraefik(release);
  const visit = (node: unknown, prefix: PathSegment[], depth: number): void => {
    if (!isRecord(node) || depth > 2) return;
    for (const [key, value] of Object.entries(node)) {
      if ((BLOCK_KEYS as readonly string[]).includes(key) && isBlock(value)) {
        const path = [...prefix, key];
        const enabled = typeof value.enabled === "boolean" ? value.enabled : null;
        const mountPathKey = "path" in value || !("mountPath" in value) ? "path" : "mountPath";
        const written = scalarText(value[mountPathKey]);
        // Traefik renders its data volume at /data when no path is written.
        const mountPath = written ?? (traefik && prefix.length === 0 ? "/data" : null);
        const name = scalarText(value.name) ?? "data";
        blocks.push({ path, label: label(path), enabled, name, mountPath, mountPathKey });
      } else if (isRecord(value) && !(BLOCK_KEYS as readonly string[]).includes(key)) {
        visit(value, [...prefix, key], depth + 1);
      }
    }
  };
  visit(release.values.value, [], 0);
  // Traefik always mounts its data volume: an emptyDir at /data unless persistence is enabled.
  if (traefik && !blocks.some((block) => block.path.length === 1)) {
    blocks.push({
      path: ["persistence"],
      label: "persistence",
      enabled: null,
      name: "data",
      mountPath: "/data",
      mountPathKey: "path",
    });
  }
  return blocks;
}

export function isTraefik(release: HelmRelease): boolean {
  return /traefik/i.test(release.chart.name ?? "") || /traefik/i.test(release.releaseName);
}

/** Lists in values that hold volume definitions for the main container's mounts. */
const DEFINITION_LISTS: readonly ValuePath[] = [
  ["deployment", "additionalVolumes"],
  ["additionalVolumes"],
  ["extraVolumes"],
  ["volumes"],
];
/** Lists in values that mount volumes into the main container. */
const MOUNT_LISTS = ["volumes", "additionalVolumeMounts", "extraVolumeMounts", "volumeMounts"];

/** Source of a volume a values mount list refers to by name, looked up in the definition lists. */
function definitionSource(scope: unknown, name: string): { source: VolumeSource; ref: string | null } {
  for (const list of DEFINITION_LISTS) {
    for (const item of asList(getIn(scope, list))) {
      if (scalarText(getIn(item, ["name"])) === name && !("mountPath" in (item as object))) {
        return volumeSourceOf(item);
      }
    }
  }
  return { source: "other", ref: null };
}

/**
 * Mounts of the values' persistence blocks and of the mount lists beside them (the chart renders
 * them into the same container). The block's own mount is persistent when `enabled: true`.
 */
export function blockMounts(release: HelmRelease | null): Mount[] {
  if (!release) return [];
  const values = release.values.value;
  const mounts: Mount[] = [];
  for (const block of persistenceBlocks(release)) {
    const prefix = block.path.slice(0, -1);
    const scope = prefix.length > 0 ? label(prefix) : "values";
    if (block.mountPath) {
      const persistent = block.enabled === true;
      const claim = scalarText(getIn(values, [...block.path, "existingClaim"]));
      mounts.push({
        scope,
        global: false,
        volume: block.name,
        mountPath: normalizeMountPath(block.mountPath),
        rawMountPath: block.mountPath,
        subPath: scalarText(getIn(values, [...block.path, "subPath"])) || null,
        source: persistent ? "persistentVolumeClaim" : "emptyDir",
        sourceLabel: persistent
          ? sourceLabel("persistentVolumeClaim", claim ?? "created by the chart")
          : "emptyDir",
        persistent,
        valuePath: [...block.path, block.mountPathKey],
        origin: `values.${block.label}.${block.mountPathKey}`,
      });
    }
    const scopeValue = prefix.length > 0 ? getIn(values, prefix) : values;
    for (const list of MOUNT_LISTS) {
      asList(getIn(scopeValue, [list])).forEach((item, i) => {
        const volume = scalarText(getIn(item, ["name"]));
        const rawMountPath = scalarText(getIn(item, ["mountPath"]));
        if (!volume || !rawMountPath) return;
        // Traefik's `volumes: [{name, mountPath, type}]` names a ConfigMap or Secret directly.
        const type = scalarText(getIn(item, ["type"]));
        const found =
          type === "configMap" || type === "secret"
            ? { source: type as VolumeSource, ref: renderReleaseName(volume, release.releaseName) }
            : isRecord(item) && SOURCE_KEYS.some((key) => key in item)
              ? volumeSourceOf(item)
              : definitionSource(scopeValue, volume);
        mounts.push({
          scope,
          global: false,
          volume,
          mountPath: normalizeMountPath(rawMountPath),
          rawMountPath,
          subPath: scalarText(getIn(item, ["subPath"])) || null,
          source: found.source,
          sourceLabel: sourceLabel(found.source, found.ref),
          persistent: isPersistentSource(found.source),
          valuePath: [...prefix, list, i, "mountPath"],
          origin: `values.${label([...prefix, list])}[${i}]`,
        });
      });
    }
  }
  return mounts;
}

/**
 * Renders the two Helm templates people write in volume names (`{{ .Release.Name }}` and
 * `{{ printf "%s-x" .Release.Name }}`), so messages name the object the chart creates.
 */
export function renderReleaseName(text: string, releaseName: string): string {
  return text
    .replace(/\{\{-?\s*\.Release\.Name\s*-?\}\}/g, releaseName)
    .replace(/\{\{-?\s*printf\s+"([^"]*)"\s+\.Release\.Name\s*-?\}\}/g, (_whole, format: string) =>
      format.replace("%s", releaseName),
    );
}

/** One bjw-s app-template `persistence.<name>` entry. */
export interface AppTemplateEntry {
  name: string;
  value: Record<string, unknown>;
  source: VolumeSource;
  ref: string | null;
  persistent: boolean;
  enabled: boolean;
}

const ENTRY_KEYS = [
  "type",
  "existingClaim",
  "globalMounts",
  "advancedMounts",
  "volumeSpec",
  "storageClass",
  "size",
  "accessMode",
  "server",
  "hostPath",
  "suffix",
  "dataSource",
];

/** app-template `persistence.<name>` entries (empty when `persistence` is a single block). */
export function appTemplateEntries(release: HelmRelease | null): AppTemplateEntry[] {
  const persistence = release ? getIn(release.values.value, ["persistence"]) : null;
  if (!isRecord(persistence) || isBlock(persistence)) return [];
  const entries: AppTemplateEntry[] = [];
  for (const [name, value] of Object.entries(persistence)) {
    if (!isRecord(value) || !ENTRY_KEYS.some((key) => key in value)) continue;
    entries.push(describeEntry(name, value));
  }
  return entries;
}

export function describeEntry(name: string, value: Record<string, unknown>): AppTemplateEntry {
  const type = scalarText(value.type) ?? "persistentVolumeClaim";
  let source: VolumeSource;
  let ref: string | null = null;
  if (type === "custom") {
    ({ source, ref } = volumeSourceOf(value.volumeSpec));
  } else if (type === "persistentVolumeClaim" || type === "pvc") {
    source = "persistentVolumeClaim";
    ref = scalarText(value.existingClaim);
  } else if ((SOURCE_KEYS as readonly string[]).includes(type)) {
    source = type as VolumeSource;
    ref = scalarText(value.name) ?? scalarText(value.path);
    if (type === "nfs")
      ref = [scalarText(value.server), scalarText(value.path)].filter(Boolean).join(":") || null;
  } else {
    source = "other";
  }
  const enabled = value.enabled !== false;
  return { name, value, source, ref, persistent: enabled && isPersistentSource(source), enabled };
}

/** Where an app-template entry is mounted: globalMounts, advancedMounts, or `/<name>` by default. */
export function entryMounts(entry: AppTemplateEntry): Mount[] {
  if (!entry.enabled) return [];
  const base = ["persistence", entry.name];
  const mounts: Mount[] = [];
  const make = (scope: string, global: boolean, item: unknown, path: ValuePath, origin: string): void => {
    const rawMountPath = scalarText(getIn(item, ["path"])) ?? `/${entry.name}`;
    mounts.push({
      scope,
      global,
      volume: entry.name,
      mountPath: normalizeMountPath(rawMountPath),
      rawMountPath,
      subPath: scalarText(getIn(item, ["subPath"])) || null,
      source: entry.source,
      sourceLabel: sourceLabel(entry.source, entry.ref),
      persistent: entry.persistent,
      valuePath: path,
      origin,
    });
  };
  const global = entry.value.globalMounts;
  const advanced = entry.value.advancedMounts;
  asList(global).forEach((item, i) =>
    make(
      "all containers",
      true,
      item,
      [...base, "globalMounts", i, "path"],
      `values.persistence.${entry.name}.globalMounts`,
    ),
  );
  if (isRecord(advanced)) {
    for (const [controller, containers] of Object.entries(advanced)) {
      if (!isRecord(containers)) continue;
      for (const [container, items] of Object.entries(containers)) {
        asList(items).forEach((item, i) =>
          make(
            `${controller}/${container}`,
            false,
            item,
            [...base, "advancedMounts", controller, container, i, "path"],
            `values.persistence.${entry.name}.advancedMounts.${controller}.${container}`,
          ),
        );
      }
    }
  }
  if (global === undefined && advanced === undefined)
    make("all containers", true, {}, base, `values.persistence.${entry.name}`);
  return mounts;
}

/** Every mount a release's values declare, whatever the chart calls them. */
export function releaseMounts(release: HelmRelease | null): Mount[] {
  return [...blockMounts(release), ...appTemplateEntries(release).flatMap(entryMounts)];
}

/** Whether two mounts land in the same container. */
export function sameContainer(a: Mount, b: Mount): boolean {
  return a.scope === b.scope || a.global || b.global;
}

/** Kubernetes quantity to a number of bytes (`5Gi`, `500M`, `1.5Ti`), or null. */
export function quantityBytes(value: unknown): number | null {
  const text = scalarText(value)?.trim();
  if (!text) return null;
  const match = /^([0-9]+(?:\.[0-9]+)?)([KMGTPE]i|[kKMGTPE])?$/.exec(text);
  if (!match) return null;
  const factors: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  return Number(match[1]) * (match[2] ? factors[match[2]]! : 1);
}

/** Order-independent JSON, to compare two values for equality. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}
