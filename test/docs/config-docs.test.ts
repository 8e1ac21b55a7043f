import { describe, expect, it } from "@jest/globals";
import Ajv2020 from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../src/engine/config.js";
import { codeBlocks, documentedKeys, readDoc } from "./code-blocks.js";

/** Every page that shows `.github/gitops-review.yml` content in ```yaml blocks. */
const CONFIG_DOCS = ["configuration.md", "custom-rules.md"];

const schema = JSON.parse(readDoc("config.schema.json")) as Record<string, unknown>;
const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);

const examples = CONFIG_DOCS.flatMap((doc) =>
  codeBlocks(readDoc(doc))
    .filter((block) => block.info === "yaml")
    .map((block) => ({ doc, ...block, config: parseYaml(block.code) as unknown })),
);

describe("the configuration examples in the docs", () => {
  it("are there to check", () => {
    // configuration.md's full example; custom-rules.md's shape, has() example and three worked examples.
    expect(examples.filter((example) => example.config !== null).length).toBeGreaterThanOrEqual(6);
  });

  it.each(
    examples.filter((example) => example.config !== null).map((e) => [`${e.doc}:${e.line}`, e] as const),
  )("%s validates against docs/config.schema.json and parses", (_, example) => {
    const valid = validate(example.config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(parseConfig(example.config)).toMatchObject({ ok: true });
  });

  it("the schema is no rubber stamp: it refuses a mistyped key and a wrong severity", () => {
    expect(validate({ gate: { severty: "high" } })).toBe(false);
    expect(validate({ customRules: [{ id: "x", title: "x", severity: "urgent" }] })).toBe(false);
    expect(validate({ _extends: "acme/.github", rules: { "custom/lb-needs-pinned-ip": "off" } })).toBe(true);
    const rule = { id: "x", title: "X", severity: "low", expression: "true", message: "m" };
    expect(validate({ customRules: [{ ...rule, match: { kinds: ["Service"] } }] })).toBe(true);
    expect(validate({ customRules: [{ ...rule, match: { releases: true } }] })).toBe(true);
    expect(validate({ customRules: [{ ...rule, match: { kinds: ["Service"], releases: true } }] })).toBe(
      false,
    );
    expect(validate({ customRules: [{ ...rule, match: { paths: ["a/**"] } }] })).toBe(false);
  });

  it("the broken configuration in custom-rules.md fails with exactly the errors shown after it", () => {
    const blocks = codeBlocks(readDoc("custom-rules.md"));
    const index = blocks.findIndex((block) => block.info === "yaml invalid");
    expect(index).toBeGreaterThanOrEqual(0);
    const shown = blocks[index + 1]!;
    expect(shown.info).toBe("text");
    expect(parseConfig(parseYaml(blocks[index]!.code))).toEqual({
      ok: false,
      errors: shown.code.trimEnd().split("\n"),
    });
  });
});

/** Follows a documented key (`gate.approvals.<severity>`, `customRules[].match.kinds`) in the schema. */
function schemaAt(key: string): Record<string, unknown> | null {
  let node: Record<string, unknown> | undefined = schema;
  for (const segment of key.split(".")) {
    for (const part of segment.split(/(?=\[\])/)) {
      if (!node) return null;
      if (part === "[]") {
        node = node.items as Record<string, unknown> | undefined;
        continue;
      }
      const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
      node = /^<.*>$/.test(part)
        ? ((node.additionalProperties as Record<string, unknown> | undefined) ?? undefined)
        : properties?.[part];
    }
  }
  return node ?? null;
}

describe("the keys documented in the docs' tables", () => {
  const keys = CONFIG_DOCS.flatMap((doc) => documentedKeys(readDoc(doc)).map((key) => [doc, key]));

  it("are read from the tables", () => {
    expect(keys.map(([, key]) => key)).toEqual(
      expect.arrayContaining(["_extends", "rules.<rule-id>", "labels.medium", "customRules[].failurePolicy"]),
    );
  });

  it.each(keys)("%s: %s is in the schema", (_, key) => {
    expect(schemaAt(key!)).not.toBeNull();
  });

  it("cover every key of the schema's top level", () => {
    const top = new Set(keys.map(([, key]) => key!.split(/[.[]/)[0]));
    expect([...Object.keys(schema.properties as object)].filter((key) => !top.has(key))).toEqual([]);
  });
});
