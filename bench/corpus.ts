/** The shared corpus of real GitOps changes (../shared/corpus beside the project), when present. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../src/package-root.js";

export interface CorpusExpectation {
  severity: string;
  kind: string;
  path: string;
  resource?: string;
  detail: string;
}

export interface CorpusCase {
  id: string;
  dir: string;
  before: string;
  after: string;
  expect: CorpusExpectation[];
  summary: string;
}

export function corpusDir(): string {
  return process.env.GITOPS_REVIEW_CORPUS ?? join(packageRoot(), "..", "shared", "corpus");
}

export function loadCorpus(): CorpusCase[] {
  const casesDir = join(corpusDir(), "cases");
  if (!existsSync(casesDir)) return [];
  return readdirSync(casesDir)
    .sort()
    .filter((id) => existsSync(join(casesDir, id, "case.json")))
    .map((id) => {
      const dir = join(casesDir, id);
      const meta = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as {
        expect?: CorpusExpectation[];
        summary?: string;
      };
      return {
        id,
        dir,
        before: join(dir, "before"),
        after: join(dir, "after"),
        expect: meta.expect ?? [],
        summary: meta.summary ?? "",
      };
    });
}
