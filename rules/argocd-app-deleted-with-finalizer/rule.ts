import { getIn, locationOf, objectDiffs, replacementLocation } from "../../src/engine/rule-kit.js";
import type { KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

const FINALIZER = "resources-finalizer.argocd.argoproj.io";

/** Where an Application's metadata is: the object itself, or an ApplicationSet's template. */
function metadataPath(object: KubeObject): PathSegment[] {
  return object.identity.kind === "ApplicationSet" ? ["spec", "template", "metadata"] : ["metadata"];
}

/** Index and value of the Argo CD resources finalizer (plain, `/foreground` or `/background`), or null. */
function cascadeFinalizer(object: KubeObject | null): { index: number; value: string } | null {
  if (!object) return null;
  const list = getIn(object.document.value, [...metadataPath(object), "finalizers"]);
  if (!Array.isArray(list)) return null;
  const index = list.findIndex(
    (item) => typeof item === "string" && (item === FINALIZER || item.startsWith(`${FINALIZER}/`)),
  );
  return index < 0 ? null : { index, value: list[index] as string };
}

/** `namespace on server` an Application deploys to, for the message. */
function destinationOf(object: KubeObject): string {
  const spec = object.identity.kind === "ApplicationSet" ? ["spec", "template", "spec"] : ["spec"];
  const namespace = getIn(object.document.value, [...spec, "destination", "namespace"]);
  const server =
    getIn(object.document.value, [...spec, "destination", "server"]) ??
    getIn(object.document.value, [...spec, "destination", "name"]);
  const ns = typeof namespace === "string" ? namespace : "(no namespace)";
  return typeof server === "string" ? `${ns} on ${server}` : ns;
}

export const rule: Rule = {
  meta: {
    id: "argocd-app-deleted-with-finalizer",
    title: "Argo CD Application deleted with cascade finalizer",
    category: "gitops",
    defaultSeverity: "high",
    appliesTo: ["object"],
    description:
      "An Argo CD Application (or ApplicationSet template) carrying resources-finalizer.argocd.argoproj.io is deleted or renamed, or gets that finalizer.",
    covers: [{ rule: "release-removed", messageIds: ["removed", "removedAssets"], match: "subject" }],
  },
  messages: {
    appDeleted:
      "{{kind}} {{name}} is {{how}} and carries {{finalizer}}: Argo CD deletes every resource it manages in {{destination}} (Deployments, Services and their LoadBalancers, PVCs, Namespaces it created) before the {{kind}} goes.",
    finalizerAdded:
      "{{kind}} {{name}} gets {{finalizer}}: from now on, deleting or renaming it deletes every resource it manages in {{destination}}, not just the Application object.",
  },
  remediation:
    "Remove the finalizer in its own change and let it sync before deleting or renaming the Application (or delete with `argocd app delete --cascade=false`), and only keep the finalizer on Applications whose resources are meant to die with them.",
  checklist: [
    "Is deleting every resource this Application manages intended, including PVCs, Secrets and Namespaces?",
    "For a rename: will the old Application's cascade delete run before the new one re-creates the resources, and what is down meanwhile?",
    "Are there resources shared with other Applications that the cascade would take with it?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context, ["Application", "ApplicationSet"])) {
      const subject = (head ?? base)!;
      if (subject.identity.group !== "argoproj.io") continue;
      const kind = subject.identity.kind;
      const before = cascadeFinalizer(base);
      const after = cascadeFinalizer(head);
      if (base && before && (pair.status === "removed" || pair.status === "replaced")) {
        // An ApplicationSet that preserves resources on deletion removes its Applications without cascading.
        const preserved =
          kind === "ApplicationSet" &&
          getIn(base.document.value, ["spec", "syncPolicy", "preserveResourcesOnDeletion"]) === true;
        if (preserved) continue;
        reports.push({
          messageId: "appDeleted",
          data: {
            kind,
            name: base.identity.name,
            how: head ? `renamed to ${head.identity.name} (deleted and re-created)` : "deleted",
            finalizer: before.value,
            destination: destinationOf(base),
          },
          severity: "high",
          location: head
            ? replacementLocation(context, pair)
            : locationOf(base, [...metadataPath(base), "finalizers", before.index], "base"),
          subject: pair.id,
          evidence: { path: "metadata.finalizers", before: before.value, after: after?.value },
        });
        continue;
      }
      if (head && after && !before && pair.status !== "added" && pair.status !== "removed") {
        reports.push({
          messageId: "finalizerAdded",
          data: { kind, name: head.identity.name, finalizer: after.value, destination: destinationOf(head) },
          severity: "medium",
          location: locationOf(head, [...metadataPath(head), "finalizers", after.index], "head"),
          subject: pair.id,
          evidence: { path: "metadata.finalizers", after: after.value },
        });
      }
    }
    return reports;
  },
};
