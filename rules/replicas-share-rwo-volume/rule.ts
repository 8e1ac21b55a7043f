import {
  describeSubject,
  getIn,
  isRecord,
  locationOf,
  objectDiffs,
  releaseDiffs,
} from "../../src/engine/rule-kit.js";
import { podSpecOf } from "../../src/k8s/workloads.js";
import type { HelmRelease, KubeObject, Rule, RuleReport } from "../../src/engine/types.js";

/** Where charts put the replica count of the component that mounts `persistence`. */
const REPLICA_PATHS: readonly (readonly string[])[] = [
  ["deployment", "replicas"],
  ["replicaCount"],
  ["replicas"],
  ["controller", "replicaCount"],
];

/** Access modes that tie a claim to one node (ReadWriteOncePod: to one pod). */
const SINGLE_NODE = new Set(["ReadWriteOnce", "ReadWriteOncePod"]);

function count(value: unknown): number | null {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value);
  return null;
}

interface ValuesRisk {
  replicas: number;
  replicasPath: string[];
  accessModes: string;
}

/**
 * A chart that runs several replicas of one Deployment on a single-node persistent volume:
 * `persistence.enabled` with a ReadWriteOnce access mode (the usual default when none is set).
 */
function valuesRisk(release: HelmRelease | null): ValuesRisk | null {
  if (!release) return null;
  const values = release.values.value;
  const persistence = getIn(values, ["persistence"]);
  if (!isRecord(persistence) || persistence.enabled !== true) return null;
  const kind = getIn(values, ["deployment", "kind"]) ?? getIn(values, ["controller", "kind"]);
  if (kind === "StatefulSet" || kind === "DaemonSet") return null; // one claim per pod, or per node
  const modes = Array.isArray(persistence.accessModes)
    ? persistence.accessModes.filter((mode): mode is string => typeof mode === "string")
    : typeof persistence.accessMode === "string"
      ? [persistence.accessMode]
      : [];
  if (modes.length > 0 && !modes.some((mode) => SINGLE_NODE.has(mode))) return null;
  for (const path of REPLICA_PATHS) {
    const replicas = count(getIn(values, path));
    if (replicas !== null && replicas > 1) {
      return {
        replicas,
        replicasPath: [...path],
        accessModes: modes.length > 0 ? modes.join(", ") : "ReadWriteOnce (not set: the usual chart default)",
      };
    }
  }
  return null;
}

interface ObjectRisk {
  replicas: number;
  claims: string[];
}

/** A Deployment with several replicas mounting claims that this change shows as single-node. */
function objectRisk(object: KubeObject | null, singleNodeClaims: ReadonlySet<string>): ObjectRisk | null {
  if (!object || (object.identity.kind !== "Deployment" && object.identity.kind !== "ReplicaSet"))
    return null;
  const replicas = count(getIn(object.document.value, ["spec", "replicas"])) ?? 1;
  if (replicas <= 1) return null;
  const volumes = getIn(podSpecOf(object), ["volumes"]);
  if (!Array.isArray(volumes)) return null;
  const namespace = object.identity.namespace ?? "";
  const claims = volumes
    .map((volume) => getIn(volume, ["persistentVolumeClaim", "claimName"]))
    .filter(
      (claim): claim is string => typeof claim === "string" && singleNodeClaims.has(`${namespace}/${claim}`),
    );
  return claims.length > 0 ? { replicas, claims } : null;
}

export const rule: Rule = {
  meta: {
    id: "replicas-share-rwo-volume",
    title: "Several replicas share a ReadWriteOnce volume",
    category: "availability",
    defaultSeverity: "medium",
    appliesTo: ["release", "object"],
    description:
      "A change makes more than one replica of a Deployment mount the same ReadWriteOnce persistent volume.",
  },
  messages: {
    values:
      "{{subject}}: {{replicasPath}} is {{replicas}} while persistence mounts one claim ({{accessModes}}). A ReadWriteOnce volume attaches to one node: replicas scheduled on another node hang in ContainerCreating (Multi-Attach error), rolling updates can stall, and the replicas that do start share one copy of the data (two Traefik pods writing one acme.json).",
    object:
      "{{subject}}: {{replicas}} replicas mount the ReadWriteOnce claim(s) {{claims}}. The volume attaches to one node: pods scheduled elsewhere hang in ContainerCreating (Multi-Attach error), rolling updates can stall, and the pods that do start share one copy of the data.",
  },
  remediation:
    "Keep one replica on a ReadWriteOnce volume (with `strategy: Recreate`), or give each replica its own claim (a StatefulSet with volumeClaimTemplates), or move the data to ReadWriteMany storage or a shared store the app supports.",
  checklist: [
    "Can the application run several instances on one copy of this data (locks, a single writer such as Traefik's acme.json)?",
    "Will every replica be scheduled on the node the volume is attached to, or does something spread them (anti-affinity, topology spread)?",
    "Does the rollout strategy let the old pod release the volume before the new one needs it (Recreate, or maxSurge 0)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of releaseDiffs(context)) {
      const risk = valuesRisk(head);
      if (!risk || !head || valuesRisk(base)) continue; // only what this change introduces
      reports.push({
        messageId: "values",
        data: {
          subject: describeSubject(head),
          replicasPath: risk.replicasPath.join("."),
          replicas: risk.replicas,
          accessModes: risk.accessModes,
        },
        location: locationOf(head, risk.replicasPath, "head"),
        subject: pair.id,
        evidence: { path: risk.replicasPath.join("."), after: risk.replicas },
      });
    }

    // Claims whose access mode the change shows: a claim defined elsewhere is not guessed at.
    const singleNode = new Set<string>();
    for (const { head } of objectDiffs(context, ["PersistentVolumeClaim"])) {
      const modes = getIn(head?.document.value, ["spec", "accessModes"]);
      if (head && Array.isArray(modes) && modes.some((mode) => SINGLE_NODE.has(mode as string))) {
        singleNode.add(`${head.identity.namespace ?? ""}/${head.identity.name}`);
      }
    }
    if (singleNode.size === 0) return reports;
    for (const { pair, base, head } of objectDiffs(context, ["Deployment", "ReplicaSet"])) {
      const risk = objectRisk(head, singleNode);
      if (!risk || !head || objectRisk(base, singleNode)) continue;
      reports.push({
        messageId: "object",
        data: { subject: describeSubject(head), replicas: risk.replicas, claims: risk.claims.join(", ") },
        location: locationOf(head, ["spec", "replicas"], "head"),
        subject: pair.id,
        evidence: { path: "spec.replicas", after: risk.replicas },
      });
    }
    return reports;
  },
};
