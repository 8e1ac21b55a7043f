/** What uninstalling a release destroys. */
import { isRecord } from "../../model/located.js";
import type { HelmRelease } from "../../model/types.js";
import type { PathSegment } from "../../parse/types.js";
import { valuesServicesOf } from "./networking.js";
import { walkValue } from "./value-walk.js";

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
  const assets: ReleaseAsset[] = [];
  walkValue(release.values.value, (node) => {
    if (node.path.length > 5 || typeof node.name !== "string" || !isRecord(node.value)) return;
    if (node.path.some((segment) => typeof segment === "number")) return;
    const block = node.value;
    if (PERSISTENCE_KEYS.test(node.name)) {
      if (block.enabled === true || block.enabled === "true") {
        const size = typeof block.size === "string" ? `, ${block.size}` : "";
        assets.push({
          kind: "persistence",
          text: `${node.key} (PVC${size})`,
          path: [...node.path, "enabled"],
        });
        return;
      }
      if ("enabled" in block) return;
      // app-template: persistence.<name>.{type, existingClaim, size}; a claim it creates is deleted with it.
      for (const [name, item] of Object.entries(block)) {
        if (!isRecord(item) || item.enabled === false) continue;
        const creates =
          (item.type === "persistentVolumeClaim" || (item.type === undefined && "size" in item)) &&
          !(typeof item.existingClaim === "string" && item.existingClaim !== "");
        if (creates)
          assets.push({ kind: "persistence", text: `${node.key}.${name} (PVC)`, path: [...node.path, name] });
      }
      return;
    }
    if (node.name === "crds" && (block.enabled === true || block.install === true) && block.keep !== true)
      assets.push({ kind: "crds", text: `${node.key} (CRDs installed by the release)`, path: node.path });
  });
  walkValue(release.values.value, (node) => {
    if (node.path.length > 5 || typeof node.name !== "string") return;
    if (node.name === "volumeClaimTemplates" && Array.isArray(node.value) && node.value.length > 0)
      assets.push({ kind: "persistence", text: `${node.key} (PVCs)`, path: node.path });
    if (node.name === "volumeClaimTemplate" && isRecord(node.value) && Object.keys(node.value).length > 0)
      assets.push({ kind: "persistence", text: `${node.key} (PVC)`, path: node.path });
    if (CRD_FLAG.test(node.name) && (node.value === true || node.value === "true"))
      assets.push({ kind: "crds", text: `${node.key} (CRDs installed by the release)`, path: node.path });
  });
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
