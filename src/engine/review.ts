import { diffValues } from "../diff/semantic-diff.js";
import { RepoView } from "../model/repo-view.js";
import type { ReviewModel, Subject, SubjectPair } from "../model/types.js";
import { buildModel, isReviewablePath, parseRepoFile, releaseValuePaths } from "../formats/registry.js";
import { DEFAULT_LIMITS, type ParseLimits } from "../parse/limits.js";
import { pathKey, type ParsedFile, type Problem } from "../parse/types.js";
import type { ChangeSet, ContextReader, FileChange, Side } from "../source/change-set.js";
import { runRules } from "./runner.js";
import type { PairDiff, ReviewContext, ReviewResult, Rule } from "./types.js";

export { isReviewablePath };

export interface ReviewOptions {
  /** Loads unchanged files the model asks for (values files, kustomization.yaml, Chart.yaml). */
  contextReader?: ContextReader;
  /** The catalogue to run: the front ends pass `rules/index.ts` in. */
  rules: readonly Rule[];
  limits?: ParseLimits;
}

/** Rounds of "build the model, fetch what it was missing": references are at most two hops deep. */
const CONTEXT_ROUNDS = 3;

/**
 * The whole pure pipeline on one change set: parse -> model -> diff -> rules.
 * The only I/O is the optional context reader, asked for missing files in batches.
 */
export async function reviewChangeSet(changeSet: ChangeSet, options: ReviewOptions): Promise<ReviewResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const inScope = changeSet.files.filter(
    (file) =>
      isReviewablePath(file.path) || (file.previousPath !== undefined && isReviewablePath(file.previousPath)),
  );
  const problems: Problem[] = [];
  const baseFiles = new Map<string, ParsedFile | null>();
  const headFiles = new Map<string, ParsedFile | null>();
  const changedBase: ParsedFile[] = [];
  const changedHead: ParsedFile[] = [];

  for (const file of inScope) {
    const basePath = file.previousPath ?? file.path;
    const base = parseSide(file, basePath, file.base, "base", limits, problems);
    const head = parseSide(file, file.path, file.head, "head", limits, problems);
    baseFiles.set(basePath, base);
    headFiles.set(file.path, head);
    // After a rename the old path is gone on head and the new one did not exist on base.
    if (file.previousPath && !headFiles.has(file.previousPath)) headFiles.set(file.previousPath, null);
    if (file.previousPath && !baseFiles.has(file.path)) baseFiles.set(file.path, null);
    if (base) changedBase.push(base);
    if (head) changedHead.push(head);
  }
  const parsed = [...changedBase, ...changedHead];
  problems.push(...parsed.flatMap((file) => file.problems));
  addContext(changeSet, baseFiles, headFiles, limits);

  const renames = new Map(
    inScope.filter((file) => file.previousPath).map((file) => [file.previousPath as string, file.path]),
  );
  let model: ReviewModel;
  for (let round = 1; ; round++) {
    const baseView = new RepoView("base", changedBase, baseFiles);
    const headView = new RepoView("head", changedHead, headFiles);
    model = buildModel(baseView, headView, renames);
    if (!options.contextReader || round >= CONTEXT_ROUNDS) break;
    const missing = [...new Set([...baseView.missing, ...headView.missing])].filter(
      (path) => !changeSet.context.has(path),
    );
    if (missing.length === 0) break;
    const found = await options.contextReader.read(missing);
    for (const file of found) changeSet.context.set(file.path, file);
    // Paths the reader did not return do not exist: remember that so they are not asked again.
    for (const path of missing) {
      if (!changeSet.context.has(path)) changeSet.context.set(path, { path, base: null, head: null });
    }
    // Nothing new to read: every view answers as it just did, so a rebuild would be the same model.
    if (!found.some((file) => file.base !== null || file.head !== null)) break;
    addContext(changeSet, baseFiles, headFiles, limits);
  }

  const diffs = model.pairs.map((pair) => {
    const changes = diffPair(pair);
    // Raw inequality that the semantic diff explains away (list order, reformatted strings).
    const settled =
      pair.status === "modified" && changes.length === 0 && !chartChanged(pair)
        ? { ...pair, status: "unchanged" as const }
        : pair;
    return { pair: settled, changes };
  });
  const pairs = diffs.map((diff) => diff.pair);
  const context: ReviewContext = {
    changeSet,
    files: parsed,
    pairs,
    diffs,
    problems,
    catalogue: options.rules.map((rule) => rule.meta),
  };
  const findings = runRules(options.rules, context);
  return {
    files: changeSet.files.map((file) => ({
      path: file.path,
      ...(file.previousPath ? { previousPath: file.previousPath } : {}),
      status: file.status,
    })),
    parsed,
    pairs,
    diffs,
    findings,
    problems,
    notes: changeSet.notes,
    inScope: inScope.length > 0,
  };
}

function parseSide(
  file: FileChange,
  path: string,
  content: string | null,
  side: Side,
  limits: ParseLimits,
  problems: Problem[],
): ParsedFile | null {
  if (content !== null) return parseRepoFile(path, content, side, limits);
  const exists = side === "base" ? file.status !== "added" : file.status !== "removed";
  if (exists && file.skipped) {
    problems.push({
      code: "not-loaded",
      file: path,
      side,
      line: null,
      message: `Not reviewed: ${file.skipped}.`,
    });
  }
  return null;
}

/** Parses context files that arrived since the last round into both sides' file maps. */
function addContext(
  changeSet: ChangeSet,
  baseFiles: Map<string, ParsedFile | null>,
  headFiles: Map<string, ParsedFile | null>,
  limits: ParseLimits,
): void {
  for (const file of changeSet.context.values()) {
    if (!baseFiles.has(file.path)) {
      baseFiles.set(
        file.path,
        file.base === null ? null : parseRepoFile(file.path, file.base, "base", limits),
      );
    }
    if (!headFiles.has(file.path)) {
      headFiles.set(
        file.path,
        file.head === null ? null : parseRepoFile(file.path, file.head, "head", limits),
      );
    }
  }
}

function valueOf(subject: Subject | null) {
  if (!subject) return null;
  return subject.type === "object" ? subject.document : subject.values;
}

/** Path-level changes of one pair; a HelmRelease's values belong to its release, not the object. */
export function diffPair(pair: SubjectPair): PairDiff["changes"] {
  const ignored = new Set<string>();
  for (const subject of [pair.base, pair.head]) {
    if (subject?.type === "object")
      for (const path of releaseValuePaths(subject.document)) ignored.add(pathKey(path));
  }
  const ignore =
    ignored.size > 0 ? (path: readonly (string | number)[]) => ignored.has(pathKey(path)) : undefined;
  return diffValues(valueOf(pair.base), valueOf(pair.head), ignore ? { ignore } : {});
}

/** A release whose only change is its chart version or source is still modified. */
function chartChanged(pair: SubjectPair): boolean {
  if (pair.base?.type !== "release" || pair.head?.type !== "release") return false;
  const base = pair.base.chart;
  const head = pair.head.chart;
  return base.name !== head.name || base.version !== head.version || base.source !== head.source;
}
