import type { SnapshotPair } from "./snapshot.js";

/**
 * The one input of the review pipeline: base and head content of every changed path.
 * Every source (two folders, a local git range, a GitHub pull request) produces this shape.
 */
/** A source that cannot be read as asked (a missing folder, an unknown ref): a usage error, not a bug. */
export class SourceError extends Error {}

export type FileStatus = "added" | "removed" | "modified" | "renamed";

export type Side = "base" | "head";

export interface FileChange {
  /** Repo-relative path on the head side (on the base side for removed files). */
  path: string;
  /** Base-side path when the file was renamed. */
  previousPath?: string;
  status: FileStatus;
  /** Content at base; null when the file does not exist there or was not loaded. */
  base: string | null;
  /** Content at head; null when the file does not exist there or was not loaded. */
  head: string | null;
  /** Why content is missing although the file exists (binary, too large, fetch failed). */
  skipped?: string;
}

/** An unchanged file loaded because the model needs it (a values file referenced by a release). */
export interface ContextFile {
  path: string;
  base: string | null;
  head: string | null;
}

/**
 * The review configuration at one side as a front end that can follow `_extends` loaded it (the
 * App). Without it, rules read `.github/gitops-review.yml` from `files` alone.
 */
export interface ReviewConfigSide {
  /** The configuration in effect from this side (the file merged over what it extends); null: none. */
  raw: unknown;
  /** Configurations it extends beyond the organisation's `.github` defaults, `owner/repo:path`. */
  extendsFrom: string[];
  /** False when `extendsFrom` could not be read: `raw` is then the file alone. */
  extendsRead: boolean;
  /** Why it could not be loaded (bad YAML, an `_extends` loop). */
  error?: string;
}

export interface ChangeSet {
  files: FileChange[];
  /**
   * Both sides of the repository, whole, when the source can offer them (the app graph reads
   * unchanged files through them). Sources that cannot yet leave it out.
   */
  snapshots?: SnapshotPair;
  /** Unchanged files, keyed by repo-relative path. */
  context: Map<string, ContextFile>;
  /** Human-readable notes about the source itself (e.g. "GitHub listed only the first 3,000 files"). */
  notes: string[];
  baseRef?: string;
  headRef?: string;
  /** Both sides of the review configuration, when the change set touches it and its source resolved them. */
  reviewConfig?: { base: ReviewConfigSide; head: ReviewConfigSide };
}

/**
 * Reads unchanged files on demand. The pipeline asks for the paths it needs after parsing
 * (values files referenced by releases, chart defaults) and the source fetches them in one batch.
 */
export interface ContextReader {
  read(paths: readonly string[]): Promise<ContextFile[]>;
}

/**
 * A repo-relative path a context reader may look up. The paths come from the pull request (a
 * values file a release names): none may leave the repository, and `\n` would break git's batch
 * protocol.
 */
export function isSafeRepoPath(path: string): boolean {
  if (path.length === 0 || path.startsWith("/") || /[\0\n\r]/.test(path)) return false;
  return !path.split("/").some((segment) => segment === ".." || segment === "." || segment === "");
}
