import { describeSubject, getIn, isRecord, listNames, locationOf } from "../../src/engine/rule-kit.js";
import { valuesRoutesOf } from "../../src/k8s/networking.js";
import type { FindingLocation, HelmRelease, KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

/** Annotation prefixes ingress controllers (and cert-manager's ingress-shim) read on an Ingress. */
const CONTROLLER_PREFIXES: readonly string[] = [
  "nginx.ingress.kubernetes.io/",
  "traefik.ingress.kubernetes.io/",
  "ingress.kubernetes.io/",
  "cert-manager.io/",
  "alb.ingress.kubernetes.io/",
  "haproxy.org/",
  "haproxy-ingress.github.io/",
  "konghq.com/",
  "projectcontour.io/",
];

function prefixOf(key: string): string | null {
  return CONTROLLER_PREFIXES.find((prefix) => key.startsWith(prefix)) ?? null;
}

/** Controller annotations of a map, as strings (`true` and numbers are written unquoted often). */
function controllerAnnotations(value: unknown): Map<string, string> {
  const found = new Map<string, string>();
  if (!isRecord(value)) return found;
  for (const [key, item] of Object.entries(value)) {
    if (!prefixOf(key)) continue;
    found.set(key, typeof item === "string" ? item : JSON.stringify(item));
  }
  return found;
}

interface AnnotationDiff {
  renamed: { from: string; to: string }[];
  added: string[];
  removed: string[];
  changed: { key: string; before: string; after: string }[];
}

/** Differences between two annotation maps; a removed and an added key with the same name after their prefix are a rename. */
export function diffAnnotations(before: Map<string, string>, after: Map<string, string>): AnnotationDiff {
  const removed = [...before.keys()].filter((key) => !after.has(key));
  const added = [...after.keys()].filter((key) => !before.has(key));
  const renamed: AnnotationDiff["renamed"] = [];
  const bareName = (key: string) => key.slice(prefixOf(key)?.length ?? 0);
  for (const from of [...removed]) {
    const to = added.find((key) => bareName(key) === bareName(from));
    if (!to) continue;
    renamed.push({ from, to });
    removed.splice(removed.indexOf(from), 1);
    added.splice(added.indexOf(to), 1);
  }
  const changed = [...after.keys()]
    .filter((key) => before.has(key) && before.get(key) !== after.get(key))
    .map((key) => ({ key, before: before.get(key)!, after: after.get(key)! }));
  return { renamed, added, removed, changed };
}

function describeDiff(diff: AnnotationDiff, before: Map<string, string>, after: Map<string, string>): string {
  const parts: string[] = [];
  if (diff.renamed.length > 0)
    parts.push(`renamed ${listNames(diff.renamed.map(({ from, to }) => `${from} -> ${to}`))}`);
  if (diff.added.length > 0)
    parts.push(`added ${listNames(diff.added.map((key) => `${key}: ${after.get(key) ?? ""}`))}`);
  if (diff.removed.length > 0)
    parts.push(`removed ${listNames(diff.removed.map((key) => `${key}: ${before.get(key) ?? ""}`))}`);
  if (diff.changed.length > 0)
    parts.push(`changed ${listNames(diff.changed.map((c) => `${c.key}: ${c.before} -> ${c.after}`))}`);
  return parts.join("; ");
}

export const rule: Rule = {
  meta: {
    id: "ingress-annotations-changed",
    title: "Ingress controller annotations changed",
    category: "networking",
    defaultSeverity: "medium",
    appliesTo: ["object", "release"],
    description:
      "Controller annotations on an existing Ingress (nginx.ingress.kubernetes.io/*, traefik.ingress.kubernetes.io/*, ingress.kubernetes.io/*, cert-manager.io/*...) are added, removed or renamed (medium), or only change value (low), in manifests or chart values.",
  },
  messages: {
    keysChanged:
      "{{subject}}: controller annotations {{changes}}. A controller only reads the prefix it is configured for (ingress-nginx: `nginx.ingress.kubernetes.io/`, Traefik: `traefik.ingress.kubernetes.io/`), so a renamed or added key starts applying a setting that was ignored until now (body size limits, redirects, auth, rewrites, certificates), and a removed or renamed-away one falls back to the controller's default.",
    valuesChanged:
      "{{subject}}: controller annotation values {{changes}}. The controller applies them on its next reload: check limits, redirects, auth and allow-lists still fit the traffic this Ingress serves.",
  },
  remediation:
    "Check each annotation against the documentation of the controller (and version) that serves this Ingress class, and test the behaviour it turns on (upload size, redirects, auth, rewrites) on a staging host before merging.",
  checklist: [
    "Which controller serves this Ingress, and which annotation prefix does it read?",
    "What behaviour starts or stops applying (size limits, redirects, rewrites, auth, TLS, issuer) and is it tested?",
    "For a renamed annotation: was the old one ignored until now, so this is effectively a new setting?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair } of context.diffs) {
      const base = pair.base;
      const head = pair.head;
      if (!base || !head || (pair.status !== "modified" && pair.status !== "replaced")) continue;
      if (base.type === "object" && head.type === "object") {
        if (head.identity.kind !== "Ingress" || base.identity.kind !== "Ingress") continue;
        const report = annotationReport(
          describeSubject(head),
          getIn(base.document.value, ["metadata", "annotations"]),
          getIn(head.document.value, ["metadata", "annotations"]),
          (key) => objectLocation(head, base, key),
          pair.id,
          "metadata.annotations",
        );
        if (report) reports.push(report);
      } else if (base.type === "release" && head.type === "release") {
        const baseRoutes = new Map(valuesRoutesOf(base).map((route) => [route.name, route]));
        for (const route of valuesRoutesOf(head)) {
          const was = baseRoutes.get(route.name);
          if (route.via !== "ingress" || !was || !was.enabled || !route.enabled) continue;
          const report = annotationReport(
            `${describeSubject(head)} values ${route.name}`,
            was.block.annotations,
            route.block.annotations,
            (key) =>
              releaseLocation(head, base, [...route.path, "annotations"], [...was.path, "annotations"], key),
            pair.id,
            `${route.name}.annotations`,
          );
          if (report) reports.push(report);
        }
      }
    }
    return reports;
  },
};

function annotationReport(
  subject: string,
  beforeValue: unknown,
  afterValue: unknown,
  locate: (key: { head?: string; base?: string }) => FindingLocation,
  pairId: string,
  path: string,
): RuleReport | null {
  const before = controllerAnnotations(beforeValue);
  const after = controllerAnnotations(afterValue);
  const diff = diffAnnotations(before, after);
  const keysChanged = diff.renamed.length + diff.added.length + diff.removed.length > 0;
  if (!keysChanged && diff.changed.length === 0) return null;
  const firstHead = diff.renamed[0]?.to ?? diff.added[0] ?? diff.changed[0]?.key;
  return {
    messageId: keysChanged ? "keysChanged" : "valuesChanged",
    severity: keysChanged ? "medium" : "low",
    data: { subject, changes: describeDiff(diff, before, after) },
    location: firstHead ? locate({ head: firstHead }) : locate({ base: diff.removed[0] }),
    subject: pairId,
    evidence: { path, before: Object.fromEntries(before), after: Object.fromEntries(after) },
  };
}

function objectLocation(
  head: KubeObject,
  base: KubeObject,
  key: { head?: string; base?: string },
): FindingLocation {
  if (key.head) return locationOf(head, ["metadata", "annotations", key.head], "head");
  if (key.base) return locationOf(base, ["metadata", "annotations", key.base], "base");
  return locationOf(head, ["metadata"], "head");
}

function releaseLocation(
  head: HelmRelease,
  base: HelmRelease,
  headPath: PathSegment[],
  basePath: PathSegment[],
  key: { head?: string; base?: string },
): FindingLocation {
  if (key.head) return locationOf(head, [...headPath, key.head], "head");
  if (key.base) return locationOf(base, [...basePath, key.base], "base");
  return locationOf(head, headPath, "head");
}
