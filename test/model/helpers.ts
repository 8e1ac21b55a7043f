import { buildSide, parseRepoFile } from "../../src/formats/registry.js";
import { locate } from "../../src/model/located.js";
import { RepoView } from "../../src/model/repo-view.js";
import type { HelmRelease, Subject } from "../../src/model/types.js";
import type { ParsedFile } from "../../src/parse/types.js";
import type { Side } from "../../src/source/change-set.js";

/** One side of a repository: `changed` files produce subjects, `context` files are only read. */
export function repoView(
  changed: Record<string, string>,
  context: Record<string, string> = {},
  side: Side = "head",
): RepoView {
  const parse = (files: Record<string, string>): ParsedFile[] =>
    Object.entries(files).map(([path, text]) => parseRepoFile(path, text, side));
  const changedFiles = parse(changed);
  const all = new Map<string, ParsedFile | null>();
  for (const file of [...changedFiles, ...parse(context)]) all.set(file.file, file);
  return new RepoView(side, changedFiles, all);
}

export function releasesOf(subjects: readonly Subject[]): HelmRelease[] {
  return subjects.filter((subject): subject is HelmRelease => subject.type === "release");
}

/** The releases a set of files declares, with everything else in the repo as context. */
export function releases(
  changed: Record<string, string>,
  context: Record<string, string> = {},
): HelmRelease[] {
  return releasesOf(buildSide(repoView(changed, context)));
}

/** `file:line` of a value in a release's effective values, for compact provenance assertions. */
export function origin(release: HelmRelease, ...path: (string | number)[]): string | null {
  const at = locate(release.values, path);
  return at ? `${at.file}:${at.line}` : null;
}
