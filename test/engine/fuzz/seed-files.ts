/**
 * Real-looking GitOps YAML to mutate: the bundled examples, every rule fixture, the engine
 * fixtures, the corpus cases when the corpus is present (read in place, never copied), and the
 * hostile inputs the parser must survive. A seed is one side of one of those folders.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { loadCorpus } from "../../../bench/corpus.js";
import { isReviewablePath } from "../../../src/formats/registry.js";
import { nestedBlock, YAML_BOMB } from "../../fixtures/hostile-yaml.js";

const ROOT = join(import.meta.dirname, "../../..");

export interface SeedFolder {
  /** Where it came from, for the failure message: `rules/pvc-changed/__fixtures__/fires-x/base`. */
  label: string;
  /** Every file of the folder by repo-relative path: the other files serve as context. */
  files: Record<string, string>;
}

export interface SeedFile {
  folder: SeedFolder;
  path: string;
}

function readFolder(dir: string, label: string): SeedFolder {
  const files: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files[relative(dir, full).split(sep).join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return { label, files };
}

/** `<parent>/<case>/<side>` folders under `parent`, for each case that has them. */
function sideFolders(parent: string, sides: readonly string[]): string[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .sort()
    .flatMap((name) => sides.map((side) => join(parent, name, side)))
    .filter((dir) => existsSync(dir));
}

function projectFolders(): SeedFolder[] {
  const dirs = [
    ...sideFolders(join(ROOT, "examples"), ["before", "after"]),
    ...readdirSync(join(ROOT, "rules"))
      .sort()
      .flatMap((rule) => sideFolders(join(ROOT, "rules", rule, "__fixtures__"), ["base", "head"])),
    ...sideFolders(join(ROOT, "test/fixtures/engine/__fixtures__"), ["base", "head"]),
  ];
  return dirs.map((dir) => readFolder(dir, relative(ROOT, dir).split(sep).join("/")));
}

function corpusFolders(): SeedFolder[] {
  return loadCorpus().flatMap((corpusCase) => [
    readFolder(corpusCase.before, `corpus/${corpusCase.id}/before`),
    readFolder(corpusCase.after, `corpus/${corpusCase.id}/after`),
  ]);
}

/** A PrometheusRule of `count` alerting rules: a big list without a merge key, ~90 bytes a rule. */
function alertRules(count: number): string {
  let text = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: disks\n";
  text += "spec:\n  groups:\n    - name: disks\n      rules:\n";
  for (let i = 0; i < count; i++) {
    text += `        - alert: Disk${i}Filling\n          expr: node_filesystem_avail_bytes{device="sd${i}"} < 1e9\n`;
  }
  return text;
}

/**
 * What the parser must survive: a bomb, nesting past and near the limit, a big list without a
 * merge key, a file over the size limit.
 */
const HOSTILE: SeedFolder = {
  label: "test/fixtures/hostile-yaml.ts",
  files: {
    "apps/bomb.yaml": YAML_BOMB,
    "apps/deep.yaml": nestedBlock(70),
    "apps/nearly-deep.yaml": nestedBlock(60),
    "monitoring/disk-alerts.yaml": alertRules(1500),
    // Over the size limit by a comment: refused unread, and cheap to parse once an edit cuts it short.
    "apps/huge.yaml": `# ${"x".repeat(1024 * 1024)}\nreplicas: 1\n`,
  },
};

function filesOf(folders: readonly SeedFolder[]): SeedFile[] {
  return folders.flatMap((folder) =>
    Object.keys(folder.files)
      .filter(isReviewablePath)
      .map((path) => ({ folder, path })),
  );
}

export interface SeedFiles {
  /** Every reviewable file of every real-looking folder, in a stable order (same seed, same case). */
  ordinary: SeedFile[];
  /** The hostile files: few, so the fuzz draws them on purpose rather than by their share. */
  hostile: SeedFile[];
}

export function seedFiles(options: { corpus: boolean }): SeedFiles {
  return {
    ordinary: filesOf([...projectFolders(), ...(options.corpus ? corpusFolders() : [])]),
    hostile: filesOf([HOSTILE]),
  };
}
