/**
 * A snapshot of the repository at one side of the pull request, as the build stage reads it, and
 * the copy of the few files a build needs into a private folder. helm and kustomize only ever see
 * that copy: plain files written by us, so no symbolic link, no `..` and no absolute path in the
 * pull request can make them read anything else.
 */
import { lstat, mkdir, readdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { isSafeRepoPath } from "../source/change-set.js";

export interface RepoSnapshot {
  /** Every file under `folder` (repo-relative, `/`-separated, "" for the root), recursively. */
  list(folder: string): Promise<string[]>;
  /** A file's content, or null when there is none. */
  read(path: string): Promise<Buffer | null>;
}

export interface MaterializeLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_MATERIALIZE_LIMITS: MaterializeLimits = { maxFiles: 5000, maxBytes: 64 * 1024 * 1024 };

/** `a/b/../c` -> `a/c`; null when it climbs out of the repository or is not a safe repo path. */
export function normalizeRepoPath(path: string): string | null {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  const joined = out.join("/");
  if (joined === "") return "";
  return isSafeRepoPath(joined) ? joined : null;
}

/** Joins a path relative to a repo folder; null when the result leaves the repository. */
export function resolveRepoPath(folder: string, relativePath: string): string | null {
  if (relativePath.startsWith("/")) return null;
  return normalizeRepoPath(folder ? `${folder}/${relativePath}` : relativePath);
}

/**
 * A snapshot over a checked-out folder. Symbolic links are followed only when they stay inside
 * the folder, as the folder source does.
 */
export function folderSnapshot(root: string): RepoSnapshot {
  let realRoot: Promise<string> | undefined;
  const inside = async (path: string): Promise<string | null> => {
    realRoot ??= realpath(root);
    const base = await realRoot;
    const real = await realpath(path).catch(() => null);
    if (!real) return null;
    return real === base || real.startsWith(base + sep) ? real : null;
  };
  return {
    async list(folder) {
      const start = normalizeRepoPath(folder);
      if (start === null) return [];
      const files: string[] = [];
      const walk = async (repoDir: string, depth: number): Promise<void> => {
        if (depth > 64 || files.length > 100_000) return;
        const entries = await readdir(join(root, repoDir), { withFileTypes: true }).catch(() => []);
        for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
          if (entry.name === ".git") continue;
          const repoPath = repoDir ? `${repoDir}/${entry.name}` : entry.name;
          if (!isSafeRepoPath(repoPath)) continue;
          let isDir = entry.isDirectory();
          let isFile = entry.isFile();
          if (entry.isSymbolicLink()) {
            const real = await inside(join(root, repoPath));
            if (!real) continue;
            const info = await stat(real).catch(() => null);
            isDir = info?.isDirectory() ?? false;
            isFile = info?.isFile() ?? false;
          }
          if (isDir) await walk(repoPath, depth + 1);
          else if (isFile) files.push(repoPath);
        }
      };
      await walk(start, 0);
      return files;
    },
    async read(path) {
      const safe = normalizeRepoPath(path);
      if (!safe) return null;
      const full = join(root, safe);
      const info = await lstat(full).catch(() => null);
      if (!info) return null;
      const real = info.isSymbolicLink() ? await inside(full) : full;
      if (!real) return null;
      const target = await stat(real).catch(() => null);
      if (!target?.isFile()) return null;
      return readFile(real);
    },
  };
}

export type Materialized = { ok: true; files: number; bytes: number } | { ok: false; reason: string };

/** Writes `paths` of the snapshot under `destination`, keeping their repo-relative layout. */
export async function materialize(
  snapshot: RepoSnapshot,
  paths: Iterable<string>,
  destination: string,
  limits: MaterializeLimits = DEFAULT_MATERIALIZE_LIMITS,
): Promise<Materialized> {
  let files = 0;
  let bytes = 0;
  for (const path of new Set(paths)) {
    const safe = normalizeRepoPath(path);
    if (!safe) return { ok: false, reason: `${path} is not a path inside the repository` };
    if (++files > limits.maxFiles) return { ok: false, reason: `more than ${limits.maxFiles} files to copy` };
    const content = await snapshot.read(safe);
    if (content === null) continue;
    bytes += content.length;
    if (bytes > limits.maxBytes) return { ok: false, reason: `more than ${limits.maxBytes} bytes to copy` };
    const target = join(destination, safe);
    if (relative(destination, target).startsWith(".."))
      return { ok: false, reason: `${path} leaves the build folder` };
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, { mode: 0o644 });
  }
  return { ok: true, files, bytes };
}
