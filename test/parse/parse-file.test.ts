import { describe, expect, it, jest } from "@jest/globals";
import { diffValues } from "../../src/diff/semantic-diff.js";
import { DEFAULT_LIMITS } from "../../src/parse/limits.js";
import { parseFile } from "../../src/parse/parse-file.js";
import { pathKey } from "../../src/parse/types.js";
import { nestedBlock, strayListItem, YAML_BOMB } from "../fixtures/hostile-yaml.js";

describe("parseFile", () => {
  it("keeps the line of every node across documents", () => {
    const text = [
      "# leading comment",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: settings",
      "data:",
      "  key: value",
      "---",
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      "  name: web",
      "spec:",
      "  ports:",
      "    - port: 80",
      "      name: http",
      "",
    ].join("\n");

    const parsed = parseFile("apps/all.yaml", text, "head");

    expect(parsed.problems).toEqual([]);
    expect(parsed.documents.map((doc) => [doc.index, doc.line])).toEqual([
      [0, 2],
      [1, 9],
    ]);
    const [, service] = parsed.documents;
    expect(service!.locations.get(pathKey(["spec", "ports", 0]))).toEqual({
      file: "apps/all.yaml",
      line: 15,
    });
    expect(service!.locations.get(pathKey(["spec", "ports", 0, "name"]))).toEqual({
      file: "apps/all.yaml",
      line: 16,
    });
    expect(parsed.documents[0]!.locations.get(pathKey(["data", "key"]))).toEqual({
      file: "apps/all.yaml",
      line: 7,
    });
  });

  it("resolves merge keys and anchors into plain values", () => {
    const parsed = parseFile("x.yaml", "base: &base {a: 1, b: 2}\nd:\n  <<: *base\n  b: 3\n", "head");

    expect(parsed.documents[0]!.value).toEqual({ base: { a: 1, b: 2 }, d: { a: 1, b: 3 } });
  });

  it("leaves recognising documents to its classifier", () => {
    const parsed = parseFile("a.yaml", "kind: X\n---\n---\n", "head", DEFAULT_LIMITS, (_path, value) =>
      value === null ? "empty" : "kubernetes-object",
    );
    expect(parsed.documents.map((doc) => doc.kind)).toEqual(["kubernetes-object", "empty", "empty"]);
    expect(parseFile("a.yaml", "kind: X\n", "head").documents[0]!.kind).toBe("unknown");
  });

  it("turns malformed YAML into a yaml-syntax problem at its line, keeping the other documents", () => {
    const text = "a: 1\n---\nb: c: d\ne: 3\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";

    const parsed = parseFile("apps/broken.yaml", text, "head");

    expect(parsed.problems).toEqual([
      {
        code: "yaml-syntax",
        file: "apps/broken.yaml",
        side: "head",
        line: 3,
        message: expect.stringMatching(/^YAML syntax error: .+/),
      },
    ]);
    expect(parsed.documents.map((doc) => [doc.index, doc.line])).toEqual([
      [0, 1],
      [2, 6],
    ]);
  });

  it("stops a YAML bomb at the alias limit with a clear message", () => {
    const started = Date.now();

    const parsed = parseFile("bomb.yaml", `ok: 1\n---\n${YAML_BOMB}`, "head");

    expect(Date.now() - started).toBeLessThan(2000);
    expect(parsed.problems).toEqual([
      {
        code: "alias-limit",
        file: "bomb.yaml",
        side: "head",
        line: 3,
        message: `YAML aliases expand past the limit of ${DEFAULT_LIMITS.maxAliasCount} (a "YAML bomb"?); document 2 was not reviewed.`,
      },
    ]);
    expect(parsed.documents.map((doc) => doc.value)).toEqual([{ ok: 1 }]);
  });

  it("rejects a document nested deeper than the limit", () => {
    const parsed = parseFile("deep.yaml", `a: 1\n---\n${nestedBlock(DEFAULT_LIMITS.maxDepth + 1)}`, "head");

    expect(parsed.problems).toEqual([
      {
        code: "depth-limit",
        file: "deep.yaml",
        side: "head",
        line: 3,
        message: `YAML nesting is deeper than ${DEFAULT_LIMITS.maxDepth} levels; document 2 was not reviewed.`,
      },
    ]);
    expect(parsed.documents).toHaveLength(1);
  });

  it("accepts nesting right at the limit", () => {
    // nestedBlock(n) has n maps plus the leaf: depth n + 1 from the root map.
    const parsed = parseFile("ok.yaml", nestedBlock(DEFAULT_LIMITS.maxDepth - 1), "head");

    expect(parsed.problems).toEqual([]);
  });

  it.each([1000, 20000])(
    "reports %i nested flow lists as a depth problem, not a stack overflow",
    (levels) => {
      const parsed = parseFile("deep.yaml", `root: ${"[".repeat(levels)}${"]".repeat(levels)}\n`, "head");

      expect(parsed.problems).toEqual([
        expect.objectContaining({
          code: "depth-limit",
          line: 1,
          message: expect.stringMatching(/deeper than/),
        }),
      ]);
    },
  );

  it("does not read a file over the size limit", () => {
    const parsed = parseFile("big.yaml", "a: 1\n", "base", { ...DEFAULT_LIMITS, maxFileBytes: 4 });

    expect(parsed).toEqual({
      file: "big.yaml",
      side: "base",
      format: "unreadable",
      documents: [],
      problems: [
        {
          code: "file-too-large",
          file: "big.yaml",
          side: "base",
          line: null,
          message: "5 bytes is over the 4-byte limit; the file was not reviewed.",
        },
      ],
    });
  });

  it("does not read a file with more documents than the limit", () => {
    const parsed = parseFile("many.yaml", "a: 1\n---\nb: 2\n---\nc: 3\n", "head", {
      ...DEFAULT_LIMITS,
      maxDocuments: 2,
    });

    expect(parsed.problems).toEqual([expect.objectContaining({ code: "file-too-large", line: null })]);
    expect(parsed.documents).toEqual([]);
  });

  it("reports a chart template as a Helm template without parsing it", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n";

    const parsed = parseFile("charts/web/templates/configmap.yaml", text, "head");

    expect(parsed.format).toBe("helm-template");
    expect(parsed.documents).toEqual([]);
    expect(parsed.problems).toEqual([
      {
        code: "helm-template",
        file: "charts/web/templates/configmap.yaml",
        side: "head",
        line: null,
        message: expect.stringMatching(/^Helm template \(\{\{ \}\}\)/),
      },
    ]);
  });

  it("reports a template outside templates/ that is not valid YAML as a Helm template at its line", () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    {{- include "labels" . | nindent 4 }}\n';

    const parsed = parseFile("apps/configmap.yaml", text, "head");

    expect(parsed.problems).toEqual([expect.objectContaining({ code: "helm-template", line: 6 })]);
  });

  it("parses a manifest whose strings merely contain {{ }} (Argo CD templates, alert rules)", () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  summary: "{{ $labels.pod }} is down"\n';

    const parsed = parseFile("apps/alerts.yaml", text, "head");

    expect(parsed.problems).toEqual([]);
    expect(parsed.documents[0]!.value).toMatchObject({ data: { summary: "{{ $labels.pod }} is down" } });
  });

  it("looks for {{ }} in linear time: a file of `{` without `}}` is plain YAML", () => {
    const braces = "{".repeat(300_000);
    const started = performance.now();

    const parsed = parseFile("apps/values.yaml", `x: '${braces}'\n`, "head");

    expect(performance.now() - started).toBeLessThan(2000); // the old regex took seconds here
    expect([parsed.format, parsed.problems]).toEqual(["yaml", []]);
    expect(parsed.documents[0]!.value).toEqual({ x: braces });
  });

  it("reads YAML 1.1 tags (!!set, !!omap, !!binary) as plain data, so edits under them are diffed", () => {
    const values = (hosts: string, level: string) =>
      `allowedHosts: !!set\n  ? ${hosts}\n  ? api.example.com\nenv: !!omap\n  - LOG_LEVEL: ${level}\n  - PORT: 8080\ncert: !!binary aGVsbG8=\n`;
    const base = parseFile("apps/values.yaml", values("grafana.example.com", "info"), "base");
    const head = parseFile("apps/values.yaml", values("evil.example.net", "debug"), "head");

    expect(base.problems).toEqual([]);
    expect(base.documents[0]!.value).toEqual({
      allowedHosts: { "grafana.example.com": null, "api.example.com": null },
      env: [{ LOG_LEVEL: "info" }, { PORT: 8080 }],
      cert: "aGVsbG8=",
    });
    expect(diffValues(base.documents[0]!, head.documents[0]!).map(({ op, path }) => `${op} ${path}`)).toEqual(
      [
        'removed allowedHosts["grafana.example.com"]',
        'added allowedHosts["evil.example.net"]',
        "changed env[0].LOG_LEVEL",
      ],
    );
  });

  it("reports a file the YAML parser runs out of stack on as a problem instead of throwing", () => {
    const parsed = parseFile("monitoring/disk-alerts.yaml", strayListItem(6000), "head");

    expect(parsed.format).toBe("unreadable");
    expect(parsed.problems).toEqual([
      {
        code: "yaml-syntax",
        file: "monitoring/disk-alerts.yaml",
        side: "head",
        line: null,
        message:
          "The YAML parser ran out of stack on this file (badly broken indentation?); it was not reviewed.",
      },
    ]);
    // A few rules broken the same way are only syntax errors at their lines.
    expect(parseFile("monitoring/disk-alerts.yaml", strayListItem(20), "head").problems[0]).toMatchObject({
      code: "yaml-syntax",
      line: 4,
    });
  });

  it("keeps warnings about odd YAML out of the process log", () => {
    const warnings = jest.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const parsed = parseFile("apps/values.yaml", "? {name: web, port: 80}\n: exposed\n", "head");

      expect(parsed.documents[0]!.value).toEqual({ "{ name: web, port: 80 }": "exposed" });
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
    }
  });
});
