/**
 * action.yml is what `uses: <owner>/gitops-review-bot@v1` runs: its inputs reach the entry point,
 * its outputs are the ones the entry point sets, and the documented workflows use only real inputs.
 */
import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { readInputs } from "../../src/action/inputs.js";
import { codeBlocks } from "../docs/code-blocks.js";

const ROOT = join(import.meta.dirname, "../..");

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: {
    using: string;
    steps: {
      uses?: string;
      run?: string;
      id?: string;
      env?: Record<string, string>;
      with?: Record<string, string>;
    }[];
  };
}

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as ActionYml;
const reviewStep = action.runs.steps.find((step) => step.id === "review")!;

/** `fail-on` -> `INPUT_FAIL_ON`, the name the entry point reads. */
const envName = (input: string) => `INPUT_${input.toUpperCase().replace(/-/g, "_")}`;

describe("action.yml", () => {
  it("is a composite action whose last step starts the committed entry point", () => {
    expect(action.runs.using).toBe("composite");
    expect(reviewStep.run).toBe('node "$GITHUB_ACTION_PATH/bin/gitops-review-action.js"');
    expect(existsSync(join(ROOT, "bin/gitops-review-action.js"))).toBe(true);
    expect(action.runs.steps.some((step) => step.run?.startsWith("npm ci"))).toBe(true);
  });

  it("hands every input to the entry point, which reads them with their defaults", () => {
    const passed = Object.keys(action.inputs).filter((name) => name !== "node-version");
    expect(Object.keys(reviewStep.env ?? {}).sort()).toEqual(passed.map(envName).sort());
    for (const name of passed) expect(reviewStep.env![envName(name)]).toBe(`\${{ inputs.${name} }}`);

    const defaults = Object.fromEntries(
      passed.map((name) => [
        envName(name),
        (action.inputs[name]!.default ?? "").replace("${{ github.token }}", "ghs_x"),
      ]),
    );
    expect(readInputs({ ...defaults, GITHUB_WORKSPACE: "/work/space" })).toEqual({
      repo: "/work/space",
      failOn: "high",
      sarifFile: "/work/space/gitops-review.sarif",
      summary: true,
      comment: false,
      annotations: true,
      config: null,
      token: "ghs_x",
    });
  });

  it("maps each output to the review step's output of the same name", () => {
    for (const [name, output] of Object.entries(action.outputs))
      expect(output.value).toBe(`\${{ steps.review.outputs.${name} }}`);
  });
});

describe("the documented workflows", () => {
  const yamlBlocks = (file: string) =>
    codeBlocks(readFileSync(join(ROOT, file), "utf8"))
      .filter((block) => block.info === "yaml")
      .map((block) => block.code);

  it.each(["docs/github-action.md", "README.md"])(
    "%s uses the Action with real inputs and uploads its SARIF",
    (file) => {
      const steps = yamlBlocks(file)
        .flatMap((block) => parseAllDocuments(block).map((doc) => doc.toJSON() as unknown))
        .flatMap((doc) => stepsOf(doc));
      const uses = steps.filter((step) => step.uses?.includes("/gitops-review-bot@"));
      expect(uses.length).toBeGreaterThan(0);
      for (const step of uses) {
        for (const key of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
        expect(step.id).toBe("review");
      }
      const upload = steps.find((step) => step.uses?.startsWith("github/codeql-action/upload-sarif@"));
      expect(upload?.with?.sarif_file).toBe("${{ steps.review.outputs.sarif-file }}");
    },
  );

  it("grants only the permissions each part needs", () => {
    const workflow = parse(yamlBlocks("docs/github-action.md")[0]!) as {
      permissions: Record<string, string>;
    };
    expect(workflow.permissions).toEqual({
      contents: "read",
      "pull-requests": "write",
      "security-events": "write",
    });
  });
});

interface Step {
  uses?: string;
  id?: string;
  with?: Record<string, string>;
}

function stepsOf(doc: unknown): Step[] {
  if (Array.isArray(doc))
    return doc.filter((item): item is Step => typeof item === "object" && item !== null);
  if (typeof doc !== "object" || doc === null) return [];
  const record = doc as { steps?: unknown; jobs?: Record<string, { steps?: unknown }> };
  return [
    ...stepsOf(record.steps ?? []),
    ...Object.values(record.jobs ?? {}).flatMap((job) => stepsOf(job.steps ?? [])),
  ];
}
