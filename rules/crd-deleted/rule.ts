import {
  changeLocation,
  describeSubject,
  getIn,
  isTrue,
  leafChanges,
  locationOf,
  objectDiffs,
  pairLocation,
  releaseDiffs,
  show,
  walkValue,
} from "../../src/engine/rule-kit.js";
import { deletionProtection } from "../../src/k8s/deletion.js";
import type { HelmRelease, Rule, RuleReport } from "../../src/engine/types.js";

/** Values that make a chart install its CRDs (cert-manager `installCRDs`, `crds.enabled`, VolSync `manageCRDs`...). */
const INSTALL_FLAG = /(^|\.)(installCRDs|manageCRDs|createCRDs|crds\.(enabled|install|create))$/;
/** Values that make a chart mark its CRDs `helm.sh/resource-policy: keep`. */
const KEEP_FLAG = /(^|\.)crds\.keep$/;

/** `path: true` of the first CRD install flag set in the release's values, or null. */
function managedCrdsFlag(release: HelmRelease): { path: (string | number)[]; text: string } | null {
  let found: { path: (string | number)[]; text: string } | null = null;
  let kept = false;
  walkValue(release.values.value, (node) => {
    if (INSTALL_FLAG.test(node.key) && isTrue(node.value)) found ??= { path: node.path, text: node.key };
    if (KEEP_FLAG.test(node.key) && isTrue(node.value)) kept = true;
  });
  if (kept) return null;
  // A chart that exists to ship CRDs (`gateway-api-crds`, `prometheus-operator-crds`) installs them whatever its values say.
  const chart = release.chart.name ?? release.releaseName;
  return found ?? (/crds?($|-)/i.test(chart) ? { path: [], text: `chart ${chart}` } : null);
}

export const rule: Rule = {
  meta: {
    id: "crd-deleted",
    title: "CustomResourceDefinition deleted",
    category: "data-loss",
    defaultSeverity: "critical",
    appliesTo: ["object", "release"],
    description:
      "A CustomResourceDefinition is deleted, or chart values stop installing or keeping the CRDs: every custom resource of them is deleted.",
    covers: [{ rule: "release-removed", messageIds: ["removed", "removedAssets"], match: "subject" }],
  },
  messages: {
    crdRemoved:
      "CustomResourceDefinition {{name}} is removed: Kubernetes deletes every {{kind}} object ({{group}}) in every namespace with it, and controllers that watch {{kind}} start failing.",
    crdRemovedProtected:
      "CustomResourceDefinition {{name}} is removed from git; {{protection}} keeps it in the cluster, unmanaged (its {{kind}} objects stay).",
    valuesStopInstall:
      "{{release}}: {{path}} {{before}} -> {{after}}: the chart stops rendering its CRDs, so the next Helm upgrade deletes them unless they carry `helm.sh/resource-policy: keep` — and with them every custom resource of those kinds.",
    valuesStopInstallKept:
      "{{release}}: {{path}} {{before}} -> {{after}}: the chart stops managing its CRDs; `crds.keep: true` leaves them in the cluster, but nothing upgrades them any more.",
    valuesStopKeep:
      "{{release}}: {{path}} {{before}} -> {{after}}: the CRDs lose `helm.sh/resource-policy: keep`, so uninstalling or re-creating the release deletes the CRDs and every custom resource of them (for cert-manager: every Certificate, Issuer and ClusterIssuer).",
    releaseRemoved:
      "{{release}} is {{how}} while it installs CRDs ({{flag}}): `helm uninstall` deletes CRDs rendered as templates, and every custom resource of them, unless the chart marks them `helm.sh/resource-policy: keep` (check the chart's default).",
  },
  remediation:
    "Keep the CRDs (`crds.keep: true`, `helm.sh/resource-policy: keep`, `kustomize.toolkit.fluxcd.io/prune: disabled`) and delete them by hand only after every custom resource of them is gone or backed up.",
  checklist: [
    "How many custom resources of these kinds exist in the cluster, and which controllers or teams own them?",
    "Are the custom resources (Certificates, Issuers, backups definitions...) backed up or defined elsewhere in git?",
    "Does something else (another release, a Kustomization) install the same CRDs after this change?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context, ["CustomResourceDefinition"])) {
      if (!base || base.identity.kind !== "CustomResourceDefinition") continue;
      if (head && head.identity.name === base.identity.name) continue;
      const protection = deletionProtection(base);
      const kind = getIn(base.document.value, ["spec", "names", "kind"]);
      const group = getIn(base.document.value, ["spec", "group"]);
      reports.push({
        messageId: protection ? "crdRemovedProtected" : "crdRemoved",
        data: {
          name: base.identity.name,
          kind: typeof kind === "string" ? kind : base.identity.name,
          group: typeof group === "string" ? group : "?",
          ...(protection ? { protection } : {}),
        },
        severity: protection ? "medium" : "critical",
        location: locationOf(base, [], "base"),
        subject: pair.id,
        evidence: { path: "metadata.name", before: base.identity.name, after: head?.identity.name },
      });
    }

    for (const diff of releaseDiffs(context)) {
      const { pair, base, head } = diff;
      if (base && (!head || pair.status === "replaced")) {
        const flag = managedCrdsFlag(base);
        if (flag) {
          reports.push({
            messageId: "releaseRemoved",
            data: {
              release: describeSubject(base),
              how: head ? `replaced by ${describeSubject(head)} (uninstall + install)` : "removed",
              flag: flag.path.length > 0 ? `${flag.text}: true` : flag.text,
            },
            severity: "high",
            location: head ? pairLocation(pair) : locationOf(base, flag.path, "base"),
            subject: pair.id,
            evidence: { path: flag.text, before: flag.path.length > 0 ? true : undefined },
          });
        }
        continue;
      }
      if (!base || !head || pair.status !== "modified") continue;
      let headKeeps = false;
      walkValue(head.values.value, (node) => {
        if (KEEP_FLAG.test(node.key) && isTrue(node.value)) headKeeps = true;
      });
      for (const change of leafChanges(diff.changes)) {
        const keep = KEEP_FLAG.test(change.path);
        if (!keep && !INSTALL_FLAG.test(change.path)) continue;
        if (!isTrue(change.before) || isTrue(change.after)) continue;
        const removed = change.op === "removed";
        const kept = !keep && headKeeps;
        reports.push({
          messageId: keep ? "valuesStopKeep" : kept ? "valuesStopInstallKept" : "valuesStopInstall",
          data: {
            release: describeSubject(head),
            path: change.path,
            before: show(change.before),
            after: removed ? "(removed: chart default applies)" : show(change.after),
          },
          severity: removed || kept ? "medium" : "high",
          location: changeLocation(head, change),
          subject: pair.id,
          evidence: { path: change.path, before: change.before, after: change.after },
        });
      }
    }
    return reports;
  },
};
