import { describeSubject, locationOf } from "../../src/engine/rule-kit.js";
import {
  isTraefik,
  objectMounts,
  pathRelation,
  releaseMounts,
  sameContainer,
  type Mount,
} from "../../src/k8s/storage.js";
import type { Rule, RuleReport, Severity } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";

/** Sources the kubelet mounts read-only: writes under them fail. */
const READ_ONLY = new Set(["configMap", "secret", "projected", "downwardAPI"]);

interface Conflict {
  mount: Mount;
  persistent: Mount;
  messageId: "samePath" | "samePathAliased" | "insidePersistentPath" | "abovePersistentPath";
}

const SEVERITY: Record<Conflict["messageId"], Severity> = {
  samePath: "critical",
  samePathAliased: "critical",
  insidePersistentPath: "high",
  abovePersistentPath: "low",
};

function mountsOf(subject: Subject | null): Mount[] {
  if (!subject) return [];
  return subject.type === "release" ? releaseMounts(subject) : objectMounts(subject);
}

/** Every mount that sits at, inside or above a persistent volume's path in the same container. */
function conflicts(mounts: Mount[]): Conflict[] {
  const found: Conflict[] = [];
  for (const persistent of mounts.filter((mount) => mount.persistent)) {
    for (const mount of mounts) {
      if (mount === persistent || mount.volume === persistent.volume) continue;
      if (!sameContainer(mount, persistent)) continue;
      const relation = pathRelation(mount.mountPath, persistent.mountPath);
      if (relation === "same") {
        // Two persistent volumes at one path: report it once, from the later mount.
        if (mount.persistent && mounts.indexOf(mount) < mounts.indexOf(persistent)) continue;
        const aliased = mount.rawMountPath !== persistent.rawMountPath;
        found.push({ mount, persistent, messageId: aliased ? "samePathAliased" : "samePath" });
      } else if (relation === "child") {
        // A second claim nested in the first, or a single file laid over it with subPath, is a layout
        // people choose on purpose; a directory from elsewhere hiding part of the data is not.
        if (mount.persistent || mount.subPath) continue;
        found.push({ mount, persistent, messageId: "insidePersistentPath" });
      } else if (relation === "parent" && !mount.persistent) {
        found.push({ mount, persistent, messageId: "abovePersistentPath" });
      }
    }
  }
  return found;
}

function conflictKey(conflict: Conflict): string {
  const { mount, persistent } = conflict;
  return [
    mount.scope,
    mount.volume,
    mount.mountPath,
    persistent.volume,
    persistent.mountPath,
    conflict.messageId,
  ].join("\u0000");
}

function containerLabel(subject: Subject, mount: Mount): string {
  if (subject.type === "object") return mount.scope.replace(/^\w+\[name=(.*)\]$/, "$1");
  if (mount.scope === "values") return isTraefik(subject) ? "traefik" : "chart's main";
  return mount.scope;
}

function writeFate(mount: Mount): string {
  if (READ_ONLY.has(mount.source)) return `fails: the ${mount.sourceLabel} is mounted read-only`;
  if (mount.source === "emptyDir") return "lands on an emptyDir and is lost with the pod";
  return `lands on the ${mount.sourceLabel} instead`;
}

export const rule: Rule = {
  meta: {
    id: "volume-shadows-persistence",
    title: "A volume is mounted over the persistent data",
    category: "data-loss",
    defaultSeverity: "critical",
    appliesTo: ["release", "object"],
    description:
      "A volume mounted at a persistent volume's path (persistence.path, a PVC mount), or inside it, in the same container, while persistence is enabled.",
  },
  messages: {
    samePath:
      "{{subject}}: {{origin}} mounts {{source}} at {{mountPath}}, the path where the persistent volume {{persistentVolume}} ({{persistentSource}}) is mounted by {{persistentOrigin}}. Two volumes at one path in the {{container}} container: the API server rejects the pod template (volumeMounts mountPath must be unique), so the upgrade fails and, on a fresh install, nothing runs. Had it been accepted, the {{source}} would hide everything stored on the persistent volume ({{stored}}).",
    samePathAliased:
      "{{subject}}: {{origin}} mounts {{source}} at {{mountPath}}, which is {{persistentPath}} written differently: the path where the persistent volume {{persistentVolume}} ({{persistentSource}}) is mounted by {{persistentOrigin}}. The API server accepts the different spelling, and the {{source}} hides everything stored on the persistent volume in the {{container}} container ({{stored}}): the app starts as if it had no data, and what it writes {{writeFate}}.",
    insidePersistentPath:
      "{{subject}}: {{origin}} mounts {{source}} at {{mountPath}}, inside {{persistentPath}} where the persistent volume {{persistentVolume}} ({{persistentSource}}) is mounted by {{persistentOrigin}}. In the {{container}} container, what the persistent volume stores under {{mountPath}} is hidden while this mount exists, and what the app writes there {{writeFate}}.",
    abovePersistentPath:
      "{{subject}}: {{origin}} mounts {{source}} at {{mountPath}}, above {{persistentPath}} where the persistent volume {{persistentVolume}} is mounted by {{persistentOrigin}}. The persistent volume stays mounted on top (nested mounts are set up after their parents), so its data stays visible; files the app keeps elsewhere under {{mountPath}} now come from the {{source}}.",
  },
  remediation:
    "Mount the new volume at a path of its own that is neither the persistent path nor inside it (for Traefik's file provider: `mountPath: /config` with `--providers.file.directory=/config`), and keep persistence.path only for the persistent volume.",
  checklist: [
    "Which files live on the persistent volume today (acme.json, a database, uploads), and will the container still see them after this change?",
    "Does the rendered pod template have two volumeMounts at the same mountPath in one container (`helm template ... | grep -n mountPath`)? The API server rejects it and the upgrade fails.",
    "Does any argument or config file point at the shadowed path (e.g. `--providers.file.directory=/data` next to `storage: /data/acme.json`)?",
    "If the upgrade fails, what do the controller's remediation settings do (retries, rollback, uninstall), and who watches it?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of context.diffs) {
      const { base, head } = diff.pair;
      if (!head) continue;
      // Only conflicts this change introduces: one already on the base branch is not this PR's doing.
      const before = new Set(conflicts(mountsOf(base)).map(conflictKey));
      for (const conflict of conflicts(mountsOf(head))) {
        if (before.has(conflictKey(conflict))) continue;
        const { mount, persistent } = conflict;
        reports.push({
          messageId: conflict.messageId,
          severity: SEVERITY[conflict.messageId],
          data: {
            subject: describeSubject(head),
            origin: mount.origin,
            source: `${mount.sourceLabel}${mount.sourceLabel.includes(mount.volume) ? "" : ` (volume ${mount.volume})`}`,
            mountPath: mount.rawMountPath,
            persistentVolume: persistent.volume,
            persistentSource: persistent.sourceLabel,
            persistentOrigin: persistent.origin,
            persistentPath: persistent.rawMountPath,
            container: containerLabel(head, mount),
            writeFate: writeFate(mount),
            stored:
              head.type === "release" && isTraefik(head)
                ? "acme.json: the ACME account and certificates"
                : "the app's data",
          },
          location: locationOf(head, mount.valuePath, "head"),
          subject: diff.pair.id,
          evidence: { path: mount.origin, after: mount.rawMountPath },
        });
      }
    }
    return reports;
  },
};
