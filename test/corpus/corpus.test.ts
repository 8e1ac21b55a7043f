/**
 * The engine on real GitOps changes from public repositories (../shared/corpus). Skipped when the
 * corpus is absent, so a clone elsewhere still passes. The files belong to other projects: they are
 * read in place, never copied here.
 */
import { rules as catalogue } from "../../rules/index.js";
import { describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadCorpus } from "../../bench/corpus.js";
import { defaultConfig } from "../../src/engine/config.js";
import { buildReport } from "../../src/engine/pipeline.js";
import { SEVERITIES, atLeast } from "../../src/engine/types.js";
import { renderJson } from "../../src/render/json.js";
import { changeSetFromFolders } from "../../src/source/folders.js";

const cases = loadCorpus();
const describeCorpus = cases.length > 0 ? describe : describe.skip;

async function review(id: string) {
  const corpusCase = cases.find((c) => c.id === id);
  if (!corpusCase) throw new Error(`corpus case ${id} missing`);
  const { changeSet, contextReader } = await changeSetFromFolders(corpusCase.before, corpusCase.after);
  return buildReport({ changeSet, contextReader, rules: catalogue, config: defaultConfig() });
}

/** Commits a reviewer reads as routine: nothing at medium or above may fire. */
const BENIGN = ["onedr0p-radarr-image-patch", "onedr0p-rook-ceph-helmrelease-timeout"];

describeCorpus("corpus of real GitOps changes", () => {
  it.each(cases.map((c) => [c.id, c] as const))(
    "%s: reviews without a crash and renders valid JSON",
    async (_id, corpusCase) => {
      const result = await review(corpusCase.id);
      const json = JSON.parse(renderJson(result)) as {
        findings: { ruleId: string; severity: string; path: string; line: number | null; message: string }[];
        subjects: unknown[];
      };
      expect(result.inScope).toBe(true);
      // Every case changes something the engine can read, or says why it could not (Helm templates).
      expect(json.subjects.length + result.problems.length).toBeGreaterThan(0);
      for (const finding of json.findings) {
        expect(SEVERITIES).toContain(finding.severity);
        expect(finding.ruleId).not.toBe("internal-error");
        expect(finding.message.length).toBeGreaterThan(0);
        if (finding.path) {
          const side =
            existsSync(join(corpusCase.after, finding.path)) ||
            existsSync(join(corpusCase.before, finding.path));
          expect(side).toBe(true);
        }
      }
    },
  );

  it.each([
    [
      "traefik-acme-volume-incident",
      "volume-shadows-persistence",
      "infrastructure/controllers/traefik/helmrelease.yaml",
      76,
    ],
    [
      "traefik-acme-volume-incident-chart41",
      "volume-shadows-persistence",
      "clusters/prod/traefik/helmrelease.yaml",
      69,
    ],
    [
      "traefik-delete-ingress-controller",
      "ingress-controller-removed",
      "infrastructure/controllers/traefik-ingress.yaml",
      20,
    ],
  ])("%s: critical %s at %s:%i", async (id, ruleId, path, line) => {
    const result = await review(id);
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId, severity: "critical", location: { path, line, side: "head" } }),
      ]),
    );
  });

  it.each(BENIGN)("%s (benign) gives nothing at medium or above", async (id) => {
    const result = await review(id);
    expect(result.findings.filter((f) => atLeast(f.severity, "medium"))).toEqual([]);
  });
});
