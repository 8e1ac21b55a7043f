import { describe, expect, it } from "@jest/globals";
import { formatCompactValue } from "../../src/diff/compact-value.js";
import { renderChangesAsDiff, renderUnifiedDiff } from "../../src/diff/text-diff.js";
import type { ValueChange } from "../../src/diff/types.js";

const changes: ValueChange[] = [
  {
    path: "persistence.path",
    op: "changed",
    basePath: ["persistence", "path"],
    headPath: ["persistence", "path"],
    before: "/data",
    after: "/srv",
    base: { file: "values.yaml", line: 12 },
    head: { file: "values.yaml", line: 12 },
  },
  {
    path: "volumes[name=traefik-config]",
    op: "added",
    basePath: null,
    headPath: ["volumes", 0],
    after: { name: "traefik-config", mountPath: "/data", type: "configMap" },
    base: { file: "helmrelease.yaml", line: 30 },
    head: { file: "helmrelease.yaml", line: 40 },
  },
  {
    path: "ingress.hosts",
    op: "removed",
    basePath: ["ingress", "hosts"],
    headPath: null,
    before: ["a.example", "b: c"],
    base: { file: "values.yaml", line: 20 },
    head: null,
  },
];

describe("renderChangesAsDiff", () => {
  it("prints one line per side with aligned locations", () => {
    expect(renderChangesAsDiff(changes)).toBe(
      [
        "- persistence.path: /data             # values.yaml:12",
        "+ persistence.path: /srv              # values.yaml:12",
        "+ volumes[name=traefik-config]: {name: traefik-config, mountPath: /data, type: configMap}  # helmrelease.yaml:40",
        '- ingress.hosts: [a.example, "b: c"]  # values.yaml:20',
      ].join("\n"),
    );
  });

  it("truncates long values and lets a hook format values", () => {
    const text = renderChangesAsDiff(changes, {
      width: 20,
      locations: false,
      formatValue: (value, { change, side }) =>
        change.path === "persistence.path" ? `*** (${side})` : formatCompactValue(value),
    });
    expect(text).toBe(
      [
        "- persistence.path: *** (base)",
        "+ persistence.path: *** (head)",
        "+ volumes[name=traefik-config]: {name: traefik-conf…",
        '- ingress.hosts: [a.example, "b: c"]',
      ].join("\n"),
    );
  });
});

describe("formatCompactValue", () => {
  it("quotes strings YAML would read differently", () => {
    expect(
      formatCompactValue({ a: "1", b: "true", c: "", d: "x\ny", e: "a, b", f: "plain text", g: null, h: [] }),
    ).toBe('{a: "1", b: "true", c: "", d: "x\\ny", e: "a, b", f: plain text, g: null, h: []}');
  });
});

describe("renderUnifiedDiff", () => {
  it("renders a unified diff and nothing for equal texts", () => {
    expect(
      renderUnifiedDiff("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 20\nc: 3\n", {
        oldName: "base/values",
        newName: "head/values",
        context: 1,
      }),
    ).toBe("--- base/values\n+++ head/values\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 20\n c: 3\n");
    expect(renderUnifiedDiff("a\n", "a\n")).toBe("");
  });

  it("gives up on a rewrite of thousands of lines instead of diffing it quadratically", () => {
    // A 20,000-line dashboard whose every line changed: the edit distance is 40,000.
    const before = Array.from({ length: 20_000 }, (_, i) => `  "panel-${i}": {"id": ${i}}`).join("\n");
    const after = Array.from({ length: 20_000 }, (_, i) => `  "panel-${i}": {"id": ${i + 1}}`).join("\n");
    expect(renderUnifiedDiff(before, after)).toBeNull();

    const change: ValueChange = {
      path: "data.dashboard\\.json",
      op: "changed",
      basePath: ["data", "dashboard.json"],
      headPath: ["data", "dashboard.json"],
      before,
      after,
      base: { file: "dashboards.yaml", line: 7 },
      head: { file: "dashboards.yaml", line: 7 },
    };
    expect(renderChangesAsDiff([change], { locations: false })).toBe(
      "~ data.dashboard\\.json: text changed\n  # 20000 -> 20000 lines, too many edits to show line by line",
    );
  });

  it("still diffs a long text with a few edits", () => {
    const before = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join("\n");
    const after = before.replace("line 10000\n", "line ten thousand\n");
    expect(renderUnifiedDiff(before, after, { context: 0 })).toContain("-line 10000\n+line ten thousand\n");
  });
});

describe("renderChangesAsDiff for whole subjects", () => {
  const added: ValueChange = {
    path: "",
    op: "added",
    basePath: null,
    headPath: [],
    after: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db" },
      stringData: { password: "hunter2" },
    },
    base: null,
    head: { file: "db-secret.yaml", line: 1 },
  };

  it("renders an added object as block YAML, located on its first line", () => {
    expect(renderChangesAsDiff([added], { locations: true })).toBe(
      [
        "+ apiVersion: v1  # db-secret.yaml:1",
        "+ kind: Secret",
        "+ metadata:",
        "+   name: db",
        "+ stringData:",
        "+   password: hunter2",
      ].join("\n"),
    );
  });

  it("lets the caller mask it and cuts long objects", () => {
    const text = renderChangesAsDiff([added], {
      locations: false,
      formatWhole: () => "apiVersion: v1\nkind: Secret\nstringData:\n  password: ••••••",
      wholeLines: 2,
    });
    expect(text).toBe("+ apiVersion: v1\n+ kind: Secret\n+ # … 2 more lines");
  });
});

describe("renderChangesAsDiff for changed blocks of text", () => {
  const change: ValueChange = {
    path: 'data["dynamic.yaml"]',
    op: "changed",
    basePath: ["data", "dynamic.yaml"],
    headPath: ["data", "dynamic.yaml"],
    before: "tls:\n  minVersion: VersionTLS12\n  sniStrict: true\n",
    after: "tls:\n  minVersion: VersionTLS13\n  sniStrict: true\n",
    base: { file: "cm.yaml", line: 6 },
    head: { file: "cm.yaml", line: 6 },
  };

  it("shows a multi-line string as a unified diff under its path", () => {
    expect(renderChangesAsDiff([change])).toBe(
      [
        '~ data["dynamic.yaml"]: text changed  # cm.yaml:6',
        "@@ -1,3 +1,3 @@",
        " tls:",
        "-  minVersion: VersionTLS12",
        "+  minVersion: VersionTLS13",
        "   sniStrict: true",
      ].join("\n"),
    );
  });

  it("keeps a text the caller must mask on one line per side", () => {
    const text = renderChangesAsDiff([change], {
      locations: false,
      expandText: () => false,
      formatValue: () => "••••••",
    });
    expect(text).toBe('- data["dynamic.yaml"]: ••••••\n+ data["dynamic.yaml"]: ••••••');
  });
});
