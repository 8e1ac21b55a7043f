/**
 * The formats, in the order they are asked (as renovate's `api.ts`): a document is the first
 * module's that recognises it. Adding a format is one module and one line here.
 */
import { pairSubjects } from "../model/pairing.js";
import type { RepoView } from "../model/repo-view.js";
import type { HelmRelease, KubeObject, ReviewModel, Subject } from "../model/types.js";
import { finishRelease, type ReleaseDraft } from "../model/values-layers.js";
import { DEFAULT_LIMITS, type ParseLimits } from "../parse/limits.js";
import { parseFile } from "../parse/parse-file.js";
import {
  isRecord,
  type DocumentKind,
  type ParsedDocument,
  type ParsedFile,
  type ValuePath,
} from "../parse/types.js";
import type { Side } from "../source/change-set.js";
import { argocd } from "./argocd.js";
import { flux } from "./flux.js";
import { helmChart } from "./helm-chart.js";
import { helmfile } from "./helmfile.js";
import { kustomize } from "./kustomize.js";
import { manifestObject, manifests } from "./manifests.js";
import type { FormatModule } from "./types.js";

/** Order matters: a Flux Kustomization is not a kustomization.yaml, a Chart.yaml is not a manifest. */
export const FORMATS: readonly FormatModule[] = [flux, argocd, kustomize, helmChart, manifests, helmfile];

const BY_KIND = new Map<DocumentKind, FormatModule>(
  FORMATS.flatMap((format) => format.kinds.map((kind) => [kind, format] as const)),
);
const OBJECT_KINDS = new Set(FORMATS.flatMap((format) => format.objectKinds ?? []));

/** The module that recognised a document, or null (empty and unknown documents). */
export function formatOf(document: Pick<ParsedDocument, "kind">): FormatModule | null {
  return BY_KIND.get(document.kind) ?? null;
}

const YAML_EXTENSION = /\.ya?ml$/i;

/** Files the engine can say something about. Everything else in a PR is out of scope. */
export function isReviewablePath(path: string): boolean {
  return YAML_EXTENSION.test(path);
}

/** What one YAML document is: by content first, by file name last. */
export function classifyDocument(path: string, value: unknown): DocumentKind {
  if (value === null || value === undefined) return "empty";
  if (isRecord(value)) {
    for (const format of FORMATS) {
      const kind = format.detect(path, value);
      if (kind) return kind;
    }
  }
  for (const format of FORMATS) {
    const kind = format.detectByName?.(path);
    if (kind) return kind;
  }
  return "unknown";
}

/** A repository file parsed and each document recognised. */
export function parseRepoFile(
  path: string,
  text: string,
  side: Side,
  limits: ParseLimits = DEFAULT_LIMITS,
): ParsedFile {
  return parseFile(path, text, side, limits, classifyDocument);
}

/** The Kubernetes objects a side's changed files declare. */
export function declaredObjects(view: RepoView): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const file of view.changed) {
    for (const document of file.documents) {
      const special = formatOf(document)?.object?.(document);
      if (special) objects.push(special);
      else if (OBJECT_KINDS.has(document.kind)) {
        const object = manifestObject(view, document);
        if (object) objects.push(object);
      }
    }
  }
  return objects;
}

/** Every Helm release a side's changed files declare or touch. */
export function declaredReleases(
  view: RepoView,
  objectOf: (doc: ParsedDocument) => KubeObject | null,
): HelmRelease[] {
  const drafts: ReleaseDraft[] = [];
  const unread: ParsedDocument[] = [];
  for (const file of view.changed) {
    for (const document of file.documents) {
      const format = formatOf(document);
      if (format?.releases) drafts.push(...format.releases(view, document, objectOf(document)));
      if (format?.unreadValuesRelease) unread.push(document);
    }
  }
  const referenced = new Set(drafts.flatMap((draft) => draft.layers.map((layer) => layer.source.file)));
  for (const document of unread) {
    if (referenced.has(document.file)) continue;
    const draft = formatOf(document)?.unreadValuesRelease?.(view, document);
    if (draft) drafts.push(draft);
  }
  // Changed values files read by a release declared in an unchanged file are found through
  // that release only when it is loaded; the pipeline asks the source for such files.
  return drafts.map(finishRelease);
}

/** Subjects (objects and releases) of one side. */
export function buildSide(view: RepoView): Subject[] {
  const objects = declaredObjects(view);
  const objectByDocument = new Map<ParsedDocument, KubeObject>(objects.map((o) => [o.document, o]));
  const releases = declaredReleases(view, (doc) => objectByDocument.get(doc) ?? null);
  return [...objects, ...releases];
}

/** Both sides' subjects, paired by identity (and into replacements). */
export function buildModel(
  base: RepoView,
  head: RepoView,
  renames: ReadonlyMap<string, string>,
): ReviewModel {
  const baseSubjects = buildSide(base);
  const headSubjects = buildSide(head);
  return { base: baseSubjects, head: headSubjects, pairs: pairSubjects(baseSubjects, headSubjects, renames) };
}

/** Paths of a document that belong to the release it declares; kept out of its object diff. */
export function releaseValuePaths(document: ParsedDocument): ValuePath[] {
  return formatOf(document)?.releaseValuePaths?.(document) ?? [];
}

/**
 * Repository files the releases of a document read (values files, chart defaults): the app graph's
 * edges, seen from one side.
 */
export function referencedFiles(view: RepoView, document: ParsedDocument): string[] {
  const format = formatOf(document);
  const drafts = [
    ...(format?.releases?.(view, document, null) ?? []),
    ...[format?.unreadValuesRelease?.(view, document) ?? null].filter((d): d is ReleaseDraft => d !== null),
  ];
  const files = drafts.flatMap((draft) =>
    draft.layers.flatMap((layer) => (layer.source.file ? [layer.source.file] : [])),
  );
  return [...new Set(files.filter((file) => file !== document.file))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
}
