/**
 * Fuzz: real-shaped YAML edits (lines deleted, swapped, duplicated, re-indented, files cut short,
 * byte noise) on real-looking GitOps files, each reviewed against its original by the whole
 * engine. No case may throw, run past 10 s, or find a change between a file and itself.
 *
 * The default run is small enough for CI. More: GITOPS_REVIEW_FUZZ_CASES=20000 (and
 * GITOPS_REVIEW_FUZZ_SEED=<n> for another sequence); one case: GITOPS_REVIEW_FUZZ_REPLAY=<case seed>.
 */
import { describe, expect, it } from "@jest/globals";
import { loadCorpus } from "../../bench/corpus.js";
import { describeFailure, runFuzz } from "./fuzz/fuzz-runner.js";
import { mutateYaml, seededRandom } from "./fuzz/yaml-mutations.js";

const number = (text: string | undefined): number | undefined =>
  text === undefined || text === "" ? undefined : Number(text);

const CASES = number(process.env.GITOPS_REVIEW_FUZZ_CASES) ?? 300;
const SEED = number(process.env.GITOPS_REVIEW_FUZZ_SEED) ?? 0x5eed;
const REPLAY = number(process.env.GITOPS_REVIEW_FUZZ_REPLAY);
const CASE_TIMEOUT_MS = 10_000;
const corpus = loadCorpus().length > 0;

describe("review fuzz", () => {
  it(
    `reviews ${REPLAY === undefined ? CASES : 1} mutated files (seed ${SEED}, corpus ${corpus ? "included" : "absent"}) without a crash, a hang or a self-difference`,
    async () => {
      const report = await runFuzz({
        cases: CASES,
        seed: SEED,
        ...(REPLAY === undefined ? {} : { replay: REPLAY }),
        caseTimeoutMs: CASE_TIMEOUT_MS,
        corpus,
      });
      if (process.env.GITOPS_REVIEW_FUZZ_CASES || REPLAY !== undefined) {
        console.log(
          `fuzz: ${report.cases} cases (${report.unreadable} unreadable, ${report.changed} with changes), ${report.crashes} crashes, ${report.hangs} hangs, slowest case ${report.slowestMs.toFixed(0)} ms`,
        );
      }
      expect(report.failures.map(describeFailure)).toEqual([]);
      expect(report.cases).toBe(REPLAY === undefined ? CASES : 1);
      // The edits must reach both the parser's refusals and the semantic diff, or the run proves little.
      if (REPLAY === undefined) {
        expect(report.unreadable).toBeGreaterThan(CASES / 10);
        expect(report.changed).toBeGreaterThan(CASES / 4);
      }
    },
    60_000 + CASES * 200,
  );

  it("draws the same edits from the same seed, and different ones from another", () => {
    const text = "image:\n  repository: traefik\n  tag: v3.1.2\nports:\n  web:\n    port: 8000\n";
    const first = mutateYaml(text, seededRandom(42));
    expect(mutateYaml(text, seededRandom(42))).toEqual(first);
    expect(first.text).not.toBe(text);
    const others = [1, 2, 3, 4, 5].map((seed) => mutateYaml(text, seededRandom(seed)).steps.join());
    expect(new Set([first.steps.join(), ...others]).size).toBeGreaterThan(3);
  });

  it("reports a hang, a dead process and a crash, each with its case, and carries on", async () => {
    const report = await runFuzz({
      cases: 5,
      seed: 7,
      caseTimeoutMs: 1500,
      corpus: false,
      processModule: new URL("./fuzz/probe-process.ts", import.meta.url),
    });
    expect(report).toMatchObject({ cases: 5, hangs: 1, crashes: 2 });
    expect(report.failures.map((failure) => failure.problems)).toEqual([
      ["no answer within 1500 ms"],
      [expect.stringContaining("review process exited (code 3)")],
      ["crash: probe"],
    ]);
    expect(describeFailure(report.failures[0]!)).toMatch(
      /^case seed 0x[0-9a-f]{8} \(replay: GITOPS_REVIEW_FUZZ_REPLAY=0x[0-9a-f]{8} npm test/,
    );
  });
});
