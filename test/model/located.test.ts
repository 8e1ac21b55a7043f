import { describe, expect, it } from "@jest/globals";
import { mergeLayers, parseDottedPath, setDotted } from "../../src/model/located.js";
import { parseFile } from "../../src/parse/parse-file.js";
import type { LocatedValue } from "../../src/parse/types.js";
import { pathKey } from "../../src/parse/types.js";

function layer(file: string, text: string): LocatedValue {
  const [doc] = parseFile(file, text, "head").documents;
  return { value: doc!.value, locations: doc!.locations };
}

function at(merged: LocatedValue, ...path: (string | number)[]): string | undefined {
  const found = merged.locations.get(pathKey(path));
  return found && `${found.file}:${found.line}`;
}

describe("mergeLayers", () => {
  it("merges like Helm: maps deep-merge, lists and scalars replace, null deletes; provenance per node", () => {
    const defaults = layer("values.yaml", "a:\n  b: 1\n  c: 2\nlist: [1, 2, 3]\ngone: yes\nkeep: k\n");
    const env = layer("values-prod.yaml", "a:\n  c: 3\n  d: 4\nlist: [9]\ngone: null\n");
    const inline = layer("hr.yaml", "a:\n  d: 5\n");

    const merged = mergeLayers([defaults, env, inline]);

    expect(merged.value).toEqual({ a: { b: 1, c: 3, d: 5 }, list: [9], keep: "k" });
    expect(at(merged, "a", "b")).toBe("values.yaml:2");
    expect(at(merged, "a", "c")).toBe("values-prod.yaml:2");
    expect(at(merged, "a", "d")).toBe("hr.yaml:2");
    expect(at(merged, "list")).toBe("values-prod.yaml:4");
    expect(at(merged, "list", 0)).toBe("values-prod.yaml:4");
    expect(at(merged, "list", 1)).toBeUndefined();
    expect(at(merged, "gone")).toBeUndefined();
    expect(at(merged, "keep")).toBe("values.yaml:6");
  });

  it("lets a later map replace a scalar and a later scalar replace a map", () => {
    const merged = mergeLayers([
      layer("a.yaml", "x: 1\ny:\n  z: 1\n"),
      layer("b.yaml", "x:\n  n: 1\ny: off\n"),
    ]);

    expect(merged.value).toEqual({ x: { n: 1 }, y: "off" });
    expect(at(merged, "x", "n")).toBe("b.yaml:2");
  });

  it("skips empty layers and drops a null written only in the lowest layer", () => {
    const merged = mergeLayers([
      layer("a.yaml", "x: null\ny: 1\n"),
      { value: null, locations: new Map() },
      layer("b.yaml", "z: 2\n"),
    ]);

    expect(merged.value).toEqual({ y: 1, z: 2 });
  });

  it("does not share objects with its layers", () => {
    const lower = layer("a.yaml", "m:\n  list: [1]\n");
    const merged = mergeLayers([lower, layer("b.yaml", "n: 1\n")]);

    (merged.value as { m: { list: number[] } }).m.list.push(2);

    expect(lower.value).toEqual({ m: { list: [1] } });
  });
});

describe("merged values stay plain data", () => {
  it("builds maps of this realm (the diff only walks plain objects)", () => {
    const merged = mergeLayers([layer("a.yaml", "m:\n  n:\n    x: 1\n"), layer("b.yaml", "o: 1\n")]);

    const inner = (merged.value as { m: { n: object } }).m.n;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
  });

  it("keeps a `__proto__` key as data, never as a prototype", () => {
    const merged = mergeLayers([
      layer("a.yaml", "x:\n  __proto__:\n    polluted: 1\n  b: 1\n"),
      layer("b.yaml", "x:\n  __proto__:\n    polluted: 2\n"),
    ]);

    const x = (merged.value as { x: object }).x;
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(x, "__proto__")?.value).toEqual({ polluted: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("Helm --set paths", () => {
  it("parses dots, escaped dots and indexes", () => {
    expect(parseDottedPath("a.b\\.c[1].d")).toEqual(["a", "b.c", 1, "d"]);
    expect(parseDottedPath("podAnnotations.prometheus\\.io/scrape")).toEqual([
      "podAnnotations",
      "prometheus.io/scrape",
    ]);
  });

  it("keeps a bracket that is not a list index in the key, never looping or sizing a huge list", () => {
    expect(parseDottedPath("a[1")).toEqual(["a[1"]);
    expect(parseDottedPath("a[x].b")).toEqual(["a[x]", "b"]);
    expect(parseDottedPath("a[]")).toEqual(["a[]"]);
    expect(parseDottedPath("a[4294967294].b")).toEqual(["a[4294967294]", "b"]);
    expect(parseDottedPath("a[65536]")).toEqual(["a", 65536]);
  });

  it("creates maps and lists on the way", () => {
    const root: Record<string, unknown> = { keep: 1 };

    setDotted(root, "ports[0].name", "web");
    setDotted(root, "a.b", true);

    expect(root).toEqual({ keep: 1, ports: [{ name: "web" }], a: { b: true } });
  });

  it("cannot pollute Object.prototype through a parameter name from a pull request", () => {
    const root: Record<string, unknown> = {};

    setDotted(root, "__proto__.polluted", "yes");
    setDotted(root, "constructor.prototype.polluted", "yes");

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(root, "__proto__")?.value).toEqual({ polluted: "yes" });
  });
});
