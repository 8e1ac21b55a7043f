import {
  changeLocation,
  describeSubject,
  getIn,
  isRecord,
  listNames,
  locationOf,
  objectDiffs,
  releaseDiffs,
} from "../../src/engine/rule-kit.js";
import { appTemplateEntries, renderReleaseName } from "../../src/k8s/storage.js";
import { podSpecOf } from "../../src/k8s/workloads.js";
import type { HelmRelease, KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

/** Controllers that own pods; changing from one to another deletes the old object and its pods. */
const CONTROLLER_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;

/** bjw-s app-template `controllers.<name>.type`, and the Kubernetes kind each creates. */
const APP_TEMPLATE_TYPES: Record<string, string> = {
  deployment: "Deployment",
  statefulset: "StatefulSet",
  daemonset: "DaemonSet",
  cronjob: "CronJob",
  job: "Job",
};

/** Values keys that select a chart's workload kind (ingress-nginx `controller.kind`, traefik `deployment.kind`). */
const KIND_VALUES: Record<string, string> = {
  deployment: "Deployment",
  statefulset: "StatefulSet",
  daemonset: "DaemonSet",
  both: "Deployment and DaemonSet",
};

/** Keys that mark a `controllers.<name>` map as an app-template controller. */
const CONTROLLER_KEYS = ["containers", "initContainers", "type", "pod", "statefulset", "cronjob", "job"];

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

function namespaceOf(object: KubeObject): string {
  return object.identity.namespace ?? "";
}

/** Claim names a pod template mounts (`volumes[].persistentVolumeClaim.claimName`). */
function mountedClaims(object: KubeObject): string[] {
  const volumes = podSpecOf(object)?.volumes;
  if (!Array.isArray(volumes)) return [];
  return volumes
    .map((volume) => str(getIn(volume, ["persistentVolumeClaim", "claimName"])))
    .filter((claim): claim is string => claim !== null);
}

function templateNames(templates: unknown, nameKey: PathSegment[]): string[] {
  if (!Array.isArray(templates)) return [];
  return templates.map((item) => str(getIn(item, nameKey))).filter((name): name is string => name !== null);
}

/** What happens to the data: new empty claims from volumeClaimTemplates, claims left behind. */
function storageNote(
  beforeKind: string,
  afterKind: string,
  newTemplates: string[],
  oldTemplates: string[],
  dropped: string[],
  owner: string,
): string {
  const notes: string[] = [];
  if (afterKind === "StatefulSet" && newTemplates.length > 0) {
    const example = `${newTemplates[0]}-${owner}-0`;
    notes.push(
      ` Its volumeClaimTemplates (${listNames(newTemplates)}) create new, empty PVCs per pod (${example}, ...): nothing is copied from the volumes the old pods used${
        dropped.length > 0 ? ` (${listNames(dropped)}, no longer mounted)` : ""
      }, so the app starts without its data unless it is restored into them.`,
    );
  } else if (dropped.length > 0) {
    notes.push(` The new pods no longer mount ${listNames(dropped)}: their data is not carried over.`);
  }
  if (beforeKind === "StatefulSet" && afterKind !== "StatefulSet" && oldTemplates.length > 0) {
    notes.push(
      ` The StatefulSet's claims (${listNames(oldTemplates.map((name) => `${name}-${owner}-*`))}) stay behind, unused by the new pods.`,
    );
  }
  return notes.join("");
}

function appTemplateControllers(release: HelmRelease): Map<string, Record<string, unknown>> {
  const result = new Map<string, Record<string, unknown>>();
  const controllers = getIn(release.values.value, ["controllers"]);
  if (!isRecord(controllers)) return result;
  for (const [name, controller] of Object.entries(controllers)) {
    if (isRecord(controller) && CONTROLLER_KEYS.some((key) => key in controller))
      result.set(name, controller);
  }
  return result;
}

function controllerType(controller: Record<string, unknown>): string {
  return (str(controller.type) ?? "deployment").toLowerCase();
}

/** Claims of app-template `persistence` entries on base that head no longer has (same name and claim). */
function droppedClaims(base: HelmRelease, head: HelmRelease): string[] {
  const kept = new Set(
    appTemplateEntries(head)
      .filter((entry) => entry.persistent)
      .map((entry) => `${entry.name}\u0000${entry.ref ?? ""}`),
  );
  return appTemplateEntries(base)
    .filter((entry) => entry.persistent && !kept.has(`${entry.name}\u0000${entry.ref ?? ""}`))
    .map((entry) =>
      entry.ref
        ? `claim ${renderReleaseName(entry.ref, base.releaseName)} (persistence.${entry.name})`
        : `persistence.${entry.name}`,
    );
}

export const rule: Rule = {
  meta: {
    id: "workload-kind-changed",
    title: "Workload changes controller kind",
    category: "availability",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "A workload changes controller kind (a Deployment removed and a StatefulSet/DaemonSet of the same name added, app-template `controllers.<name>.type`, a chart's `kind` value): the old controller and its pods are deleted and new ones created, and volume claims change.",
  },
  messages: {
    objectKindChanged:
      "{{before}} is removed and {{after}} added under the same name: Kubernetes cannot change an object's kind, so the old {{beforeKind}} and its pods are deleted and the {{afterKind}} starts new pods. The workload is down in between unless both run side by side (and then the same Service sends traffic to both).{{storage}}",
    controllerTypeChanged:
      "{{subject}}: controller {{controller}} changes type {{before}} -> {{after}} ({{path}}): the chart stops rendering the {{beforeKind}} and renders a {{afterKind}}, so the old controller and its pods are deleted and new ones created — downtime in between, unless both run side by side.{{storage}}",
    valuesKindChanged:
      "{{subject}}: {{path}} {{before}} -> {{after}}: the chart renders a {{afterKind}} instead of its {{beforeKind}}: Helm creates the new one and deletes the old one with all its pods in the same upgrade, without waiting for the new pods to be ready, so the workload can be down until they are.{{storage}}",
  },
  remediation:
    "Plan the kind change as a migration: run the new controller next to the old one under another name (or accept a maintenance window), move or restore the data into the new claims (or keep `existingClaim` mounts), then remove the old controller in a later change.",
  checklist: [
    "Is downtime between deleting the old pods and starting the new ones acceptable, or should both run side by side first?",
    "Where is the workload's data after the change: do the new pods mount the old claims, or start on new, empty volumes?",
    "Who restores or copies the data, and is there a backup taken before merging?",
    "Do Services, PodDisruptionBudgets, monitors and HPAs still select the new pods (labels can change with the kind)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];

    // Plain manifests: a removed controller and an added one of another kind, same name and namespace.
    const diffs = objectDiffs(context, CONTROLLER_KINDS);
    const removed = diffs.filter((diff) => diff.pair.status === "removed" && diff.base && !diff.head);
    const added = diffs.filter((diff) => diff.pair.status === "added" && diff.head && !diff.base);
    const used = new Set<string>();
    for (const gone of removed) {
      const old = gone.base!;
      const next = added.find(
        ({ head, pair }) =>
          !used.has(pair.id) &&
          head!.identity.name === old.identity.name &&
          namespaceOf(head!) === namespaceOf(old) &&
          head!.identity.kind !== old.identity.kind,
      );
      if (!next) continue;
      used.add(next.pair.id);
      const head = next.head!;
      const beforeKind = old.identity.kind;
      const afterKind = head.identity.kind;
      const newTemplates = templateNames(getIn(head.document.value, ["spec", "volumeClaimTemplates"]), [
        "metadata",
        "name",
      ]);
      const oldTemplates = templateNames(getIn(old.document.value, ["spec", "volumeClaimTemplates"]), [
        "metadata",
        "name",
      ]);
      const stillMounted = new Set(mountedClaims(head));
      const dropped = mountedClaims(old)
        .filter((claim) => !stillMounted.has(claim))
        .map((claim) => `claim ${claim}`);
      reports.push({
        messageId: "objectKindChanged",
        data: {
          before: describeSubject(old),
          after: describeSubject(head),
          beforeKind,
          afterKind,
          storage: storageNote(
            beforeKind,
            afterKind,
            newTemplates,
            oldTemplates,
            dropped,
            head.identity.name,
          ),
        },
        location: locationOf(head, ["kind"], "head"),
        subject: next.pair.id,
        evidence: { path: "kind", before: beforeKind, after: afterKind },
      });
    }

    for (const { pair, base, head, changes } of releaseDiffs(context)) {
      if (!base || !head || changes.length === 0) continue;
      if (pair.status !== "modified" && pair.status !== "replaced") continue;
      const subject = describeSubject(head);

      // bjw-s app-template: controllers.<name>.type, `deployment` when unset.
      const before = appTemplateControllers(base);
      for (const [name, controller] of appTemplateControllers(head)) {
        const old = before.get(name);
        if (!old || old.enabled === false || controller.enabled === false) continue;
        const from = controllerType(old);
        const to = controllerType(controller);
        if (from === to) continue;
        const beforeKind = APP_TEMPLATE_TYPES[from] ?? from;
        const afterKind = APP_TEMPLATE_TYPES[to] ?? to;
        const path: PathSegment[] = ["controllers", name, ...("type" in controller ? ["type"] : [])];
        reports.push({
          messageId: "controllerTypeChanged",
          data: {
            subject,
            controller: name,
            before: "type" in old ? from : `${from} (default)`,
            after: "type" in controller ? to : `${to} (default)`,
            path: `controllers.${name}.type`,
            beforeKind,
            afterKind,
            storage: storageNote(
              beforeKind,
              afterKind,
              templateNames(getIn(controller, ["statefulset", "volumeClaimTemplates"]), ["name"]),
              templateNames(getIn(old, ["statefulset", "volumeClaimTemplates"]), ["name"]),
              droppedClaims(base, head),
              // app-template names a release's only controller (or one named like it) after the release.
              name === head.releaseName || before.size === 1
                ? head.releaseName
                : `${head.releaseName}-${name}`,
            ),
          },
          location: locationOf(head, path, "head"),
          subject: pair.id,
          evidence: { path: `controllers.${name}.type`, before: old.type, after: controller.type },
        });
      }

      // Charts that pick their workload kind from a `kind` value (ingress-nginx, traefik, fluent-bit...).
      for (const change of changes) {
        if (change.op !== "changed" || !/(^|\.)kind$/.test(change.path)) continue;
        if (change.path.startsWith("controllers.")) continue;
        const from = str(change.before)?.toLowerCase();
        const to = str(change.after)?.toLowerCase();
        const beforeKind = from ? KIND_VALUES[from] : undefined;
        const afterKind = to ? KIND_VALUES[to] : undefined;
        if (!beforeKind || !afterKind || beforeKind === afterKind) continue;
        reports.push({
          messageId: "valuesKindChanged",
          data: {
            subject,
            path: change.path,
            before: String(change.before),
            after: String(change.after),
            beforeKind,
            afterKind,
            storage: "",
          },
          location: changeLocation(head, change),
          subject: pair.id,
          evidence: { path: change.path, before: change.before, after: change.after },
        });
      }
    }
    return reports;
  },
};
