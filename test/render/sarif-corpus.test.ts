/**
 * SARIF of every case of the shared corpus of real GitOps changes validates against the SARIF
 * 2.1.0 schema and places every finding. Skipped when the corpus is absent.
 */
import { describe, expect, it } from "@jest/globals";
import { rules as catalogue } from "../../rules/index.js";
import { loadCorpus } from "../../bench/corpus.js";
import { readRuleHelp } from "../../src/docs/rule-help.js";
import { defaultConfig } from "../../src/engine/config.js";
import { buildReport } from "../../src/engine/pipeline.js";
import { FINGERPRINT_KEY, renderSarif } from "../../src/render/sarif.js";
import { changeSetFromFolders } from "../../src/source/folders.js";
import { sarifSchemaErrors } from "../support/sarif-schema.js";

const cases = loadCorpus();
const describeCorpus = cases.length > 0 ? describe : describe.skip;

interface Result {
  ruleId: string;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
  partialFingerprints: Record<string, string>;
}

describeCorpus("SARIF of the corpus cases", () => {
  it.each(cases.map((c) => [c.id, c] as const))(
    "%s: valid SARIF 2.1.0, every finding placed",
    async (_id, corpusCase) => {
      const { changeSet, contextReader } = await changeSetFromFolders(corpusCase.before, corpusCase.after);
      const report = await buildReport({
        changeSet,
        contextReader,
        rules: catalogue,
        config: defaultConfig(),
      });
      const log = JSON.parse(
        renderSarif({ report, toolVersion: "0.0.0", help: await readRuleHelp(catalogue) }),
      ) as { runs: { results: Result[] }[] };

      expect(sarifSchemaErrors(log)).toEqual([]);
      const placed = report.findings.filter((finding) => finding.location.path !== "");
      expect(
        log.runs[0]!.results.map((r) => [
          r.ruleId,
          decodeURIComponent(r.locations[0]!.physicalLocation.artifactLocation.uri),
          r.locations[0]!.physicalLocation.region?.startLine ?? null,
        ]),
      ).toEqual(placed.map((f) => [f.ruleId, f.location.path, f.location.line]));
      const fingerprints = log.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
      expect(new Set(fingerprints).size).toBe(fingerprints.length);
    },
  );
});
