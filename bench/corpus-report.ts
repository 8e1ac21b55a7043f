/**
 * `npm run corpus-report`: for each corpus case, what a careful reviewer expected (case.json) next
 * to what the review found, as a Markdown table. A reading aid, not a test: the expectations are
 * one reviewer's reading.
 */
import { rules as catalogue } from "../rules/index.js";
import { reviewChangeSet } from "../src/engine/review.js";
import { severityRank, type Finding } from "../src/engine/types.js";
import { changeSetFromFolders } from "../src/source/folders.js";
import { loadCorpus } from "./corpus.js";

function summarize(findings: readonly Finding[]): string {
  const counts = new Map<string, number>();
  for (const finding of findings) {
    const key = `${finding.severity} ${finding.ruleId}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort(
      ([a], [b]) =>
        severityRank(b.split(" ")[0] as Finding["severity"]) -
        severityRank(a.split(" ")[0] as Finding["severity"]),
    )
    .map(([key, n]) => (n > 1 ? `${key} ×${n}` : key))
    .join("; ");
}

console.log("| case | expected | found |");
console.log("| --- | --- | --- |");
for (const corpusCase of loadCorpus()) {
  const { changeSet, contextReader } = await changeSetFromFolders(corpusCase.before, corpusCase.after);
  const review = await reviewChangeSet(changeSet, { contextReader, rules: catalogue });
  const expected = corpusCase.expect.map((e) => `${e.severity} ${e.kind}`).join("; ") || "(benign)";
  console.log(`| ${corpusCase.id} | ${expected} | ${summarize(review.findings) || "(nothing)"} |`);
}
