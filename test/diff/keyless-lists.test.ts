import { describe, expect, it } from "@jest/globals";
import { alignLists, MAX_LIST_EDITS, MAX_SIMILARITY_RUN } from "../../src/diff/list-alignment.js";
import { diffValues } from "../../src/diff/semantic-diff.js";
import { StructuralIds } from "../../src/diff/structural-id.js";
import type { LocatedValue } from "../../src/parse/types.js";
import { located } from "./helpers.js";

/** A PrometheusRule with `count` alerting rules: a list of maps without a merge key. */
function alertRules(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    alert: `HostDisk${i}Filling`,
    expr: `node_filesystem_avail_bytes{device="sd${i}"} / node_filesystem_size_bytes < 0.1`,
    for: "15m",
    labels: { severity: i % 3 === 0 ? "critical" : "warning" },
  }));
}

function prometheusRule(rules: Record<string, unknown>[]): LocatedValue {
  return {
    value: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "node-disks", namespace: "monitoring" },
      spec: { groups: [{ name: "disks", rules }] },
    },
    locations: new Map(),
  };
}

const summary = (changes: ReturnType<typeof diffValues>) =>
  changes.map(({ op, path, basePath, headPath }) => ({ op, path, basePath, headPath }));

const RULES = ["spec", "groups", 0, "rules"];

describe("diffValues on lists without a merge key", () => {
  it("reports one rule inserted at the top of 10,000 as one insertion", () => {
    const rules = alertRules(10_000);
    const inserted = { alert: "HostDiskReadOnly", expr: "node_filesystem_readonly == 1", for: "5m" };
    const changes = diffValues(prometheusRule(rules), prometheusRule([inserted, ...rules]));
    expect(changes).toEqual([
      expect.objectContaining({
        op: "added",
        path: "spec.groups[name=disks].rules[0]",
        basePath: null,
        headPath: [...RULES, 0],
        after: inserted,
      }),
    ]);
  });

  it("reports one rule removed from the middle as one removal, at its base index", () => {
    const rules = alertRules(10_000);
    const changes = diffValues(
      prometheusRule(rules),
      prometheusRule([...rules.slice(0, 5000), ...rules.slice(5001)]),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        op: "removed",
        path: "spec.groups[name=disks].rules[5000]",
        basePath: [...RULES, 5000],
        headPath: null,
        before: rules[5000],
      }),
    ]);
  });

  it("reports an edit beside inserts field by field, at the head index", () => {
    const rules = alertRules(10_000);
    const edited = { ...rules[7000]!, for: "30m" };
    const head = [{ alert: "A", expr: "up == 0" }, ...rules.slice(0, 7000), edited, ...rules.slice(7001)];
    expect(summary(diffValues(prometheusRule(rules), prometheusRule(head)))).toEqual([
      { op: "added", path: "spec.groups[name=disks].rules[0]", basePath: null, headPath: [...RULES, 0] },
      {
        op: "changed",
        path: "spec.groups[name=disks].rules[7001].for",
        basePath: [...RULES, 7000, "for"],
        headPath: [...RULES, 7001, "for"],
      },
    ]);
  });

  it("reports a moved item of a keyless list as removed where it was and added where it is", () => {
    const dedicated = "  - key: dedicated\n    operator: Equal\n    value: ingress\n    effect: NoSchedule\n";
    const notReady =
      "  - key: node.kubernetes.io/not-ready\n    operator: Exists\n    effect: NoExecute\n    tolerationSeconds: 30\n";
    const critical = "  - key: CriticalAddonsOnly\n    operator: Exists\n";
    const base = located(`tolerations:\n${dedicated}${notReady}${critical}`);
    const head = located(`tolerations:\n${critical}${dedicated}${notReady}`);
    expect(
      diffValues(base, head).map(({ op, path, base, head }) => ({
        op,
        path,
        base: base?.line,
        head: head?.line,
      })),
    ).toEqual([
      { op: "added", path: "tolerations[0]", base: 1, head: 2 },
      { op: "removed", path: "tolerations[2]", base: 10, head: 1 },
    ]);
  });

  it("keeps an ordered argument list in order: a moved flag is out and in, the rest untouched", () => {
    const changes = diffValues(
      located("args: [--config=/etc/app.yaml, --port=8080, --port=8080, --verbose]\n"),
      located("args: [--verbose, --config=/etc/app.yaml, --port=8080, --port=8080]\n"),
    );
    expect(changes.map(({ op, path }) => `${op} ${path}`)).toEqual(["added args[0]", "removed args[3]"]);
  });

  it("reports mixed edits of Helm ingress hosts in list order with both sides' lines", () => {
    const base = located(`ingress:
  hosts:
    - host: grafana.example.com
      paths: [/]
    - host: old.example.com
      paths: [/]
    - host: prometheus.example.com
      paths: [/]
      tls: true
    - host: alerts.example.com
      paths: [/]
`);
    const head = located(`ingress:
  hosts:
    - host: status.example.com
      paths: [/]
    - host: grafana.example.com
      paths: [/]
    - host: prometheus.example.com
      paths: [/, /api]
      tls: true
    - host: alerts.example.com
      paths: [/]
`);
    const changes = diffValues(base, head);
    expect(
      changes.map(({ op, path, before, after, base, head }) => ({
        op,
        path,
        before,
        after,
        lines: [base?.line, head?.line],
      })),
    ).toEqual([
      {
        op: "added",
        path: "ingress.hosts[0]",
        before: undefined,
        after: { host: "status.example.com", paths: ["/"] },
        lines: [2, 3],
      },
      {
        op: "removed",
        path: "ingress.hosts[1]",
        before: { host: "old.example.com", paths: ["/"] },
        after: undefined,
        lines: [5, 2],
      },
      // The edited host kept its place among its neighbours: reported inside, not as a new item.
      {
        op: "added",
        path: 'ingress.hosts[2].paths[="/api"]',
        before: undefined,
        after: "/api",
        lines: [8, 8],
      },
    ]);
  });

  it("pairs an edited item with its old self when its neighbour was removed", () => {
    const base = located(`extraVolumes:
  - configMap: {name: dashboards}
    mountPath: /var/lib/grafana/dashboards
  - secret: {secretName: smtp}
    mountPath: /etc/grafana/smtp
    readOnly: true
  - emptyDir: {}
    mountPath: /tmp
`);
    const head = located(`extraVolumes:
  - configMap: {name: dashboards}
    mountPath: /var/lib/grafana/dashboards
  - secret: {secretName: smtp-v2}
    mountPath: /etc/grafana/smtp
    readOnly: true
`);
    // The last two items changed as a run of 2 removed and 1 added: similarity pairs smtp with smtp.
    expect(summary(diffValues(base, head))).toEqual([
      {
        op: "changed",
        path: "extraVolumes[1].secret.secretName",
        basePath: ["extraVolumes", 1, "secret", "secretName"],
        headPath: ["extraVolumes", 1, "secret", "secretName"],
      },
      { op: "removed", path: "extraVolumes[2]", basePath: ["extraVolumes", 2], headPath: null },
    ]);
  });

  it("finds no change between a keyless list and itself, or a copy with keys in another order", () => {
    const rules = alertRules(500);
    expect(diffValues(prometheusRule(rules), prometheusRule(rules))).toEqual([]);
    const reordered = rules.map(({ labels, for: duration, expr, alert }) => ({
      labels,
      for: duration,
      expr,
      alert,
    }));
    expect(diffValues(prometheusRule(rules), prometheusRule(reordered))).toEqual([]);
  });
});

describe("alignLists", () => {
  const ids = () => new StructuralIds();
  const items = (count: number, tag: string) =>
    Array.from({ length: count }, (_, i) => ({ id: `${tag}${i}` }));

  /** `base` with a new item before each of its first `count` even-indexed items. */
  const scatterInserts = (base: readonly { id: string }[], count: number) =>
    base.flatMap((item, i) => (i % 2 === 0 && i / 2 < count ? [{ id: `new${i}` }, item] : [item]));

  it("aligns by subsequence while the edits stay within MAX_LIST_EDITS", () => {
    const base = items(2 * MAX_LIST_EDITS + 2, "b");
    const edits = alignLists(base, scatterInserts(base, MAX_LIST_EDITS), ids());
    expect(edits).toEqual(Array.from({ length: MAX_LIST_EDITS }, (_, i) => ({ op: "added", head: 3 * i })));
  });

  it("falls back to pairing by position past MAX_LIST_EDITS, after setting aside the common ends", () => {
    const base = items(2 * MAX_LIST_EDITS + 2, "b");
    const edits = alignLists(base, scatterInserts(base, MAX_LIST_EDITS + 1), ids());
    // Item 0 is new, so nothing is common at the top; the last insert sits before the last two
    // items, which are the common tail. The middles are 1,000 base and 1,501 head items.
    const paired = 2 * MAX_LIST_EDITS;
    expect(edits).toEqual([
      ...Array.from({ length: paired }, (_, i) => ({ op: "paired", base: i, head: i })),
      ...Array.from({ length: MAX_LIST_EDITS + 1 }, (_, i) => ({ op: "added", head: paired + i })),
    ]);
  });

  it("pairs a long run of edits by position rather than by similarity", () => {
    const base = [{ id: "a", x: 1 }, ...items(MAX_SIMILARITY_RUN, "b")];
    const head = items(MAX_SIMILARITY_RUN, "h");
    const edits = alignLists(base, head, ids());
    expect(edits[0]).toEqual({ op: "paired", base: 0, head: 0 });
    expect(edits.at(-1)).toEqual({ op: "removed", base: MAX_SIMILARITY_RUN });
  });

  it("handles lists too long to spread into function arguments", () => {
    const base = Array.from({ length: 300_000 }, (_, i) => i % 7);
    expect(alignLists(base, ["x", ...base], ids())).toEqual([{ op: "added", head: 0 }]);
    const other = base.map((n) => n + 100);
    const edits = alignLists(base, other, ids());
    expect(edits).toHaveLength(300_000);
    expect(edits[299_999]).toEqual({ op: "paired", base: 299_999, head: 299_999 });
  });
});

describe("StructuralIds", () => {
  it("numbers deeply equal values alike, whatever the map key order or number spelling", () => {
    const ids = new StructuralIds();
    expect(ids.idOf({ a: [1, { b: "x" }], c: null })).toBe(ids.idOf({ c: null, a: [1n, { b: "x" }] }));
    expect(ids.idOf({ a: 1 })).not.toBe(ids.idOf({ a: "1" }));
    expect(ids.idOf([1, 2])).not.toBe(ids.idOf([2, 1]));
    expect(ids.idOf({ "a,b": 1 })).not.toBe(ids.idOf({ a: 1, b: 1 }));
    expect(ids.idOf([])).not.toBe(ids.idOf({}));
    expect(ids.idOf(["a,b"])).not.toBe(ids.idOf(["a", "b"]));
  });

  it("calls maps similar when at least half of their entries are equal", () => {
    const ids = new StructuralIds();
    expect(ids.similar({ host: "a", paths: ["/"] }, { host: "b", paths: ["/"] })).toBe(true);
    expect(ids.similar({ host: "a", paths: ["/"], tls: true }, { host: "b", paths: ["/"] })).toBe(false);
    expect(ids.similar({ host: "a" }, { host: "b" })).toBe(false);
    expect(ids.similar("a", "a")).toBe(false);
  });
});
