import type { Side } from "../source/change-set.js";

/** A path inside a YAML value: map keys and list indexes. */
export type PathSegment = string | number;
export type ValuePath = readonly PathSegment[];

/** Where a value was written: repo-relative file and 1-based line. */
export interface SourceLocation {
  file: string;
  line: number;
}

/**
 * A plain JS value (objects, arrays, scalars) plus the location of every node in it,
 * keyed by `pathKey(path)`. Rules read `value` like ordinary data; locations are looked up on demand.
 */
export interface LocatedValue {
  value: unknown;
  locations: Map<string, SourceLocation>;
}

export type DocumentKind =
  | "kubernetes-object"
  | "flux-helmrelease"
  | "flux-kustomization"
  | "argocd-application"
  | "argocd-applicationset"
  | "helmfile"
  | "kustomization"
  | "helm-chart"
  | "helm-values"
  | "empty"
  | "unknown";

export interface ParsedDocument extends LocatedValue {
  file: string;
  /** Position of the document in a multi-document file. */
  index: number;
  kind: DocumentKind;
  /** Line of the document start (first content line). */
  line: number;
}

export type ProblemCode =
  "yaml-syntax" | "file-too-large" | "alias-limit" | "depth-limit" | "helm-template" | "not-loaded";

/** A file the engine could not read fully. Reported as a finding; never stops the review. */
export interface Problem {
  code: ProblemCode;
  file: string;
  side: Side;
  line: number | null;
  message: string;
}

export type FileFormat = "yaml" | "helm-template" | "unreadable";

export interface ParsedFile {
  file: string;
  side: Side;
  format: FileFormat;
  documents: ParsedDocument[];
  problems: Problem[];
}

const SEPARATOR = "\u0000";

/** Stable key of a path for location maps. */
export function pathKey(path: ValuePath): string {
  return path.map(String).join(SEPARATOR);
}

/** Any object but a list: looser than the diff's `isPlainMap`, which treats Dates and other tagged values as leaves. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
