import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join, relative, sep } from "node:path";
import {
  isSafeRepoPath,
  SourceError,
  type ChangeSet,
  type ContextFile,
  type ContextReader,
  type FileChange,
} from "./change-set.js";
import type { BlobText, Snapshot } from "./snapshot.js";

/** Folders never worth walking: VCS data and dependencies. */
const SKIPPED_DIRS = new Set([".git", "node_modules"]);

async function listFiles(root: string): Promise<Set<string>> {
  const found = new Set<string>();
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(join(dir, entry.name));
      } else if (entry.isFile()) {
        found.add(relative(root, join(dir, entry.name)).split(sep).join("/"));
      }
    }
  }
  await walk(root);
  return found;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return null;
  }
}

/** Reads in parallel, a bounded number at a time: a whole repository must not exhaust file handles. */
const READ_BATCH = 64;

async function inBatches<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += READ_BATCH) {
    results.push(...(await Promise.all(items.slice(start, start + READ_BATCH).map(read))));
  }
  return results;
}

/**
 * Text of a repo-relative path inside `root`, or null. The path comes from the pull request
 * (a values file a release names) and the folders may be its checkout: a symbolic link there
 * must not read a file outside the folder (a kubeconfig, a token) into the review.
 */
async function readInside(realRoot: string, path: string): Promise<string | null> {
  const realFile = await realpath(join(realRoot, path)).catch(() => null);
  if (realFile === null || !realFile.startsWith(realRoot + sep)) return null;
  return readText(realFile);
}

async function assertDirectory(path: string, label: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) throw new SourceError(`${label} folder not found: ${path}`);
}

/**
 * Two folders as the base and head of a change (the layout of a corpus case: before/ and after/).
 * Files present in both with the same bytes are unchanged; a removed file and an added file
 * with identical content are a rename.
 */
export async function changeSetFromFolders(
  before: string,
  after: string,
): Promise<{ changeSet: ChangeSet; contextReader: ContextReader }> {
  await assertDirectory(before, "before");
  await assertDirectory(after, "after");
  const [baseFiles, headFiles] = await Promise.all([listFiles(before), listFiles(after)]);
  const files: FileChange[] = [];
  const removed: FileChange[] = [];
  const added: FileChange[] = [];
  const paths = [...new Set([...baseFiles, ...headFiles])].sort();
  const contents = await inBatches(paths, (path) =>
    Promise.all([
      baseFiles.has(path) ? readText(join(before, path)) : null,
      headFiles.has(path) ? readText(join(after, path)) : null,
    ]),
  );
  for (const [i, path] of paths.entries()) {
    const [base, head] = contents[i]!;
    if (base !== null && head !== null) {
      if (base !== head) files.push({ path, status: "modified", base, head });
    } else if (base !== null) {
      removed.push({ path, status: "removed", base, head: null });
    } else if (head !== null) {
      added.push({ path, status: "added", base: null, head });
    }
  }
  for (const gone of removed) {
    const twin = added.findIndex((file) => file.head === gone.base);
    if (twin >= 0) {
      const [renamed] = added.splice(twin, 1);
      files.push({
        path: renamed!.path,
        previousPath: gone.path,
        status: "renamed",
        base: gone.base,
        head: renamed!.head,
      });
    } else {
      files.push(gone);
    }
  }
  files.push(...added);
  files.sort((a, b) => a.path.localeCompare(b.path));

  const [realBefore, realAfter] = await Promise.all([realpath(before), realpath(after)]);
  const contextReader: ContextReader = {
    async read(paths) {
      const files = await inBatches(paths.filter(isSafeRepoPath), async (path): Promise<ContextFile> => {
        const [base, head] = await Promise.all([readInside(realBefore, path), readInside(realAfter, path)]);
        return { path, base, head };
      });
      return files.filter((file) => file.base !== null || file.head !== null);
    },
  };
  const snapshots = {
    base: folderSnapshot("base", realBefore, baseFiles),
    head: folderSnapshot("head", realAfter, headFiles),
  };
  return { changeSet: { files, context: new Map(), notes: [], snapshots }, contextReader };
}

/** Git's blob id of a file, streamed: a large file is hashed without being held in memory. */
async function fileBlobId(path: string): Promise<string | null> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isFile()) return null;
  const hash = createHash("sha1").update(`blob ${info.size}\0`);
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return null;
  }
  return hash.digest("hex");
}

/**
 * One folder as a snapshot. `paths` are the files listed when the change set was made (links and
 * VCS folders left out); the tree is hashed on first use, and reads never leave the folder.
 */
export function folderSnapshot(
  side: Snapshot["side"],
  realRoot: string,
  paths: ReadonlySet<string>,
): Snapshot {
  let tree: Promise<ReadonlyMap<string, string>> | null = null;
  return {
    side,
    ref: realRoot,
    tree() {
      tree ??= (async () => {
        const sorted = [...paths].sort();
        const ids = await inBatches(sorted, (path) => fileBlobId(join(realRoot, path)));
        const result = new Map<string, string>();
        sorted.forEach((path, i) => {
          const id = ids[i];
          if (id) result.set(path, id);
        });
        return result;
      })();
      return tree;
    },
    async read(wanted) {
      const safe = [...new Set(wanted)].filter((path) => isSafeRepoPath(path) && paths.has(path));
      const texts = await inBatches(safe, (path) => readInside(realRoot, path));
      const found = new Map<string, BlobText>();
      safe.forEach((path, i) => {
        const text = texts[i];
        if (text !== null && text !== undefined) found.set(path, { text });
      });
      return found;
    },
  };
}
