/**
 * What the review understood of each changed file in scope. Today it is fed by the parser's
 * problems, the source's skipped files and the subjects the model found; the build stage will add
 * `built` apps and reasons of its own.
 */
import type { Subject } from "../model/types.js";
import type { CoverageEntry } from "./report.js";
import type { ReviewResult } from "./types.js";

function subjectFiles(subject: Subject): string[] {
  if (subject.type === "object") return [subject.document.file];
  return [
    subject.location.file,
    ...subject.valueSources.flatMap((source) => (source.file ? [source.file] : [])),
  ];
}

export function coverageOf(
  review: Pick<ReviewResult, "files" | "parsed" | "pairs" | "problems">,
  inScope: (path: string) => boolean,
): CoverageEntry[] {
  const modelled = new Set<string>();
  for (const pair of review.pairs) {
    for (const subject of [pair.base, pair.head])
      if (subject) for (const file of subjectFiles(subject)) modelled.add(file);
  }
  const problems = new Map<string, string>();
  for (const problem of review.problems)
    if (!problems.has(problem.file)) problems.set(problem.file, problem.message);
  const empty = new Set(
    review.parsed
      .filter((file) => file.documents.every((doc) => doc.kind === "empty"))
      .map((file) => file.file),
  );
  const entries: CoverageEntry[] = [];
  for (const file of review.files) {
    const paths = [file.path, ...(file.previousPath ? [file.previousPath] : [])];
    if (!paths.some(inScope)) continue;
    const problem = paths.map((path) => problems.get(path)).find((message) => message !== undefined);
    if (problem !== undefined) entries.push({ path: file.path, status: "not-understood", reason: problem });
    else if (paths.some((path) => modelled.has(path)))
      entries.push({ path: file.path, status: "modelled", reason: null });
    else if (paths.every((path) => empty.has(path)))
      entries.push({ path: file.path, status: "recognised", reason: "no documents" });
    else
      entries.push({
        path: file.path,
        status: "not-understood",
        reason: "no format recognised its documents",
      });
  }
  return entries;
}
