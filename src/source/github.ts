/**
 * A pull request as a ChangeSet and a pair of Snapshots. Everything is read through the base
 * repository, so forked pull requests work with the installation's token:
 * - the changed files and the merge base from one compare call (GitHub lists up to 300 files
 *   there), the paginated file list beyond that (GitHub stops at 3,000 files), and beyond that
 *   the two commits' trees compared (`changesBetween`), so no changed file goes unseen;
 * - what a commit holds from one recursive tree (`git/trees/<sha>?recursive=1`), or, when GitHub
 *   cuts that tree, from folder listings in GraphQL batches;
 * - contents from GraphQL in batches sized by what the trees say (`object(oid:)`, many aliases per
 *   request), and through the REST blob API where GraphQL cuts the text (512 KiB), never one
 *   request per file per side;
 * - blob contents and commit listings kept in bounded caches shared by every event and pull
 *   request of the process: git names objects by content, so a second push re-reads only the
 *   blobs it changed.
 */
import { posix } from "node:path";
import type { Octokit as RestOctokit } from "@octokit/rest";
import {
  isSafeRepoPath,
  type ChangeSet,
  type ContextFile,
  type ContextReader,
  type FileChange,
  type FileStatus,
  type Side,
} from "./change-set.js";
import { ObjectCache } from "./object-cache.js";
import { changesBetween, type BlobText, type Snapshot, type SnapshotPair } from "./snapshot.js";

/** GitHub's cap on the files endpoint of a pull request. */
export const GITHUB_FILE_LIST_CAP = 3000;
/** GitHub's cap on the files of one compare response. */
export const COMPARE_FILE_CAP = 300;
const FILES_PER_PAGE = 100;
/**
 * Look-ups of unknown size per GraphQL request (paths probed before any tree says what they
 * are): GraphQL returns up to 512 KiB of text each, so 100 keep a response within reason.
 */
export const BLOBS_PER_QUERY = 100;
/** Blobs of known size per GraphQL request: far inside GitHub's node limit (500,000). */
export const MAX_OBJECTS_PER_QUERY = 1000;
/** Text per GraphQL request, by the sizes the trees report: well inside GitHub's 10 s budget. */
export const BYTES_PER_QUERY = 4 * 1024 * 1024;
/** Folder listings per GraphQL request, used when GitHub cuts a recursive tree. */
export const FOLDERS_PER_QUERY = 100;
/** Larger files are listed as skipped instead of reviewed (matches the parser's limit). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** GraphQL's `Blob.text` stops here (`isTruncated`); larger blobs are read through REST. */
export const GRAPHQL_TEXT_LIMIT = 512 * 1024;

const SYMLINK_MODE = "120000";

export interface PullRequestCoordinates {
  owner: string;
  repo: string;
  number: number;
  /** Commit the base side is read from: the merge base of the pull request. */
  baseSha: string;
  headSha: string;
  /** `changed_files` of the pull request, to say when GitHub's list is cut. */
  changedFiles?: number;
}

export interface PullRequestFile {
  filename: string;
  status: string;
  previous_filename?: string;
  /** The file's blob id at the head, as GitHub lists it (absent for removed files). */
  sha?: string;
}

export interface PullRequestListing {
  files: PullRequestFile[];
  /** GitHub's 3,000-file cap cut the list: the trees are compared instead. */
  truncated: boolean;
}

export interface PullRequestComparison extends PullRequestListing {
  /** The merge base of the base branch and the head: what the base side is read from. */
  mergeBase: string;
}

export interface GitHubSourceOptions {
  /** Files whose content the review needs; the others are not fetched. */
  include: (path: string) => boolean;
  maxFileBytes?: number;
  /** Look-ups of unknown size per GraphQL request. */
  blobsPerQuery?: number;
  /** Blobs of known size per GraphQL request. */
  objectsPerQuery?: number;
  /** Text per GraphQL request, by known sizes. */
  bytesPerQuery?: number;
  foldersPerQuery?: number;
  /** The process's caches unless given (tests give their own). */
  caches?: GitHubCaches;
}

export interface GitHubChangeSet {
  changeSet: ChangeSet;
  contextReader: ContextReader;
  /** Every changed path, in scope or not (as listed, or from the trees when the list was cut). */
  changes: FileChange[];
}

type Octokit = Pick<RestOctokit, "graphql" | "paginate" | "rest">;

// ---------------------------------------------------------------------------------------------
// Listing the change

/**
 * The merge base and the changed files, from one compare call when GitHub's 300-file compare
 * list holds them all, else from the pull request's paginated list (the merge base still from
 * the compare), else, past 3,000 files, marked truncated: the trees are compared instead.
 */
export async function comparePullRequest(
  octokit: Octokit,
  pr: Omit<PullRequestCoordinates, "baseSha"> & { baseBranchSha: string },
): Promise<PullRequestComparison> {
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
    owner: pr.owner,
    repo: pr.repo,
    basehead: `${pr.baseBranchSha}...${pr.headSha}`,
    per_page: 1,
  });
  const mergeBase = data.merge_base_commit.sha;
  const compared = (data.files ?? []).map(toPullRequestFile);
  const complete =
    compared.length < COMPARE_FILE_CAP ||
    (pr.changedFiles !== undefined && pr.changedFiles <= compared.length);
  if (complete) return { mergeBase, files: compared, truncated: false };
  // Past the listing cap the list would be cut anyway: the trees answer instead.
  if (pr.changedFiles !== undefined && pr.changedFiles > GITHUB_FILE_LIST_CAP)
    return { mergeBase, files: [], truncated: true };
  return { mergeBase, ...(await listPullRequestFiles(octokit, pr)) };
}

/** The PR's changed files, paginated; `truncated` when GitHub's 3,000-file cap cut the list. */
export async function listPullRequestFiles(
  octokit: Octokit,
  pr: Pick<PullRequestCoordinates, "owner" | "repo" | "number" | "changedFiles">,
): Promise<PullRequestListing> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: FILES_PER_PAGE,
  });
  const listed = files.map(toPullRequestFile);
  const truncated =
    pr.changedFiles === undefined ? listed.length >= GITHUB_FILE_LIST_CAP : pr.changedFiles > listed.length;
  return { files: listed, truncated };
}

function toPullRequestFile(file: {
  filename: string;
  status: string;
  previous_filename?: string;
  sha?: string | null;
}): PullRequestFile {
  return {
    filename: file.filename,
    status: file.status,
    ...(file.previous_filename ? { previous_filename: file.previous_filename } : {}),
    ...(file.sha ? { sha: file.sha } : {}),
  };
}

/** The listed files `include` accepts (by head path or, for renames, base path), without content yet. */
export function selectChanges(
  files: readonly PullRequestFile[],
  include: (path: string) => boolean,
): FileChange[] {
  return inScope(files.map(toFileChange), include);
}

function inScope(changes: readonly FileChange[], include: (path: string) => boolean): FileChange[] {
  return changes.filter(
    (file) => include(file.path) || (file.previousPath !== undefined && include(file.previousPath)),
  );
}

function toFileChange(file: PullRequestFile): FileChange {
  const status = normalizeStatus(file.status);
  return {
    path: file.filename,
    ...(status === "renamed" && file.previous_filename ? { previousPath: file.previous_filename } : {}),
    status,
    base: null,
    head: null,
  };
}

/** GitHub also reports `copied`, `changed` (mode only) and `unchanged`. */
function normalizeStatus(status: string): FileStatus {
  switch (status) {
    case "added":
    case "copied":
      return "added";
    case "removed":
      return "removed";
    case "renamed":
      return "renamed";
    default:
      return "modified";
  }
}

// ---------------------------------------------------------------------------------------------
// The change set

/**
 * Both sides of the selected files in as few requests as the batches allow, the snapshots of
 * both commits, and a reader for the unchanged files the model asks for later.
 */
export async function loadPullRequestChangeSet(
  octokit: Octokit,
  pr: PullRequestCoordinates,
  listing: PullRequestListing,
  options: GitHubSourceOptions,
): Promise<GitHubChangeSet> {
  const reader = new GitHubRepositoryReader(octokit, pr.owner, pr.repo, options);
  const snapshots: SnapshotPair = {
    base: githubSnapshot(reader, "base", pr.baseSha),
    head: githubSnapshot(reader, "head", pr.headSha),
  };
  const notes: string[] = [];
  let changes: FileChange[];
  // Blob ids GitHub listed for the head side: a second push then reads only what changed.
  const headIds = new Map<string, string>();
  if (listing.truncated) {
    changes = await changesBetween(snapshots);
    const total =
      pr.changedFiles && pr.changedFiles > GITHUB_FILE_LIST_CAP
        ? `${pr.changedFiles} changed files`
        : "its changed files";
    notes.push(
      `GitHub lists only the first ${GITHUB_FILE_LIST_CAP.toLocaleString("en-US")} of ${total}; ` +
        "the changed files were found by comparing the two commits' trees instead.",
    );
  } else {
    changes = listing.files.map(toFileChange);
    for (const file of listing.files) {
      if (file.sha && isBlobId(file.sha) && normalizeStatus(file.status) !== "removed")
        headIds.set(file.filename, file.sha);
    }
  }

  const selected = inScope(changes, options.include).map((file) => ({ ...file }));
  const requests: BlobRequest[] = [];
  for (const file of selected) {
    if (file.status !== "added") requests.push({ sha: pr.baseSha, path: file.previousPath ?? file.path });
    if (file.status !== "removed") requests.push({ sha: pr.headSha, path: file.path });
  }
  reader.hint(pr.headSha, headIds);
  const blobs = await reader.read(requests);
  for (const file of selected) {
    const base =
      file.status === "added" ? undefined : blobs.get(blobKey(pr.baseSha, file.previousPath ?? file.path));
    const head = file.status === "removed" ? undefined : blobs.get(blobKey(pr.headSha, file.path));
    const skipped = base?.skipped ?? head?.skipped;
    // One side without the other would make the file's objects look added or removed.
    file.base = skipped ? null : (base?.text ?? null);
    file.head = skipped ? null : (head?.text ?? null);
    if (skipped) file.skipped = skipped;
  }

  const changed = new Set(changes.flatMap((file) => [file.path, file.previousPath ?? file.path]));
  const changeSet: ChangeSet = {
    files: selected,
    snapshots,
    context: new Map(),
    notes,
    baseRef: pr.baseSha,
    headRef: pr.headSha,
  };
  return { changeSet, contextReader: new GitHubContextReader(reader, pr, changed, notes), changes };
}

/** One commit of the repository as a Snapshot: its tree listed once, blobs read in batches. */
export function githubSnapshot(reader: GitHubRepositoryReader, side: Side, sha: string): Snapshot {
  return {
    side,
    ref: sha,
    async tree() {
      const files = await reader.listTree(sha);
      // A listing without an id (never from GitHub itself) counts as changed on both sides.
      return new Map([...files].map(([path, file]) => [path, file.id ?? `unknown:${sha}:${path}`]));
    },
    async read(paths) {
      const blobs = await reader.read(paths.map((path) => ({ sha, path })));
      const found = new Map<string, BlobText>();
      for (const path of paths) {
        const blob = blobs.get(blobKey(sha, path));
        if (blob && !blob.notAFile)
          found.set(path, blob.skipped ? { text: null, skipped: blob.skipped } : blob);
      }
      return found;
    },
  };
}

/**
 * The unchanged files the model asks for, both sides. A path the pull request does not change is
 * the same at the merge base and the head, so it is read once, at the head.
 */
class GitHubContextReader implements ContextReader {
  constructor(
    private readonly reader: GitHubRepositoryReader,
    private readonly pr: PullRequestCoordinates,
    private readonly changed: ReadonlySet<string>,
    private readonly notes: string[],
  ) {}

  async read(paths: readonly string[]): Promise<ContextFile[]> {
    // `<sha>:../x` must not reach GitHub's expression parser, whatever it would make of it.
    const unique = [...new Set(paths)].filter(isSafeRepoPath);
    const { baseSha, headSha } = this.pr;
    const requests = unique.flatMap((path) =>
      this.changed.has(path)
        ? [
            { sha: baseSha, path },
            { sha: headSha, path },
          ]
        : [{ sha: headSha, path }],
    );
    const blobs = await this.reader.read(requests);
    const files: ContextFile[] = [];
    for (const path of unique) {
      const text = (sha: string, label: Side): string | null => {
        const blob = blobs.get(blobKey(sha, path));
        if (blob?.skipped && !blob.notAFile)
          this.notes.push(`${path} (${label}) was not loaded as context: ${blob.skipped}.`);
        return blob?.text ?? null;
      };
      const head = text(headSha, "head");
      const base = this.changed.has(path) ? text(baseSha, "base") : head;
      // A path missing on both sides does not exist; the pipeline remembers that itself.
      if (base !== null || head !== null) files.push({ path, base, head });
    }
    return files;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading commits and blobs

/** A file at a commit: its blob id (null when a listing did not say), mode and size. */
interface TreeFile {
  id: string | null;
  mode: string;
  size?: number;
}

/**
 * What is known about the files of one commit. Commits never change, so this is kept across
 * events: the whole listing, folders listed one by one, and single paths probed.
 */
class CommitIndex {
  /** Every file, when a complete listing was read. */
  all: Map<string, TreeFile> | null = null;
  /** Folder -> the files directly in it; null: no such folder. */
  readonly folders = new Map<string, Map<string, TreeFile> | null>();
  /** Paths probed one by one; null: not a file at this commit. */
  readonly paths = new Map<string, TreeFile | null>();

  /** The file at `path`, null when there is none, undefined when nothing says yet. */
  lookup(path: string): TreeFile | null | undefined {
    if (this.all) return this.all.get(path) ?? null;
    const probed = this.paths.get(path);
    if (probed !== undefined) return probed;
    const folder = this.folders.get(posix.dirname(path));
    if (folder === undefined) return undefined;
    return folder?.get(posix.basename(path)) ?? null;
  }

  get weight(): number {
    let weight = (this.all?.size ?? 0) + this.paths.size;
    for (const folder of this.folders.values()) weight += 1 + (folder?.size ?? 0);
    return weight;
  }
}

/** A blob's content as cached: its text, or the fact that it is binary. */
type CachedBlob = { text: string } | { binary: true };

export interface GitHubCaches {
  /** Blob id -> content. */
  blobs: ObjectCache<CachedBlob>;
  /** `owner/repo@sha` -> what is known about that commit's files. */
  commits: ObjectCache<CommitIndex>;
}

/** Blob text kept per process (characters) and commit entries kept (paths). */
const BLOB_CACHE_CHARS = 64 * 1024 * 1024;
const COMMIT_CACHE_ENTRIES = 300_000;

export function createGitHubCaches(sizes: { blobChars?: number; commitEntries?: number } = {}): GitHubCaches {
  return {
    blobs: new ObjectCache<CachedBlob>(sizes.blobChars ?? BLOB_CACHE_CHARS, (blob) =>
      "text" in blob ? blob.text.length : 1,
    ),
    commits: new ObjectCache<CommitIndex>(
      sizes.commitEntries ?? COMMIT_CACHE_ENTRIES,
      (index) => index.weight,
    ),
  };
}

/**
 * The process's caches. Keyed by blob id alone: a git tree can only name blobs its repository
 * holds, and the id is the hash of the content, so a hit gives exactly the bytes that commit has.
 */
const shared = createGitHubCaches();

export function sharedGitHubCaches(): GitHubCaches {
  return shared;
}

/** Empties the process's caches (tests that count requests start from nothing). */
export function clearGitHubCaches(): void {
  shared.blobs.clear();
  shared.commits.clear();
}

interface BlobRequest {
  sha: string;
  path: string;
}

/** What a read found at `sha:path`: text, or why there is none. */
interface BlobResult extends BlobText {
  /** The path is a folder or a submodule. */
  notAFile?: boolean;
}

interface GraphQLBlob {
  oid?: string;
  text?: string | null;
  byteSize?: number;
  isBinary?: boolean | null;
  isTruncated?: boolean;
}

interface GraphQLTree {
  entries?: {
    name: string;
    type: string;
    mode?: number;
    oid?: string;
    object?: { byteSize?: number } | null;
  }[];
}

function blobKey(sha: string, path: string): string {
  return `${sha}:${path}`;
}

function isBlobId(value: string): boolean {
  return /^[0-9a-f]{40}$/.test(value) && !/^0+$/.test(value);
}

/** One look-up in a batched GraphQL request. */
type Lookup =
  | { kind: "oid"; oid: string; size?: number }
  | { kind: "path"; sha: string; path: string }
  | { kind: "folder"; sha: string; folder: string };

/** Variable prefix and alias of each kind of look-up: `$<prefix>N`, answered as `<alias>N`. */
const LOOKUP_NAMES = {
  oid: { variable: "o", alias: "o", argument: "oid", type: "GitObjectID!", fragment: "blob" },
  path: { variable: "e", alias: "b", argument: "expression", type: "String!", fragment: "blob" },
  folder: { variable: "t", alias: "t", argument: "expression", type: "String!", fragment: "folder" },
} as const;

const FRAGMENTS = {
  blob: "fragment blob on Blob { oid byteSize isBinary isTruncated text }",
  folder: "fragment folder on Tree { entries { name type mode oid object { ... on Blob { byteSize } } } }",
} as const;

/**
 * Reads commits and blobs of one repository for one event, through the process's caches.
 *
 * Look-ups are mostly probes for files that do not exist (a kustomization.yaml beside and above
 * every changed file). So that they cost a near-constant number of requests, a read of more than
 * one batch of unknown paths first learns what exists from the commit's recursive tree (one
 * request) or, when GitHub cuts that tree, from listings of the folders involved, and then
 * fetches only the files that exist, by blob id, in batches sized by the sizes the tree gave.
 */
export class GitHubRepositoryReader {
  readonly #octokit: Octokit;
  readonly #owner: string;
  readonly #repo: string;
  readonly #maxBytes: number;
  readonly #probesPerQuery: number;
  readonly #objectsPerQuery: number;
  readonly #bytesPerQuery: number;
  readonly #foldersPerQuery: number;
  readonly #caches: GitHubCaches;
  /** Recursive trees asked for by this reader (once per commit and event, whatever the answer). */
  readonly #treesRequested = new Map<string, Promise<void>>();
  readonly #listings = new Map<string, Promise<Map<string, TreeFile>>>();
  readonly #hints = new Map<string, TreeFile>();
  /** Requests made through this reader, by kind (for logs and benchmarks). */
  readonly requests = { trees: 0, graphql: 0, blobs: 0 };

  constructor(
    octokit: Octokit,
    owner: string,
    repo: string,
    options: Omit<GitHubSourceOptions, "include"> = {},
  ) {
    this.#octokit = octokit;
    this.#owner = owner;
    this.#repo = repo;
    this.#maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
    this.#probesPerQuery = options.blobsPerQuery ?? BLOBS_PER_QUERY;
    this.#objectsPerQuery = options.objectsPerQuery ?? MAX_OBJECTS_PER_QUERY;
    this.#bytesPerQuery = options.bytesPerQuery ?? BYTES_PER_QUERY;
    this.#foldersPerQuery = options.foldersPerQuery ?? FOLDERS_PER_QUERY;
    this.#caches = options.caches ?? shared;
  }

  #index(sha: string): CommitIndex {
    const key = `${this.#owner}/${this.#repo}@${sha}`.toLowerCase();
    let index = this.#caches.commits.get(key);
    if (!index) {
      index = new CommitIndex();
      this.#caches.commits.set(key, index);
    }
    return index;
  }

  /** Re-weighs a commit's entry after it learnt more. */
  #remember(sha: string, index: CommitIndex): void {
    this.#caches.commits.set(`${this.#owner}/${this.#repo}@${sha}`.toLowerCase(), index);
  }

  /**
   * Blob ids GitHub listed for paths at `sha`, used when nothing better is known. They stay with
   * this reader: only what GitHub's trees and objects say is kept for the commit.
   */
  hint(sha: string, ids: ReadonlyMap<string, string>): void {
    for (const [path, id] of ids) this.#hints.set(blobKey(sha, path), { id, mode: "100644" });
  }

  /** Every file at `sha`: the recursive tree, or, when GitHub cuts it, every folder listed. */
  listTree(sha: string): Promise<Map<string, TreeFile>> {
    let listing = this.#listings.get(sha);
    if (!listing) {
      listing = this.#listTree(sha);
      this.#listings.set(sha, listing);
      listing.catch(() => this.#listings.delete(sha));
    }
    return listing;
  }

  async #listTree(sha: string): Promise<Map<string, TreeFile>> {
    const index = this.#index(sha);
    if (index.all) return index.all;
    const tree = await this.#recursiveTree(sha);
    if (tree) {
      index.all = tree;
    } else {
      // Breadth first: each level's folders in batches; requests grow with folders / 100.
      const all = new Map<string, TreeFile>();
      let level = [""];
      while (level.length > 0) {
        const next: string[] = [];
        await this.#listFolders(sha, level, (folder, files, subfolders) => {
          for (const [name, file] of files) all.set(folder === "" ? name : `${folder}/${name}`, file);
          next.push(...subfolders.map((name) => (folder === "" ? name : `${folder}/${name}`)));
        });
        level = next;
      }
      index.all = all;
    }
    this.#remember(sha, index);
    return index.all;
  }

  /** `GET /git/trees/:sha?recursive=1`: every file, or null when GitHub cut the listing. */
  async #recursiveTree(sha: string): Promise<Map<string, TreeFile> | null> {
    this.requests.trees += 1;
    const { data } = await this.#octokit.rest.git.getTree({
      owner: this.#owner,
      repo: this.#repo,
      tree_sha: sha,
      recursive: "1",
    });
    // GitHub stops at 100,000 entries or 7 MB: an incomplete tree cannot say what is absent.
    if (data.truncated) return null;
    const files = new Map<string, TreeFile>();
    for (const entry of data.tree) {
      if (entry.type !== "blob" || !entry.path) continue;
      files.set(entry.path, {
        id: entry.sha ?? null,
        mode: entry.mode ?? "100644",
        ...(entry.size !== undefined ? { size: entry.size } : {}),
      });
    }
    return files;
  }

  /** The tree of `sha` for a read, once per event; a failure or a cut tree only means probing. */
  #loadTreeForRead(sha: string): Promise<void> {
    let loading = this.#treesRequested.get(sha);
    if (!loading) {
      loading = (async () => {
        const index = this.#index(sha);
        if (index.all) return;
        try {
          const tree = await this.#recursiveTree(sha);
          if (tree) {
            index.all = tree;
            this.#remember(sha, index);
          }
        } catch {
          // Not fatal: folder listings or direct probes answer instead, and report real failures.
        }
      })();
      this.#treesRequested.set(sha, loading);
    }
    return loading;
  }

  /**
   * The contents at each `sha:path`, in as few requests as the caches and batches allow. A path
   * that is not a file at its commit is absent from the result, or marked `notAFile` when GitHub
   * said it is a folder or a submodule.
   */
  async read(requests: readonly BlobRequest[]): Promise<Map<string, BlobResult>> {
    const unique = [
      ...new Map(
        requests
          .filter((request) => isSafeRepoPath(request.path))
          .map((request) => [blobKey(request.sha, request.path), request]),
      ).values(),
    ];
    await this.#learnWhatExists(unique);

    const results = new Map<string, BlobResult>();
    /** Blob id -> its size and the `sha:path` keys that hold it. */
    const byId = new Map<string, { size?: number; keys: string[] }>();
    const probes: BlobRequest[] = [];
    for (const request of unique) {
      const key = blobKey(request.sha, request.path);
      const file = this.#lookup(request.sha, request.path);
      if (file === null) continue;
      if (file === undefined || file.id === null) {
        probes.push(request);
        continue;
      }
      const skipped = this.#skipReason(file);
      if (skipped) {
        results.set(key, { text: null, skipped });
        continue;
      }
      const cached = this.#caches.blobs.get(file.id);
      if (cached) {
        results.set(key, fromCache(cached));
        continue;
      }
      const wanted = byId.get(file.id) ?? {
        ...(file.size !== undefined ? { size: file.size } : {}),
        keys: [],
      };
      wanted.keys.push(key);
      byId.set(file.id, wanted);
    }

    // Too large for GraphQL's text, small enough to review: straight to the blob API.
    const whole: { oid: string; size?: number; keys: string[] }[] = [];
    const lookups: Lookup[] = [];
    for (const [oid, { size, keys }] of byId) {
      if (size !== undefined && size > GRAPHQL_TEXT_LIMIT) whole.push({ oid, size, keys });
      else lookups.push({ kind: "oid", oid, ...(size !== undefined ? { size } : {}) });
    }
    for (const request of probes) lookups.push({ kind: "path", ...request });

    const learnt = new Set<string>();
    for (const batch of this.#batches(lookups)) {
      const answers = await this.#objects<GraphQLBlob>(batch);
      batch.forEach((lookup, position) => {
        const blob = answers[position] ?? null;
        if (lookup.kind === "oid") {
          const { keys, size } = byId.get(lookup.oid)!;
          const result = this.#blobResult(blob, lookup.oid);
          if (result === "truncated")
            whole.push({ oid: lookup.oid, ...(size !== undefined ? { size } : {}), keys });
          else for (const key of keys) results.set(key, result);
          return;
        }
        if (lookup.kind !== "path") return;
        const key = blobKey(lookup.sha, lookup.path);
        const index = this.#index(lookup.sha);
        learnt.add(lookup.sha);
        if (blob === null || blob.byteSize === undefined) {
          index.paths.set(lookup.path, null);
          if (blob !== null)
            results.set(key, { text: null, skipped: "not a file (a submodule or a folder)", notAFile: true });
          return;
        }
        const oid = blob.oid ?? null;
        index.paths.set(lookup.path, { id: oid, mode: "100644", size: blob.byteSize });
        const result = this.#blobResult(blob, oid);
        if (result !== "truncated") results.set(key, result);
        else if (oid) whole.push({ oid, size: blob.byteSize, keys: [key] });
        else results.set(key, { text: null, skipped: "could not be read from GitHub" });
      });
    }
    for (const sha of learnt) this.#remember(sha, this.#index(sha));

    for (const blob of whole) {
      const result = await this.#restBlob(blob.oid, blob.size);
      for (const key of blob.keys) results.set(key, result);
    }
    return results;
  }

  /** What the commit's index says about `path`, else this event's hints. */
  #lookup(sha: string, path: string): TreeFile | null | undefined {
    const known = this.#index(sha).lookup(path);
    return known !== undefined ? known : this.#hints.get(blobKey(sha, path));
  }

  #skipReason(file: TreeFile): string | null {
    if (file.mode === SYMLINK_MODE) return "symbolic link";
    if (file.size !== undefined && file.size > this.#maxBytes) return tooLarge(file.size, this.#maxBytes);
    return null;
  }

  /** A GraphQL blob as a result, "truncated" when its text must be read through REST. */
  #blobResult(blob: GraphQLBlob | null, oid: string | null): BlobResult | "truncated" {
    if (blob === null) return { text: null, skipped: "not found on GitHub" };
    if (blob.byteSize === undefined)
      return { text: null, skipped: "not a file (a submodule or a folder)", notAFile: true };
    if (blob.byteSize > this.#maxBytes)
      return { text: null, skipped: tooLarge(blob.byteSize, this.#maxBytes) };
    if (blob.isBinary) {
      if (oid) this.#caches.blobs.set(oid, { binary: true });
      return { text: null, skipped: "binary file" };
    }
    // GraphQL cuts text at 512 KiB: the rest of the file is read, never reviewed half.
    if (blob.isTruncated || typeof blob.text !== "string") return "truncated";
    if (oid) this.#caches.blobs.set(oid, { text: blob.text });
    return { text: blob.text };
  }

  /** `GET /git/blobs/:sha`: the whole blob, base64; used where GraphQL cut the text. */
  async #restBlob(oid: string, knownSize: number | undefined): Promise<BlobResult> {
    if (knownSize !== undefined && knownSize > this.#maxBytes)
      return { text: null, skipped: tooLarge(knownSize, this.#maxBytes) };
    this.requests.blobs += 1;
    let data: { content?: string; encoding?: string; size?: number | null };
    try {
      ({ data } = await this.#octokit.rest.git.getBlob({
        owner: this.#owner,
        repo: this.#repo,
        file_sha: oid,
      }));
    } catch (error) {
      const status = (error as { status?: number }).status;
      // 403 "too large", 404 gone: say so; anything transient fails the review for a retry.
      if (status === 403 || status === 404 || status === 422)
        return { text: null, skipped: `could not be read from GitHub (HTTP ${status})` };
      throw error;
    }
    if (typeof data.size === "number" && data.size > this.#maxBytes)
      return { text: null, skipped: tooLarge(data.size, this.#maxBytes) };
    if (typeof data.content !== "string") return { text: null, skipped: "could not be read from GitHub" };
    const bytes = Buffer.from(data.content, data.encoding === "utf-8" ? "utf8" : "base64");
    if (bytes.length > this.#maxBytes) return { text: null, skipped: tooLarge(bytes.length, this.#maxBytes) };
    if (bytes.includes(0)) {
      this.#caches.blobs.set(oid, { binary: true });
      return { text: null, skipped: "binary file" };
    }
    const text = bytes.toString("utf8");
    this.#caches.blobs.set(oid, { text });
    return { text };
  }

  /**
   * More than one batch of unknown paths: the trees of their commits say what exists, or, where
   * GitHub cuts a tree, listings of the folders involved when that takes fewer requests than
   * probing every path.
   */
  async #learnWhatExists(requests: readonly BlobRequest[]): Promise<void> {
    // A listed blob id without a size counts as unknown: the tree gives sizes, and sizes give
    // batches of up to a thousand blobs instead of a hundred.
    const unknown = () =>
      requests.filter((request) => this.#index(request.sha).lookup(request.path) === undefined);
    let pending = unknown();
    if (pending.length <= this.#probesPerQuery) return;
    await Promise.all(
      [...new Set(pending.map((request) => request.sha))].map((sha) => this.#loadTreeForRead(sha)),
    );
    pending = unknown();
    const folders = [
      ...new Map(
        pending.map(({ sha, path }) => {
          const folder = posix.dirname(path);
          return [`${sha}:${folder}`, { sha, folder }] as const;
        }),
      ).values(),
    ];
    if (Math.ceil(folders.length / this.#foldersPerQuery) >= Math.ceil(pending.length / this.#probesPerQuery))
      return;
    const bySha = new Map<string, string[]>();
    for (const { sha, folder } of folders) bySha.set(sha, [...(bySha.get(sha) ?? []), folder]);
    for (const [sha, list] of bySha) await this.#listFolders(sha, list, () => undefined);
  }

  /**
   * Folder listings at `sha`, a batch of `object(expression: "<sha>:<folder>")` per request,
   * recorded in the commit's index; `each` is told every folder's files and subfolders.
   */
  async #listFolders(
    sha: string,
    folders: readonly string[],
    each: (folder: string, files: ReadonlyMap<string, TreeFile>, subfolders: string[]) => void,
  ): Promise<void> {
    const index = this.#index(sha);
    for (let start = 0; start < folders.length; start += this.#foldersPerQuery) {
      const batch = folders.slice(start, start + this.#foldersPerQuery);
      const trees = await this.#objects<GraphQLTree>(
        batch.map((folder): Lookup => ({ kind: "folder", sha, folder })),
      );
      batch.forEach((folder, position) => {
        const tree = trees[position] ?? null;
        // null: no such folder; no entries: a file or a submodule sits at that path.
        if (tree === null || !tree.entries) {
          index.folders.set(folder, null);
          return;
        }
        const files = new Map<string, TreeFile>();
        const subfolders: string[] = [];
        for (const entry of tree.entries) {
          if (entry.type === "tree") subfolders.push(entry.name);
          if (entry.type !== "blob") continue;
          const size = entry.object?.byteSize;
          files.set(entry.name, {
            id: entry.oid ?? null,
            mode: entry.mode !== undefined ? entry.mode.toString(8) : "100644",
            ...(size !== undefined ? { size } : {}),
          });
        }
        index.folders.set(folder, files);
        each(folder, files, subfolders);
      });
      this.#remember(sha, index);
    }
  }

  /** Look-ups packed into requests: by count, and by the bytes the trees said they hold. */
  *#batches(lookups: readonly Lookup[]): Generator<Lookup[]> {
    // A look-up of unknown size may bring back 512 KiB: it weighs its share of a probe batch.
    const unknownWeight = this.#bytesPerQuery / this.#probesPerQuery;
    let batch: Lookup[] = [];
    let weight = 0;
    for (const lookup of lookups) {
      const size = lookup.kind === "oid" && lookup.size !== undefined ? lookup.size : unknownWeight;
      if (
        batch.length > 0 &&
        (batch.length >= this.#objectsPerQuery || weight + size > this.#bytesPerQuery)
      ) {
        yield batch;
        batch = [];
        weight = 0;
      }
      batch.push(lookup);
      weight += size;
    }
    if (batch.length > 0) yield batch;
  }

  /**
   * One GraphQL request of `object()` look-ups, an alias each, answers in order. Expressions and
   * ids go in variables, never in the query text: no escaping, no injection.
   */
  async #objects<T>(lookups: readonly Lookup[]): Promise<(T | null)[]> {
    const variables: Record<string, string> = { owner: this.#owner, name: this.#repo };
    const declarations = ["$owner: String!", "$name: String!"];
    const fields: string[] = [];
    const fragments = new Set<keyof typeof FRAGMENTS>();
    lookups.forEach((lookup, position) => {
      const names = LOOKUP_NAMES[lookup.kind];
      const variable = `${names.variable}${position}`;
      variables[variable] =
        lookup.kind === "oid"
          ? lookup.oid
          : lookup.kind === "path"
            ? `${lookup.sha}:${lookup.path}`
            : // `<sha>:` is the root folder.
              `${lookup.sha}:${lookup.folder === "." || lookup.folder === "" ? "" : lookup.folder}`;
      declarations.push(`$${variable}: ${names.type}`);
      fields.push(
        `${names.alias}${position}: object(${names.argument}: $${variable}) { ...${names.fragment} }`,
      );
      fragments.add(names.fragment);
    });
    const query =
      `query(${declarations.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }\n` +
      [...fragments].map((name) => FRAGMENTS[name]).join("\n");
    this.requests.graphql += 1;
    const data = await this.#octokit.graphql<{ repository: Record<string, T | null> | null }>(
      query,
      variables,
    );
    return lookups.map(
      (lookup, position) => data.repository?.[`${LOOKUP_NAMES[lookup.kind].alias}${position}`] ?? null,
    );
  }
}

function fromCache(blob: CachedBlob): BlobResult {
  return "text" in blob ? { text: blob.text } : { text: null, skipped: "binary file" };
}

function tooLarge(bytes: number, limit: number): string {
  return `file too large (${bytes} bytes, limit ${limit})`;
}
