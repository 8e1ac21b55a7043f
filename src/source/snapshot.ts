/**
 * One side of a repository as the review sees it: every file's path with a content id, and the
 * contents read lazily, in batches. The app graph reads whole repositories through it (a values file
 * read by an unchanged HelmRelease, a generator's folders), not only the files a pull request lists.
 *
 * Content ids are git blob ids (`sha1("blob <size>\0" + bytes)`) in every source, so equal ids mean
 * equal content across sides and across sources, and a cache keyed by id is shared by all of them.
 */
import { createHash } from "node:crypto";
import type { FileChange, Side } from "./change-set.js";

/** A file's content as the review may read it. */
export interface BlobText {
  /** The content as text, or null when the file exists but was not read (`skipped` says why). */
  text: string | null;
  /** Why there is no text: too large, binary, a link, a fetch that failed. */
  skipped?: string;
}

export interface Snapshot {
  readonly side: Side;
  /** The commit, or folder, this side was read from. */
  readonly ref: string | null;
  /** Every file on this side, path -> content id. Folders are not listed; links are, as files. */
  tree(): Promise<ReadonlyMap<string, string>>;
  /**
   * The contents of `paths`, in as few round trips as the source allows. A path that is not a file
   * on this side is absent from the result; unsafe paths (`..`, absolute) are never read.
   */
  read(paths: readonly string[]): Promise<ReadonlyMap<string, BlobText>>;
}

/** The two sides of a change. */
export interface SnapshotPair {
  base: Snapshot;
  head: Snapshot;
}

/** Git's blob id of some content: the id GitHub and `git ls-tree` report for it. */
export function blobId(content: string | Buffer): string {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** A snapshot of files held in memory (tests, and sources that already hold every file). */
export function memorySnapshot(
  side: Side,
  files: Readonly<Record<string, string>>,
  ref: string | null = null,
): Snapshot {
  const tree = new Map(Object.entries(files).map(([path, text]) => [path, blobId(text)]));
  return {
    side,
    ref,
    tree: async () => tree,
    read: async (paths) => {
      const found = new Map<string, BlobText>();
      for (const path of paths) if (Object.hasOwn(files, path)) found.set(path, { text: files[path]! });
      return found;
    },
  };
}

/**
 * The changes between two snapshots from their trees alone, for when a source cannot list them
 * (GitHub stops listing a pull request's files at 3,000). A removed and an added path with the same
 * content id are a rename. Contents are not loaded: `base` and `head` stay null.
 */
export async function changesBetween(pair: SnapshotPair): Promise<FileChange[]> {
  const [base, head] = await Promise.all([pair.base.tree(), pair.head.tree()]);
  const changes: FileChange[] = [];
  const removed = new Map<string, string[]>();
  for (const [path, id] of base) {
    const now = head.get(path);
    if (now === undefined) removed.set(id, [...(removed.get(id) ?? []), path]);
    else if (now !== id) changes.push({ path, status: "modified", base: null, head: null });
  }
  for (const [path, id] of head) {
    if (base.has(path)) continue;
    const twin = removed.get(id)?.shift();
    changes.push(
      twin !== undefined
        ? { path, previousPath: twin, status: "renamed", base: null, head: null }
        : { path, status: "added", base: null, head: null },
    );
  }
  for (const paths of removed.values()) {
    for (const path of paths) changes.push({ path, status: "removed", base: null, head: null });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
