import { distance } from "fastest-levenshtein";
import { isDeepStrictEqual } from "node:util";
import {
  changeLocation,
  describeSubject,
  isRecord,
  releaseDiffs,
  show,
  walkValue,
} from "../../src/engine/rule-kit.js";
import type { FindingLocation, HelmRelease, Rule, RuleReport, ValueChange } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

/** Maps whose keys are data, not chart settings: renaming an entry there is not a values-schema change. */
const FREE_FORM_PARENT =
  /(^|\.)(annotations|labels|podAnnotations|podLabels|commonLabels|commonAnnotations|env|extraEnv|envVars|nodeSelector|matchLabels|data|stringData|secrets|configMaps?|extraArgs|args|hosts|resources|limits|requests)$/i;

/** A key taken apart into lower-case, singular words: `certificatesResolvers` -> [certificate, resolver]. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_\-.]+/)
    .filter((word) => word !== "")
    .map((word) => {
      const lower = word.toLowerCase();
      if (lower.length > 4 && lower.endsWith("ies")) return `${lower.slice(0, -3)}y`;
      if (lower.length > 3 && lower.endsWith("s") && !lower.endsWith("ss")) return lower.slice(0, -1);
      return lower;
    });
}

function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 3 && long.startsWith(short)) return true; // cert / certificate, config / configuration
  return Math.min(a.length, b.length) >= 4 && distance(a, b) <= 1;
}

/** Whether two sibling keys are spellings of one setting (typo, plural, camelCase or abbreviation variants). */
export function similarKeys(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return true;
  const longest = Math.max(la.length, lb.length);
  if (Math.min(la.length, lb.length) >= 5 && distance(la, lb) <= Math.max(1, Math.floor(longest * 0.2)))
    return true;
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return false;
  if (wa.length === wb.length) return wa.every((word, i) => sameWord(word, wb[i]!));
  // One word added or dropped on a multi-word key: ingressClass -> ingressClassName.
  const [short, long] = wa.length < wb.length ? [wa, wb] : [wb, wa];
  if (short.length < 2 || long.length !== short.length + 1) return false;
  for (let skip = 0; skip < long.length; skip++) {
    const rest = long.filter((_, i) => i !== skip);
    if (rest.every((word, i) => sameWord(word, short[i]!))) return true;
  }
  return false;
}

/** Readable parent of a change path, when the change is a map key (not a list item). */
function keyAndParent(change: ValueChange): { key: string; parent: string } | null {
  const path = change.headPath ?? change.basePath;
  const key = path?.[path.length - 1];
  if (typeof key !== "string" || !change.path.endsWith(key)) return null;
  let parent = change.path.slice(0, change.path.length - key.length);
  if (parent.endsWith(".")) parent = parent.slice(0, -1);
  else if (parent.endsWith('["') || parent.endsWith("[")) return null; // quoted keys: data, not settings
  return { key, parent };
}

function nonTrivial(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return isRecord(value) && Object.keys(value).length > 0;
}

/** An added node: the added change itself or any map key inside its new value. */
interface AddedNode {
  key: string;
  /** Readable path of the node. */
  path: string;
  headPath: PathSegment[] | null;
  value: unknown;
  change: ValueChange;
}

function addedNodes(changes: readonly ValueChange[]): AddedNode[] {
  const nodes: AddedNode[] = [];
  for (const change of changes) {
    if (change.op !== "added") continue;
    walkValue(change.after, (node) => {
      if (node.path.some((segment) => typeof segment === "number")) return;
      const last = node.path.length === 0 ? change.headPath?.[change.headPath.length - 1] : node.name;
      if (typeof last !== "string") return;
      nodes.push({
        key: last,
        path: node.key ? `${change.path}.${node.key}` : change.path,
        headPath: change.headPath ? [...change.headPath, ...node.path] : null,
        value: node.value,
        change,
      });
    });
  }
  return nodes;
}

function chartDefaultsFiles(release: HelmRelease): Set<string> {
  return new Set(
    release.valueSources
      .filter((source) => source.kind === "chart-defaults" && source.file)
      .map((source) => source.file!),
  );
}

export const rule: Rule = {
  meta: {
    id: "values-key-renamed",
    title: "Values key renamed or moved",
    category: "maintenance",
    defaultSeverity: "high",
    appliesTo: ["release"],
    description:
      "A Helm values key disappears while a sibling with a similar name (or the same subtree under a new key) appears: high in a chart's own values.yaml, where every user's override of the old key is silently ignored; medium in a release's values.",
  },
  messages: {
    chartRenamed:
      "{{subject}}: the chart's default values rename `{{old}}` to `{{new}}` ({{before}} -> {{after}}). Helm ignores unknown keys, so every user who sets `{{old}}` in their values loses that setting silently after upgrading to this chart version: the templates only read `{{new}}` now. Mark the change as breaking, keep reading the old key (or fail on it in the templates or values.schema.json), and document the migration.",
    chartMoved:
      "{{subject}}: the chart's default values move `{{old}}` to `{{new}}`. Users who set anything under `{{old}}` keep it in their values, but the templates no longer read it: their settings silently fall back to the defaults after the upgrade. Mark the change as breaking and fail or warn on the old path.",
    valuesRenamed:
      "{{subject}}: values key `{{old}}` becomes `{{new}}` ({{before}} -> {{after}}). Helm ignores keys a chart does not read, without warning: if chart {{chart}} does not know `{{new}}`, this setting is silently dropped and the chart default applies (and if the chart renamed the key, `{{old}}` was being ignored until now, so the setting takes effect for the first time).",
    valuesMoved:
      "{{subject}}: values `{{old}}` move to `{{new}}`. Helm ignores keys a chart does not read, without warning: if chart {{chart}} does not read `{{new}}`, these settings are silently dropped and its defaults apply.",
  },
  remediation:
    "Check the key against the chart version's values.yaml (or `helm show values`), and render both sides (`helm template`, `flux diff`) to confirm the setting still reaches the manifests; in a chart, keep accepting the old key or fail loudly on it, and document the rename as breaking.",
  checklist: [
    "Does the chart version deployed read the new key, and did it read the old one (`helm show values <chart> --version <v>`)?",
    "Does the rendered manifest change the way it should (helm template / flux diff on both sides)?",
    "For a chart: are users told (changelog, NOTES.txt, schema error) that the old key is no longer read?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of releaseDiffs(context)) {
      const { base, head, pair } = diff;
      if (!base || !head || pair.status !== "modified") continue;
      const ownChart = head.origin === "chart";
      // Chart defaults merged into a release are reported once, on the chart itself.
      const defaults = ownChart ? new Set<string>() : chartDefaultsFiles(head);
      const changes = diff.changes.filter(
        (change) => !defaults.has(change.head?.file ?? change.base?.file ?? ""),
      );
      const removed = changes.filter((change) => change.op === "removed");
      const added = addedNodes(changes);
      const used = new Set<AddedNode>();
      const subject = describeSubject(head);
      const chart = `${head.chart.name ?? "?"}${head.chart.version ? ` ${head.chart.version}` : ""}`;
      for (const gone of removed) {
        const at = keyAndParent(gone);
        if (!at || FREE_FORM_PARENT.test(at.parent)) continue;
        // Renamed: a sibling with a similar name appears.
        const siblings = added.filter((node) => {
          if (used.has(node) || node.path !== joinPath(at.parent, node.key)) return false;
          if (
            !ownChart &&
            (at.key.length < 5 || node.key.length < 5) &&
            !isDeepStrictEqual(gone.before, node.value)
          )
            return false;
          return similarKeys(at.key, node.key);
        });
        siblings.sort((a, b) => distance(a.key, at.key) - distance(b.key, at.key));
        const sibling = siblings[0];
        if (sibling) {
          used.add(sibling);
          reports.push(
            report(
              ownChart ? "chartRenamed" : "valuesRenamed",
              ownChart,
              {
                subject,
                chart,
                old: gone.path,
                new: sibling.path,
                before: show(gone.before),
                after: show(sibling.value),
              },
              location(head, sibling),
              pair.id,
              gone,
              sibling,
            ),
          );
          continue;
        }
        // Moved: the same subtree, under the same key name, appears under another parent.
        if (!nonTrivial(gone.before)) continue;
        const moved = added.find(
          (node) =>
            !used.has(node) &&
            node.key === at.key &&
            node.path !== gone.path &&
            isDeepStrictEqual(node.value, gone.before),
        );
        if (!moved) continue;
        used.add(moved);
        reports.push(
          report(
            ownChart ? "chartMoved" : "valuesMoved",
            ownChart,
            { subject, chart, old: gone.path, new: moved.path },
            location(head, moved),
            pair.id,
            gone,
            moved,
          ),
        );
      }
    }
    return reports;
  },
};

function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function location(head: HelmRelease, node: AddedNode): FindingLocation {
  return changeLocation(head, { headPath: node.headPath, head: node.change.head });
}

function report(
  messageId: string,
  ownChart: boolean,
  data: Record<string, string>,
  at: FindingLocation,
  pairId: string,
  gone: ValueChange,
  added: AddedNode,
): RuleReport {
  return {
    messageId,
    severity: ownChart ? "high" : "medium",
    data,
    location: at,
    subject: pairId,
    evidence: { path: `${gone.path} -> ${added.path}`, before: gone.before, after: added.value },
  };
}
