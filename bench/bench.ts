/**
 * `npm run bench`: the engine over every corpus case (and a synthetic large PR), reporting wall
 * time and peak memory. Goals live here, not in timed tests: the whole corpus should review in
 * well under 5 s and 300 MiB RSS on a 2-core machine.
 */
import { rules as catalogue } from "../rules/index.js";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { withCustomRules } from "../src/custom-rules/custom-rule.js";
import { diffValues } from "../src/diff/semantic-diff.js";
import { parseConfig } from "../src/engine/config.js";
import { reviewChangeSet } from "../src/engine/review.js";
import { changeSetFromFolders } from "../src/source/folders.js";
import { benchBuild } from "./build-bench.js";
import { corpusDir, loadCorpus } from "./corpus.js";

const GOALS = { corpusMs: 5000, peakRssMiB: 300, buildRatio: 1.3, customRulesMs: 300 };

/** Three custom rules of the kinds the docs show: values, every object, the change. */
const CUSTOM = parseConfig({
  customRules: [
    {
      id: "replicas",
      title: "R",
      severity: "low",
      match: { releases: true },
      message: "m",
      expression: "has(values.replicaCount) && values.replicaCount > 2 && change.status == 'modified'",
    },
    {
      id: "owner",
      title: "O",
      severity: "low",
      match: { kinds: ["*"] },
      message: "m",
      expression: "!has(object.metadata.labels) || !('example.com/owner' in object.metadata.labels)",
    },
    {
      id: "image",
      title: "I",
      severity: "low",
      match: { releases: true },
      message: "m",
      expression:
        "change.paths.exists(p, p.startsWith('image.')) && values.image.tag.matches('^1\\\\.[0-9]+\\\\.0$')",
    },
  ],
});
if (!CUSTOM.ok) throw new Error(CUSTOM.errors.join("; "));

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);

async function reviewFolders(before: string, after: string, ruleSet = catalogue) {
  const { changeSet, contextReader } = await changeSetFromFolders(before, after);
  return reviewChangeSet(changeSet, { contextReader, rules: ruleSet });
}

/** 300 changed values files of a realistic size: the App's 300-file PR, offline. */
function syntheticLargePr(): string {
  const root = mkdtempSync(join(tmpdir(), "gitops-bench-"));
  for (const side of ["before", "after"]) {
    for (let i = 0; i < 300; i++) {
      const dir = join(root, side, "apps", `app-${i}`);
      mkdirSync(dir, { recursive: true });
      const replicas = side === "before" ? 2 : 3;
      const env = Array.from({ length: 40 }, (_, j) => `    - name: VAR_${j}\n      value: "v${j}"`).join(
        "\n",
      );
      writeFileSync(
        join(dir, "values.yaml"),
        `replicaCount: ${replicas}\nimage:\n  repository: ghcr.io/example/app-${i}\n  tag: "1.${side === "before" ? 0 : 1}.0"\npersistence:\n  enabled: true\n  path: /data\ncontainer:\n  env:\n${env}\n`,
      );
    }
  }
  return root;
}

/**
 * Two versions of a 10,000-item list without a merge key (alerting rules), diffed in order: one
 * insert at the top (one change), and every item edited (past the alignment bound, by position).
 */
function keylessListTimes(): { insertMs: number; rewriteMs: number } {
  const rules = Array.from({ length: 10_000 }, (_, i) => ({
    alert: `HostDisk${i}Filling`,
    expr: `node_filesystem_avail_bytes{device="sd${i}"} < 1e9`,
    for: "15m",
  }));
  const located = (items: unknown[]) => ({
    value: { groups: [{ name: "disks", rules: items }] },
    locations: new Map(),
  });
  let t = performance.now();
  diffValues(located(rules), located([{ alert: "HostDiskReadOnly" }, ...rules]));
  const insertMs = performance.now() - t;
  t = performance.now();
  diffValues(located(rules), located(rules.map((rule) => ({ ...rule, for: "5m" }))));
  return { insertMs, rewriteMs: performance.now() - t };
}

const cases = loadCorpus();
const results: { id: string; ms: number; findings: number; subjects: number }[] = [];
const started = performance.now();
for (const corpusCase of cases) {
  const t0 = performance.now();
  const review = await reviewFolders(corpusCase.before, corpusCase.after);
  results.push({
    id: corpusCase.id,
    ms: performance.now() - t0,
    findings: review.findings.length,
    subjects: review.pairs.filter((p) => p.status !== "unchanged").length,
  });
}
const corpusMs = performance.now() - started;

const large = syntheticLargePr();
const t0 = performance.now();
const largeReview = await reviewFolders(join(large, "before"), join(large, "after"));
const largeMs = performance.now() - t0;
// The custom rules' own time: each evaluate() call, conversion of the subjects to CEL included.
let customMs = 0;
const timedCustom = withCustomRules([], CUSTOM.config).map((rule) => ({
  ...rule,
  evaluate(context: Parameters<typeof rule.evaluate>[0]) {
    const t = performance.now();
    try {
      return rule.evaluate(context);
    } finally {
      customMs += performance.now() - t;
    }
  },
}));
const customReview = await reviewFolders(join(large, "before"), join(large, "after"), [
  ...catalogue,
  ...timedCustom,
]);
const customFindings = customReview.findings.filter((finding) => finding.ruleId.startsWith("custom/")).length;
rmSync(large, { recursive: true, force: true });
const keyless = keylessListTimes();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 5);
const peakMiB = peakRss / 1024 / 1024;
console.log(`corpus: ${cases.length} cases in ${corpusMs.toFixed(0)} ms (goal < ${GOALS.corpusMs} ms)`);
for (const r of slowest)
  console.log(`  ${r.id}: ${r.ms.toFixed(1)} ms, ${r.subjects} subjects, ${r.findings} findings`);
console.log(`synthetic 300-file PR: ${largeMs.toFixed(0)} ms, ${largeReview.findings.length} findings`);
console.log(
  `  3 custom rules on it: ${customMs.toFixed(0)} ms, ${customFindings} custom findings (goal < ${GOALS.customRulesMs} ms)`,
);
console.log(
  `10,000-item keyless list: insert at top ${keyless.insertMs.toFixed(0)} ms, every item edited ${keyless.rewriteMs.toFixed(0)} ms`,
);
console.log(`peak RSS: ${peakMiB.toFixed(0)} MiB (goal < ${GOALS.peakRssMiB} MiB)`);
if (cases.length === 0)
  console.log("(corpus not found: set GITOPS_REVIEW_CORPUS or place it at ../shared/corpus)");

// Build: src/build against the bare helm template calls (peak RSS above is measured without it).
const chartRepo = join(corpusDir(), "charts", "repo");
let buildMissed = false;
if (existsSync(join(chartRepo, "index.yaml"))) {
  const build = await benchBuild(chartRepo);
  console.log(
    `build: ${build.releases} releases in ${build.buildMs.toFixed(0)} ms through src/build, ${build.bareMs.toFixed(0)} ms as bare helm template calls: ${build.ratio.toFixed(2)}x (goal <= ${GOALS.buildRatio}x)`,
  );
  console.log(
    `  second run: ${build.secondRunMs.toFixed(1)} ms, cache hit rate ${(build.secondRunHitRate * 100).toFixed(0)}%`,
  );
  for (const failure of build.failures) console.log(`  render failed: ${failure}`);
  buildMissed = build.ratio > GOALS.buildRatio || build.failures.length > 0;
} else {
  console.log("build: skipped (no chart repository in the corpus)");
}
if (
  corpusMs > GOALS.corpusMs ||
  peakMiB > GOALS.peakRssMiB ||
  buildMissed ||
  customMs > GOALS.customRulesMs
) {
  console.log("GOAL MISSED");
  process.exitCode = 1;
}
