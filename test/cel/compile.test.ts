import { describe, expect, it } from "@jest/globals";
import { parse as parseYaml } from "yaml";
import { compileExpression, describeProblem, type CelProgram } from "../../src/cel/compile.js";
import { toCelInput } from "../../src/cel/input.js";
import { withTimeLimit } from "../../src/cel/time-limit.js";

const OBJECT_VARIABLES = ["object", "oldObject", "change"];

function compiled(source: string, variables = OBJECT_VARIABLES): CelProgram {
  const result = compileExpression(source, variables);
  if (!result.ok) throw new Error(describeProblem(result.problem, source));
  return result.program;
}

function problemOf(source: string, variables = OBJECT_VARIABLES): string {
  const result = compileExpression(source, variables);
  if (result.ok) throw new Error(`expected ${source} not to compile`);
  return describeProblem(result.problem, source);
}

const SERVICE = parseYaml(`
apiVersion: v1
kind: Service
metadata:
  name: Ingress-LB
  namespace: edge
  annotations:
    __proto__: not-a-prototype
spec:
  type: LoadBalancer
  replicas: 3
  weight: 0.5
  huge: 123456789012345678901234567890
  ports:
    - { name: http, port: 80 }
    - { name: https, port: 443 }
`) as unknown;

describe("compileExpression", () => {
  it.each([
    ["object.spec.type == 'LoadBalancer", 'line 1, column 21 (near "\'LoadBalancer"): unterminated string'],
    [
      "object.spec.ports.exists(p, p.port == 80",
      'line 1, column 25 (near "(p, p.port == 80"): "(" is never closed',
    ],
    ["object.spec.ports[0]) == 1", 'line 1, column 21 (near ") == 1"): ")" closes nothing'],
    [
      "object.spec.type = 'x'",
      "line 1, column 18 (near \"= 'x'\"): syntax error: found = but expecting end of input",
    ],
    [
      "object.spec.type == 'x' &&\n  objet.spec.type != 'y'",
      'line 2, column 3 (near "objet.spec.type != \'…"): unknown variable "objet" (this rule has change, object, oldObject)',
    ],
    [
      "object.metadata.name.shout() == 'x'",
      'line 1, column 21 (near ".shout() == \'x\'"): unknown function "shout"',
    ],
    [
      "k8s.io.Thing{name: 'x'} == object",
      'line 1, column 1 (near "k8s.io.Thing{name: \'…"): message types such as "k8s.io.Thing" are not available',
    ],
  ])("refuses %j at the position a person would look: %s", (source, expected) => {
    expect(problemOf(source)).toBe(expected);
  });

  it("knows the variables of a release rule apart from those of an object rule", () => {
    expect(
      problemOf("object.spec.replicas > 1", ["values", "oldValues", "release", "oldRelease", "change"]),
    ).toBe(
      'line 1, column 1 (near "object.spec.replicas…"): unknown variable "object" (this rule has change, oldRelease, oldValues, release, values)',
    );
  });

  it("accepts comprehension variables, has(), type names and the strings extension", () => {
    for (const source of [
      "object.spec.ports.exists(p, p.port == 443) && object.spec.ports.all(p, p.port > 0)",
      "object.spec.ports.map(p, p.name).filter(n, n.startsWith('h')).size() == 2",
      "has(object.spec.loadBalancerIP) || type(object.spec.replicas) == int",
      "object.metadata.name.lowerAscii().split('-')[0] == 'ingress'",
      "// a comment\nobject.spec.type in ['LoadBalancer', r'Node\\Port']",
    ]) {
      expect(compileExpression(source, OBJECT_VARIABLES)).toMatchObject({ ok: true });
    }
  });

  it("refuses an expression longer than the limit", () => {
    expect(problemOf(`${"true && ".repeat(600)}true`)).toBe("the expression is longer than 4096 characters");
  });
});

describe("evaluating", () => {
  const bindings = { object: toCelInput(SERVICE), oldObject: null, change: toCelInput({ status: "added" }) };

  it("sees YAML integers as CEL ints and other numbers as doubles", () => {
    expect(compiled("object.spec.replicas + 1 == 4").evaluate(bindings)).toEqual({ ok: true, value: true });
    expect(
      compiled("type(object.spec.replicas) == int && type(object.spec.weight) == double").evaluate(bindings),
    ).toEqual({
      ok: true,
      value: true,
    });
    expect(compiled("object.spec.ports.exists(p, p.port == 443)").evaluate(bindings)).toEqual({
      ok: true,
      value: true,
    });
    // Beyond 2^53 a YAML integer is already inexact in JavaScript: it stays a double.
    expect(compiled("type(object.spec.huge) == double").evaluate(bindings)).toEqual({
      ok: true,
      value: true,
    });
  });

  it("reads map keys as data, never the prototype", () => {
    expect(
      compiled("object.metadata.annotations['__proto__'] == 'not-a-prototype'").evaluate(bindings),
    ).toEqual({
      ok: true,
      value: true,
    });
    expect(compiled("has(object.metadata.constructor)").evaluate(bindings)).toEqual({
      ok: true,
      value: false,
    });
  });

  it("returns a missing field as a problem with its position, and has() guards it", () => {
    const unguarded = compiled("object.spec.type == 'LoadBalancer' && object.spec.loadBalancerIP == ''");
    const result = unguarded.evaluate(bindings);
    expect(result).toEqual({
      ok: false,
      problem: { message: "field not found: loadBalancerIP", position: { line: 1, column: 50 } },
    });
    expect(
      compiled("has(object.spec.loadBalancerIP) && object.spec.loadBalancerIP == ''").evaluate(bindings),
    ).toEqual({
      ok: true,
      value: false,
    });
    // CEL's logical operators absorb an error when the other side decides.
    expect(
      compiled("object.spec.missing == 1 || object.spec.type == 'LoadBalancer'").evaluate(bindings),
    ).toEqual({
      ok: true,
      value: true,
    });
    expect(compiled("oldObject.spec.type == 'x'").evaluate(bindings)).toMatchObject({ ok: false });
  });

  it("returns a pattern that does not compile as a problem, and keeps matching others", () => {
    const name = { object: toCelInput({ metadata: { name: "web-1" } }) };
    expect(compiled("object.metadata.name.matches('web-(')").evaluate(name)).toMatchObject({ ok: false });
    expect(compiled("object.metadata.name.matches('^web-[0-9]+$')").evaluate(name)).toEqual({
      ok: true,
      value: true,
    });
    expect(compiled("object.metadata.name.matches('^api-')").evaluate(name)).toEqual({
      ok: true,
      value: false,
    });
  });

  it("matches regular expressions with RE2, so a backtracking pattern stays linear", () => {
    const program = compiled("object.metadata.name.matches('^(a+)+$')");
    const started = Date.now();
    const result = program.evaluate({
      ...bindings,
      object: toCelInput({ metadata: { name: `${"a".repeat(5000)}!` } }),
    });
    expect(result).toEqual({ ok: true, value: false });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("toCelInput", () => {
  it("converts shared and cyclic values without looping", () => {
    const shared = { port: 80 };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    const converted = toCelInput(cyclic) as Map<string, unknown>;
    expect(converted.get("a")).toBe(converted.get("b"));
    expect(converted.get("self")).toBe(converted);
    expect((converted.get("a") as Map<string, unknown>).get("port")).toBe(80n);
  });
});

describe("withTimeLimit", () => {
  it("stops a runaway expression and leaves the evaluator usable", () => {
    const ports = Array.from({ length: 3000 }, (_, i) => ({ port: i }));
    const nested = compiled(
      "object.spec.ports.all(a, object.spec.ports.all(b, object.spec.ports.all(c, a.port + b.port + c.port >= 0)))",
    );
    const started = Date.now();
    expect(withTimeLimit(50, () => nested.evaluate({ object: toCelInput({ spec: { ports } }) }))).toEqual({
      ok: false,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    const quick = compiled("1 + 1 == 2");
    expect(withTimeLimit(5000, () => quick.evaluate({}))).toEqual({
      ok: true,
      value: { ok: true, value: true },
    });
  });

  it("passes other errors through", () => {
    expect(() =>
      withTimeLimit(50, () => {
        throw new RangeError("not a timeout");
      }),
    ).toThrow("not a timeout");
  });
});
