import { describeSubject, getIn, listNames, locationOf, releaseDiffs } from "../../src/engine/rule-kit.js";
import { deletionProtection } from "../../src/k8s/deletion.js";
import { routedHostsOf } from "../../src/k8s/networking.js";
import { releaseAssets } from "../../src/k8s/release-assets.js";
import type { HelmRelease, ReviewContext, Rule, RuleReport } from "../../src/engine/types.js";

const FINALIZER = "resources-finalizer.argocd.argoproj.io";

/** The manifest (HelmRelease, Application) that declared the release on base, when it is in the change set. */
function declaringObject(context: ReviewContext, release: HelmRelease) {
  if (!release.declaredBy) return null;
  for (const pair of context.pairs) {
    const base = pair.base;
    if (base?.type === "object" && base.id === release.declaredBy) return { pair, object: base };
  }
  return null;
}

function hasCascadeFinalizer(value: unknown): boolean {
  const finalizers = getIn(value, ["metadata", "finalizers"]);
  return (
    Array.isArray(finalizers) &&
    finalizers.some((item) => typeof item === "string" && item.startsWith(FINALIZER))
  );
}

export const rule: Rule = {
  meta: {
    id: "release-removed",
    title: "Helm release removed",
    category: "availability",
    defaultSeverity: "medium",
    appliesTo: ["release"],
    description:
      "A Helm release (Flux HelmRelease, Argo CD Application with a Helm source, helmfile release) is deleted: uninstalling it deletes everything it created; high when its values show persistence, a LoadBalancer Service or CRDs.",
  },
  messages: {
    removed:
      "{{release}} is removed: {{tool}} uninstalls it, deleting every object the chart created (Deployments, Services, ConfigMaps, Secrets, RBAC, Ingresses or routes){{hosts}}. Anything that still calls its Services or depends on it breaks.",
    removedAssets:
      "{{release}} is removed: {{tool}} uninstalls it, deleting every object the chart created, including {{assets}}. Persistent volumes claimed by the release are deleted with their data (unless the chart marks them `helm.sh/resource-policy: keep`), a LoadBalancer's external IP is released, and CRDs go with every custom resource of them.",
    removedCovered:
      "{{release}} is removed: {{tool}} uninstalls it and everything it created. The main risk is reported by `{{coveredBy}}` for the same release; this finding only records the uninstall.",
    removedKept:
      "{{release}} is removed from git, but {{protection}} on its manifest keeps the release installed: it keeps running, unmanaged, and nothing upgrades it any more.",
    argoOrphaned:
      "{{release}} is removed. Its Application has no `resources-finalizer.argocd.argoproj.io`, so Argo CD deletes only the Application: the chart's objects keep running, unmanaged and never updated, until someone deletes them by hand.",
    helmfileOrphaned:
      "{{release}} is removed from the helmfile. helmfile does not uninstall releases that disappear from its state: the release keeps running, unmanaged. To uninstall it, keep the entry with `installed: false` for one apply{{assetsNote}}.",
  },
  remediation:
    "Before deleting a release, move or back up what it owns (PVC data, a pinned LoadBalancer IP, custom resources of its CRDs) and check nothing still depends on its Services; to keep data, mark the PVCs `helm.sh/resource-policy: keep` first.",
  checklist: [
    "Is removing this release intended, and is nothing else (Ingresses, apps, Kustomization dependsOn) still using it?",
    "Which PVCs, LoadBalancer IPs and CRDs does it own, and are their data and addresses backed up or moved?",
    "Does another release take over its job, and is it installed before this one goes?",
  ],
  evaluate(context) {
    const removed = releaseDiffs(context).filter(
      (diff) => diff.pair.status === "removed" && diff.base && !diff.head && diff.base.origin !== "chart",
    );
    if (removed.length === 0) return [];
    const reports: RuleReport[] = [];
    for (const { pair, base } of removed) {
      const release = base!;
      const declared = declaringObject(context, release);
      const location = locationOf(release, [], "base");
      const assets = releaseAssets(release);
      const hosts = routedHostsOf(release).map((host) => host.host);
      const name = describeSubject(release);
      const evidence = {
        path: "release",
        before: `${release.namespace ? `${release.namespace}/` : ""}${release.releaseName} (chart ${release.chart.name ?? "?"})`,
      };
      const tool = release.origin === "flux" ? "Flux" : release.origin === "argocd" ? "Argo CD" : "Helm";
      const protection = declared ? deletionProtection(declared.object) : null;
      if (protection) {
        reports.push({
          messageId: "removedKept",
          severity: "low",
          data: { release: name, protection },
          location,
          subject: pair.id,
          evidence,
        });
        continue;
      }
      if (release.origin === "argocd" && declared && !hasCascadeFinalizer(declared.object.document.value)) {
        reports.push({
          messageId: "argoOrphaned",
          severity: "low",
          data: { release: name },
          location,
          subject: pair.id,
          evidence,
        });
        continue;
      }
      if (release.origin === "helmfile") {
        reports.push({
          messageId: "helmfileOrphaned",
          severity: "low",
          data: {
            release: name,
            assetsNote:
              assets.length > 0
                ? ` (which would delete ${listNames(assets.map((asset) => asset.text))})`
                : "",
          },
          location,
          subject: pair.id,
          evidence,
        });
        continue;
      }
      // ingress-controller-removed, crd-deleted and argocd-app-deleted-with-finalizer cover these
      // (meta.covers): the release is then only listed, at low.
      const coverable = {
        alsoAbout: { subjects: declared ? [declared.pair.id] : [] },
        whenCovered: {
          messageId: "removedCovered",
          severity: "low" as const,
          data: { release: name, tool },
          evidence,
        },
      };
      if (assets.length > 0) {
        reports.push({
          messageId: "removedAssets",
          severity: "high",
          data: { release: name, tool, assets: listNames(assets.map((asset) => asset.text)) },
          location,
          subject: pair.id,
          evidence: { ...evidence, path: assets[0]!.text },
          ...coverable,
        });
        continue;
      }
      reports.push({
        messageId: "removed",
        severity: "medium",
        data: {
          release: name,
          tool,
          hosts: hosts.length > 0 ? `; its hosts ${listNames(hosts)} stop answering` : "",
        },
        location,
        subject: pair.id,
        evidence,
        ...coverable,
      });
    }
    return reports;
  },
};
