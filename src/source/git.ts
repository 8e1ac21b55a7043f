import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import {
  isSafeRepoPath,
  SourceError,
  type ChangeSet,
  type ContextFile,
  type ContextReader,
  type FileChange,
  type FileStatus,
} from "./change-set.js";
import type { BlobText, Snapshot } from "./snapshot.js";

export interface GitSourceOptions {
  /** The repository folder (work tree or bare repository). */
  repo: string;
  /** Base revision; default: the merge-base of `head` with the default branch. */
  base?: string;
  /** Head revision; default `HEAD`. */
  head?: string;
  /** Largest file loaded, in bytes; bigger files are listed as skipped. Default 1 MiB. */
  maxFileBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Branches tried, in order, when `origin/HEAD` does not name the default branch. */
const DEFAULT_BRANCHES = ["main", "master", "origin/main", "origin/master"];

/** Generous, but bounded: a runaway git output must not take the process down. */
const MAX_BUFFER = 256 * 1024 * 1024;

/** Contents read per `git cat-file --batch` call, so one call's output stays well under MAX_BUFFER. */
const BATCH_BYTES = 64 * 1024 * 1024;

/** Blob modes git writes in `diff --raw`: symlinks and submodules have no file content to review. */
const SYMLINK_MODE = "120000";
const SUBMODULE_MODE = "160000";

class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`git ${args[0] ?? ""} failed: ${firstLine(stderr) || String(code)}`);
  }
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? ""
  );
}

/** Runs git with an argument array (never a shell); resolves with stdout as bytes. */
function git(repo: string, args: readonly string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd: repo,
        encoding: "buffer",
        maxBuffer: MAX_BUFFER,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        const code = (error as NodeJS.ErrnoException).code ?? null;
        if (code === "ENOENT") {
          reject(new SourceError("git was not found: install git and make sure it is on the PATH"));
          return;
        }
        reject(new GitError(args, stderr.toString("utf8"), code));
      },
    );
    child.stdin?.on("error", () => undefined); // git exiting early must not become an unhandled EPIPE
    child.stdin?.end(input ?? "");
  });
}

async function gitText(repo: string, args: readonly string[]): Promise<string> {
  return (await git(repo, args)).toString("utf8").trim();
}

/**
 * A revision the user gave us. It is passed to git as one argument, so a shell is never involved,
 * but a leading `-` would still be read as an option, and `:`/whitespace/NUL would change what
 * `rev:path` means; those are rejected before git sees them.
 */
function validateRef(ref: string, label: string): string {
  if (ref.length === 0) throw new SourceError(`${label} ref is empty`);
  if (ref.startsWith("-"))
    throw new SourceError(`invalid ${label} ref "${ref}": a ref cannot start with "-"`);
  if (/[\s\0:]/.test(ref)) throw new SourceError(`invalid ${label} ref "${ref}": unexpected character`);
  return ref;
}

/** Full object id of the commit `ref` names, or a SourceError naming the ref. */
async function resolveCommit(repo: string, ref: string, label: string): Promise<string> {
  validateRef(ref, label);
  try {
    return await gitText(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch (err) {
    if (err instanceof GitError)
      throw new SourceError(`unknown ${label} ref "${ref}": no such commit in ${repo}`);
    throw err;
  }
}

async function assertRepository(repo: string): Promise<void> {
  const info = await stat(repo).catch(() => null);
  if (!info?.isDirectory()) throw new SourceError(`repository folder not found: ${repo}`);
  try {
    await git(repo, ["rev-parse", "--git-dir"]);
  } catch (err) {
    if (err instanceof GitError) {
      const reason = firstLine(err.stderr);
      throw new SourceError(
        /not a git repository/i.test(reason)
          ? `not a git repository: ${repo}`
          : `cannot read git repository ${repo}: ${reason}`,
      );
    }
    throw err;
  }
}

/** The default branch: what `origin/HEAD` points at, else the first of main/master that exists. */
async function defaultBranch(repo: string): Promise<string> {
  try {
    const symbolic = await gitText(repo, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]);
    if (symbolic) return symbolic;
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
  }
  for (const branch of DEFAULT_BRANCHES) {
    try {
      await gitText(repo, ["rev-parse", "--verify", "--quiet", `${branch}^{commit}`]);
      return branch;
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
    }
  }
  throw new SourceError(
    `no default branch found in ${repo} (tried origin/HEAD, ${DEFAULT_BRANCHES.join(", ")}): pass a base ref`,
  );
}

async function defaultBase(repo: string, headSha: string, head: string): Promise<string> {
  const branch = await defaultBranch(repo);
  try {
    return await gitText(repo, ["merge-base", branch, headSha]);
  } catch (err) {
    if (err instanceof GitError) {
      throw new SourceError(`${head} has no common ancestor with ${branch}: pass a base ref`);
    }
    throw err;
  }
}

interface RawEntry {
  status: FileStatus;
  path: string;
  previousPath?: string;
  baseMode: string;
  headMode: string;
  baseBlob: string | null;
  headBlob: string | null;
}

const ZERO_ID = /^0+$/;

/**
 * `git diff --raw -z` output: `:oldmode newmode oldid newid STATUS\0path\0[path\0]`.
 * The raw format is `--name-status` plus modes and blob ids: blobs are then read by id, and
 * symlinks and submodules are told apart from files.
 */
function parseRawDiff(output: string): RawEntry[] {
  const fields = output.split("\0");
  const entries: RawEntry[] = [];
  for (let i = 0; i < fields.length;) {
    const header = fields[i++] ?? "";
    if (!header.startsWith(":")) continue;
    const [baseMode = "", headMode = "", baseId = "", headId = "", code = ""] = header.slice(1).split(" ");
    const letter = code.charAt(0);
    const first = fields[i++] ?? "";
    const blob = (id: string): string | null => (ZERO_ID.test(id) ? null : id);
    const entry = { baseMode, headMode, baseBlob: blob(baseId), headBlob: blob(headId) };
    if (letter === "R" || letter === "C") {
      const second = fields[i++] ?? "";
      if (letter === "R") entries.push({ ...entry, status: "renamed", path: second, previousPath: first });
      // A copy leaves its source untouched: the copy is a new file.
      else entries.push({ ...entry, baseBlob: null, baseMode: "000000", status: "added", path: second });
    } else if (letter === "A") {
      entries.push({ ...entry, status: "added", path: first });
    } else if (letter === "D") {
      entries.push({ ...entry, status: "removed", path: first });
    } else {
      // M, T (type change: file <-> symlink), and anything newer git may add.
      entries.push({ ...entry, status: "modified", path: first });
    }
  }
  return entries;
}

interface BlobInfo {
  id: string;
  type: string;
  size: number;
}

/** Type and size of each object spec (`id` or `rev:path`); null for a missing one. */
async function inspectObjects(repo: string, specs: readonly string[]): Promise<(BlobInfo | null)[]> {
  if (specs.length === 0) return [];
  const output = await git(
    repo,
    ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
    specs.map((spec) => `${spec}\n`).join(""),
  );
  const lines = output.toString("utf8").split("\n");
  return specs.map((_, i) => {
    const line = lines[i] ?? "";
    // Missing objects print `<spec> missing` (or `ambiguous`); the spec may contain spaces.
    if (/ (missing|ambiguous)$/.test(line)) return null;
    const [id = "", type = "", size = ""] = line.split(" ");
    return /^\d+$/.test(size) ? { id, type, size: Number(size) } : null;
  });
}

/** Contents of blobs by id, in one `git cat-file --batch` call per ~64 MiB. */
async function readBlobs(repo: string, blobs: readonly BlobInfo[]): Promise<Map<string, Buffer>> {
  const contents = new Map<string, Buffer>();
  const unique = [...new Map(blobs.map((blob) => [blob.id, blob])).values()];
  let start = 0;
  while (start < unique.length) {
    let end = start;
    let bytes = 0;
    while (end < unique.length && (end === start || bytes + unique[end]!.size <= BATCH_BYTES)) {
      bytes += unique[end]!.size;
      end++;
    }
    const chunk = unique.slice(start, end);
    const output = await git(repo, ["cat-file", "--batch"], chunk.map((blob) => `${blob.id}\n`).join(""));
    let offset = 0;
    for (const blob of chunk) {
      const newline = output.indexOf(0x0a, offset);
      if (newline < 0) break;
      const header = output.subarray(offset, newline).toString("utf8").split(" ");
      const size = Number(header[2]);
      if (header[1] === "missing" || !Number.isFinite(size)) {
        offset = newline + 1;
        continue;
      }
      contents.set(blob.id, output.subarray(newline + 1, newline + 1 + size));
      offset = newline + 1 + size + 1; // content is followed by a newline
    }
    start = end;
  }
  return contents;
}

/** Why a blob is not loaded as text, or null when it can be. */
function skipReason(info: BlobInfo, maxBytes: number): string | null {
  if (info.type !== "blob") return `not a file (${info.type})`;
  if (info.size > maxBytes) return `${info.size} bytes is over the ${maxBytes}-byte limit`;
  return null;
}

function binaryReason(content: Buffer): string | null {
  return content.includes(0) ? "binary file" : null;
}

function modeReason(mode: string): string | null {
  if (mode === SYMLINK_MODE) return "symbolic link";
  if (mode === SUBMODULE_MODE) return "submodule";
  return null;
}

/**
 * A local git range as a change set: every path `git diff base head` lists, with its content on
 * both sides, and a reader for unchanged files at the same two commits.
 */
export async function changeSetFromGit(
  options: GitSourceOptions,
): Promise<{ changeSet: ChangeSet; contextReader: ContextReader }> {
  const { repo } = options;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const headRef = options.head ?? "HEAD";
  validateRef(headRef, "head");
  if (options.base !== undefined) validateRef(options.base, "base");
  await assertRepository(repo);
  const headSha = await resolveCommit(repo, headRef, "head");
  const baseSha =
    options.base !== undefined
      ? await resolveCommit(repo, options.base, "base")
      : await defaultBase(repo, headSha, headRef);

  const raw = await git(repo, [
    "diff",
    "--raw",
    "-z",
    "--no-abbrev",
    "-M50%",
    "--no-ext-diff",
    "--ignore-submodules=none",
    baseSha,
    headSha,
    "--",
  ]);
  const entries = parseRawDiff(raw.toString("utf8"));

  // Size and type first, so a huge blob is never read into memory.
  const fileIds = [
    ...new Set(
      entries.flatMap((entry) => [
        ...(entry.baseBlob !== null && modeReason(entry.baseMode) === null ? [entry.baseBlob] : []),
        ...(entry.headBlob !== null && modeReason(entry.headMode) === null ? [entry.headBlob] : []),
      ]),
    ),
  ];
  const infoById = new Map<string, BlobInfo | null>();
  (await inspectObjects(repo, fileIds)).forEach((info, i) => infoById.set(fileIds[i]!, info));
  const toRead = [...infoById.values()].filter(
    (info): info is BlobInfo => info !== null && skipReason(info, maxBytes) === null,
  );
  const contents = await readBlobs(repo, toRead);

  const files: FileChange[] = entries.map((entry) => {
    let skipped: string | null = null;
    const load = (id: string | null, mode: string): string | null => {
      if (id === null) return null;
      const reason = modeReason(mode) ?? skipOf(infoById.get(id) ?? null, contents.get(id), maxBytes);
      if (reason) {
        skipped ??= reason;
        return null;
      }
      return contents.get(id)!.toString("utf8");
    };
    const base = load(entry.baseBlob, entry.baseMode);
    const head = load(entry.headBlob, entry.headMode);
    const change: FileChange = {
      path: entry.path,
      ...(entry.previousPath !== undefined ? { previousPath: entry.previousPath } : {}),
      status: entry.status,
      // One side without the other would make the file's objects look added or removed.
      base: skipped ? null : base,
      head: skipped ? null : head,
    };
    if (skipped) change.skipped = skipped;
    return change;
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const notes: string[] = [];
  const changeSet: ChangeSet = { files, context: new Map(), notes, baseRef: baseSha, headRef: headSha };

  const contextReader: ContextReader = {
    async read(paths) {
      const wanted = [...new Set(paths)].filter(isSafeRepoPath);
      const specs = wanted.flatMap((path) => [`${baseSha}:${path}`, `${headSha}:${path}`]);
      // A folder or a missing path is simply not there; only real files are loaded.
      const infos = (await inspectObjects(repo, specs)).map((info) => (info?.type === "blob" ? info : null));
      const loadable = infos.filter(
        (info): info is BlobInfo => info !== null && skipReason(info, maxBytes) === null,
      );
      const blobs = await readBlobs(repo, loadable);
      const result: ContextFile[] = [];
      wanted.forEach((path, i) => {
        const side = (info: BlobInfo | null, label: string): string | null => {
          if (!info) return null;
          const reason = skipOf(info, blobs.get(info.id), maxBytes);
          if (reason) {
            notes.push(`${path} (${label}) was not loaded as context: ${reason}.`);
            return null;
          }
          return blobs.get(info.id)!.toString("utf8");
        };
        const base = side(infos[2 * i] ?? null, "base");
        const head = side(infos[2 * i + 1] ?? null, "head");
        if (base !== null || head !== null) result.push({ path, base, head });
      });
      return result;
    },
  };
  changeSet.snapshots = {
    base: gitSnapshot(repo, "base", baseSha, maxBytes),
    head: gitSnapshot(repo, "head", headSha, maxBytes),
  };
  return { changeSet, contextReader };
}

interface TreeFile {
  id: string;
  mode: string;
}

/** Every file of a commit (`git ls-tree -r`), submodules left out. */
async function listTree(repo: string, sha: string): Promise<Map<string, TreeFile>> {
  const output = (await git(repo, ["ls-tree", "-r", "-z", "--full-tree", sha])).toString("utf8");
  const files = new Map<string, TreeFile>();
  for (const record of output.split("\0")) {
    // `<mode> <type> <id>\t<path>`; the path may hold any character but NUL.
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode = "", type = "", id = ""] = record.slice(0, tab).split(" ");
    if (type === "blob") files.set(record.slice(tab + 1), { id, mode });
  }
  return files;
}

/** One commit of a local repository as a snapshot: the tree listed once, blobs read in batches. */
export function gitSnapshot(repo: string, side: Snapshot["side"], sha: string, maxBytes: number): Snapshot {
  let files: Promise<Map<string, TreeFile>> | null = null;
  const listed = () => (files ??= listTree(repo, sha));
  return {
    side,
    ref: sha,
    async tree() {
      return new Map([...(await listed())].map(([path, file]) => [path, file.id]));
    },
    async read(paths) {
      const tree = await listed();
      const wanted = [...new Set(paths)].filter((path) => isSafeRepoPath(path) && tree.has(path));
      const infos = await inspectObjects(
        repo,
        wanted.map((path) => tree.get(path)!.id),
      );
      const loadable = infos.filter(
        (info): info is BlobInfo => info !== null && skipReason(info, maxBytes) === null,
      );
      const blobs = await readBlobs(repo, loadable);
      const found = new Map<string, BlobText>();
      wanted.forEach((path, i) => {
        const info = infos[i] ?? null;
        const reason =
          modeReason(tree.get(path)!.mode) ?? skipOf(info, info ? blobs.get(info.id) : undefined, maxBytes);
        found.set(
          path,
          reason ? { text: null, skipped: reason } : { text: blobs.get(info!.id)!.toString("utf8") },
        );
      });
      return found;
    },
  };
}

function skipOf(info: BlobInfo | null, content: Buffer | undefined, maxBytes: number): string | null {
  if (!info) return "object missing from the repository";
  const reason = skipReason(info, maxBytes);
  if (reason) return reason;
  if (!content) return "object could not be read";
  return binaryReason(content);
}
