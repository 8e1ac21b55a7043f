/** What uninstalling a release destroys. */
import { isRecord } from "../model/located.js";
import type { HelmRelease } from "../model/types.js";
import { walkValue, type ValueNode } from "../model/value-walk.js";
import type { PathSegment } from "../parse/types.js";
import { valuesServicesOf } from "./networking.js";

/** Something a release creates whose loss costs more than a redeploy: data, an address, custom resources. */
export interface ReleaseAsset {
  kind: "persistence" | "loadbalancer" | "crds";
  /** Readable fact for messages: `master.persistence (PVC)`, `service (type LoadBalancer)`. */
  text: string;
  /** Values path to point at (on the side the release exists). */
  path: PathSegment[];
}

const PERSISTENCE_KEYS = /^(persistence|persistentVolume|primaryPersistence)$/;
const CRD_FLAG = /^(installCRDs|manageCRDs|createCRDs)$/;

/**
 * What deleting a release takes with it, read from its effective values whatever the chart calls
 * it: PVC-backed persistence (`persistence.enabled`, `master.persistence.enabled`,
 * `server.persistentVolume.enabled`, app-template `persistence.<name>` claims it creates,
 * `volumeClaimTemplates`), LoadBalancer Services (`valuesServicesOf`) and CRDs installed by the
 * chart (`installCRDs`, `crds.enabled`...). Never throws on odd values.
 */
export function releaseAssets(release: HelmRelease | null): ReleaseAsset[] {
  if (!release) return [];
  // One walk, two lists: assets keep the order of a block pass followed by a flag pass.
  const assets: ReleaseAsset[] = [];
  const flags: ReleaseAsset[] = [];
  walkValue(
    release.values.value,
    (node) => {
      if (typeof node.name !== "string") return;
      flagAssets(node.name, node, flags);
      if (!isRecord(node.value) || node.path.some((segment) => typeof segment === "number")) return;
      blockAssets(node.name, node, node.value, assets);
    },
    5,
  );
  assets.push(...flags);
  for (const service of valuesServicesOf(release)) {
    if (service.enabled && service.type === "LoadBalancer")
      assets.push({
        kind: "loadbalancer",
        text: `${service.name} (type LoadBalancer${service.defaulted ? ", chart default" : ""})`,
        path: service.path,
      });
  }
  return assets;
}

/** Persistence and CRD blocks: `persistence: {enabled: true}`, app-template claims, `crds: {enabled: true}`. */
function blockAssets(
  name: string,
  { key, path }: ValueNode,
  block: Record<string, unknown>,
  out: ReleaseAsset[],
): void {
  if (PERSISTENCE_KEYS.test(name)) {
    if (block.enabled === true || block.enabled === "true") {
      const size = typeof block.size === "string" ? `, ${block.size}` : "";
      out.push({ kind: "persistence", text: `${key} (PVC${size})`, path: [...path, "enabled"] });
      return;
    }
    if ("enabled" in block) return;
    // app-template: persistence.<name>.{type, existingClaim, size}; a claim it creates is deleted with it.
    for (const [claim, item] of Object.entries(block)) {
      if (!isRecord(item) || item.enabled === false) continue;
      const creates =
        (item.type === "persistentVolumeClaim" || (item.type === undefined && "size" in item)) &&
        !(typeof item.existingClaim === "string" && item.existingClaim !== "");
      if (creates) out.push({ kind: "persistence", text: `${key}.${claim} (PVC)`, path: [...path, claim] });
    }
    return;
  }
  if (name === "crds" && (block.enabled === true || block.install === true) && block.keep !== true)
    out.push({ kind: "crds", text: `${key} (CRDs installed by the release)`, path });
}

/** Claim templates and CRD switches, wherever they sit (list items included). */
function flagAssets(name: string, { key, path, value }: ValueNode, out: ReleaseAsset[]): void {
  if (name === "volumeClaimTemplates" && Array.isArray(value) && value.length > 0)
    out.push({ kind: "persistence", text: `${key} (PVCs)`, path });
  if (name === "volumeClaimTemplate" && isRecord(value) && Object.keys(value).length > 0)
    out.push({ kind: "persistence", text: `${key} (PVC)`, path });
  if (CRD_FLAG.test(name) && (value === true || value === "true"))
    out.push({ kind: "crds", text: `${key} (CRDs installed by the release)`, path });
}
