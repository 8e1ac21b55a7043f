import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { ChangeSet, ContextFile, ContextReader, FileChange } from "./change-set.js";

/** Folders never worth walking: VCS data and dependencies. */
const SKIPPED_DIRS = new Set([".git", "node_modules"]);

export class SourceError extends Error {}

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
  for (const path of [...new Set([...baseFiles, ...headFiles])].sort()) {
    const base = baseFiles.has(path) ? await readText(join(before, path)) : null;
    const head = headFiles.has(path) ? await readText(join(after, path)) : null;
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

  const contextReader: ContextReader = {
    async read(paths) {
      const result: ContextFile[] = [];
      for (const path of paths) {
        if (path.startsWith("/") || path.split("/").includes("..")) continue;
        const base = await readText(join(before, path));
        const head = await readText(join(after, path));
        if (base !== null || head !== null) result.push({ path, base, head });
      }
      return result;
    },
  };
  return { changeSet: { files, context: new Map(), notes: [] }, contextReader };
}
