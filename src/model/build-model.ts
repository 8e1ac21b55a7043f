import type { ParsedDocument } from "../parse/types.js";
import { buildObjects } from "./objects.js";
import { pairSubjects } from "./pairing.js";
import { buildReleases } from "./releases.js";
import type { RepoView } from "./repo-view.js";
import type { KubeObject, ReviewModel, Subject } from "./types.js";

/** Subjects (objects and releases) of one side. */
export function buildSide(view: RepoView): Subject[] {
  const objects = buildObjects(view);
  const objectByDocument = new Map<ParsedDocument, KubeObject>(objects.map((o) => [o.document, o]));
  const releases = buildReleases(view, (doc) => objectByDocument.get(doc) ?? null);
  return [...objects, ...releases];
}

export function buildModel(
  base: RepoView,
  head: RepoView,
  renames: ReadonlyMap<string, string>,
): ReviewModel {
  const baseSubjects = buildSide(base);
  const headSubjects = buildSide(head);
  return { base: baseSubjects, head: headSubjects, pairs: pairSubjects(baseSubjects, headSubjects, renames) };
}
