/**
 * A pull request as a ChangeSet. Everything is read through the base repository, so forked pull
 * requests work with the installation's token: the file list from REST (100 per page, GitHub stops
 * at 3,000 files), the contents of both sides from GraphQL in batches (`object(expression:
 * "<sha>:<path>")`, many aliases per request), never one request per file. Unchanged files the
 * model asks for later cost a near-constant number of requests: which of them exist is learned
 * from the commit's recursive tree first, and only those are fetched (see `BlobReader`).
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
} from "./change-set.js";

/** GitHub's cap on the files endpoint of a pull request. */
export const GITHUB_FILE_LIST_CAP = 3000;
const FILES_PER_PAGE = 100;
/** Blob lookups per GraphQL request: 100 aliases stay well inside GitHub's node and time limits. */
export const BLOBS_PER_QUERY = 100;
/** Folder listings per GraphQL request, used when GitHub cuts a recursive tree. */
export const FOLDERS_PER_QUERY = 100;
/** Larger files are listed as skipped instead of reviewed (matches the parser's limit). */
export const MAX_FILE_BYTES = 1024 * 1024;

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
}

export interface GitHubSourceOptions {
  /** Files whose content the review needs; the others are not fetched. */
  include: (path: string) => boolean;
  maxFileBytes?: number;
  blobsPerQuery?: number;
  foldersPerQuery?: number;
}

export interface GitHubChangeSet {
  changeSet: ChangeSet;
  contextReader: ContextReader;
}

type Octokit = Pick<RestOctokit, "graphql" | "paginate" | "rest">;

/** The PR's changed files, paginated; `truncated` when GitHub's 3,000-file cap cut the list. */
export async function listPullRequestFiles(
  octokit: Octokit,
  pr: PullRequestCoordinates,
): Promise<{ files: PullRequestFile[]; truncated: boolean }> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: FILES_PER_PAGE,
  });
  const listed = files.map(({ filename, status, previous_filename }) => ({
    filename,
    status,
    ...(previous_filename ? { previous_filename } : {}),
  }));
  const truncated =
    pr.changedFiles === undefined ? listed.length >= GITHUB_FILE_LIST_CAP : pr.changedFiles > listed.length;
  return { files: listed, truncated };
}

/** The listed files `include` accepts (by head path or, for renames, base path), without content yet. */
export function selectChanges(
  files: readonly PullRequestFile[],
  include: (path: string) => boolean,
): FileChange[] {
  return files
    .map(toFileChange)
    .filter((file) => include(file.path) || (file.previousPath !== undefined && include(file.previousPath)));
}

/**
 * Fetches both sides of the selected files in as few GraphQL requests as the batch size allows and
 * returns the change set with a reader for the unchanged files the model asks for later.
 */
export async function loadPullRequestChangeSet(
  octokit: Octokit,
  pr: PullRequestCoordinates,
  listing: { files: readonly PullRequestFile[]; truncated: boolean },
  options: GitHubSourceOptions,
): Promise<GitHubChangeSet> {
  const reader = new BlobReader(octokit, pr, options, listing);
  const notes: string[] = [];
  if (listing.truncated) {
    const total =
      pr.changedFiles && pr.changedFiles > listing.files.length
        ? `${pr.changedFiles} changed files`
        : "its changed files";
    notes.push(
      `GitHub lists only the first ${GITHUB_FILE_LIST_CAP.toLocaleString("en-US")} of ${total}; ` +
        "files beyond those were not reviewed.",
    );
  }

  const changes = selectChanges(listing.files, options.include);
  const requests: BlobRequest[] = [];
  for (const file of changes) {
    if (file.status !== "added") requests.push({ sha: pr.baseSha, path: file.previousPath ?? file.path });
    if (file.status !== "removed") requests.push({ sha: pr.headSha, path: file.path });
  }
  const blobs = await reader.fetch(requests);
  for (const file of changes) {
    const base =
      file.status === "added" ? null : blobs.get(blobKey(pr.baseSha, file.previousPath ?? file.path));
    const head = file.status === "removed" ? null : blobs.get(blobKey(pr.headSha, file.path));
    file.base = base?.text ?? null;
    file.head = head?.text ?? null;
    const skipped = base?.skipped ?? head?.skipped;
    if (skipped) file.skipped = skipped;
  }

  return {
    changeSet: { files: changes, context: new Map(), notes, baseRef: pr.baseSha, headRef: pr.headSha },
    contextReader: reader,
  };
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

interface BlobRequest {
  sha: string;
  path: string;
}

interface BlobResult {
  /** null when the path does not exist at that commit or is not readable text. */
  text: string | null;
  skipped?: string;
}

interface GraphQLBlob {
  text?: string | null;
  byteSize?: number;
  isBinary?: boolean | null;
  isTruncated?: boolean;
}

function blobKey(sha: string, path: string): string {
  return `${sha}:${path}`;
}

/** Names in a batch of `object(expression:)` look-ups: `$<variable>N`, answered as `<alias>N`. */
interface ObjectQuery {
  variable: string;
  alias: string;
  fragment: { name: string; body: string };
}

const BLOB_QUERY: ObjectQuery = {
  variable: "e",
  alias: "b",
  fragment: { name: "blob", body: "Blob { byteSize isBinary isTruncated text }" },
};

const FOLDER_QUERY: ObjectQuery = {
  variable: "t",
  alias: "t",
  fragment: { name: "folder", body: "Tree { entries { name type } }" },
};

/**
 * What is known about the files at one commit: the whole tree when GitHub's recursive listing
 * came back complete, otherwise the folders listed so far.
 */
interface CommitFiles {
  /** The recursive tree was asked for (once per review, whatever the answer). */
  treeRequested: boolean;
  /** Every file (blob) at the commit with its size, when the recursive tree was complete. */
  all: Map<string, number | undefined> | null;
  /** Folder -> names of the files in it; null when the folder does not exist. */
  folders: Map<string, Set<string> | null>;
}

interface GraphQLTree {
  entries?: { name: string; type: string }[];
}

/**
 * Reads blobs at commits of the base repository, a batch of aliases per GraphQL request.
 *
 * Context look-ups are mostly probes for files that do not exist (a kustomization.yaml beside and
 * above every changed file). So that they cost a near-constant number of requests, the reader
 * first learns which asked paths exist, from the recursive tree of the commit (one request, kept
 * for the review) or, when GitHub cuts that tree, from listings of the folders involved (GraphQL,
 * a batch of folders per request), and then fetches only the files that exist. A path the pull
 * request does not change is the same at the merge base and the head, so it is read once.
 */
class BlobReader implements ContextReader {
  readonly #octokit: Octokit;
  readonly #pr: PullRequestCoordinates;
  readonly #maxBytes: number;
  readonly #perQuery: number;
  readonly #foldersPerQuery: number;
  /** Paths the pull request changes (both names of a rename); null when GitHub cut the list. */
  readonly #changed: ReadonlySet<string> | null;
  readonly #commits = new Map<string, CommitFiles>();

  constructor(
    octokit: Octokit,
    pr: PullRequestCoordinates,
    options: GitHubSourceOptions,
    listing: { files: readonly PullRequestFile[]; truncated: boolean },
  ) {
    this.#octokit = octokit;
    this.#pr = pr;
    this.#maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
    this.#perQuery = options.blobsPerQuery ?? BLOBS_PER_QUERY;
    this.#foldersPerQuery = options.foldersPerQuery ?? FOLDERS_PER_QUERY;
    this.#changed = listing.truncated
      ? null
      : new Set(listing.files.flatMap((file) => [file.filename, file.previous_filename ?? file.filename]));
  }

  /** Unchanged files the model asks for, both sides: existence first, then the contents that exist. */
  async read(paths: readonly string[]): Promise<ContextFile[]> {
    // `<sha>:../x` must not reach GitHub's expression parser, whatever it would make of it.
    const unique = [...new Set(paths)].filter(isSafeRepoPath);
    const { headSha } = this.#pr;
    const requests = unique.flatMap((path) => {
      const baseSha = this.#baseShaOf(path);
      return baseSha === headSha
        ? [{ sha: headSha, path }]
        : [
            { sha: baseSha, path },
            { sha: headSha, path },
          ];
    });
    await this.#learnWhatExists(requests);
    const blobs = await this.fetch(requests.filter((request) => this.#readable(request) !== false));
    const files: ContextFile[] = [];
    for (const path of unique) {
      const base = blobs.get(blobKey(this.#baseShaOf(path), path))?.text ?? null;
      const head = blobs.get(blobKey(headSha, path))?.text ?? null;
      // A path missing on both sides does not exist; the pipeline remembers that itself.
      if (base !== null || head !== null) files.push({ path, base, head });
    }
    return files;
  }

  /**
   * The commit a path's base side is read from: the merge base when the pull request may change
   * it, else the head (the files list is the diff between the two, so the content is the same).
   */
  #baseShaOf(path: string): string {
    return this.#changed === null || this.#changed.has(path) ? this.#pr.baseSha : this.#pr.headSha;
  }

  /**
   * Whether a file worth fetching is at `sha:path`: false when it is absent (or not a file, or
   * over the size bound: its content would not be used), undefined when nothing says yet.
   */
  #readable({ sha, path }: BlobRequest): boolean | undefined {
    const commit = this.#commits.get(sha);
    if (!commit) return undefined;
    if (commit.all) {
      if (!commit.all.has(path)) return false;
      const size = commit.all.get(path);
      return size === undefined || size <= this.#maxBytes;
    }
    const folder = commit.folders.get(posix.dirname(path));
    if (folder === undefined) return undefined;
    return folder?.has(posix.basename(path)) ?? false;
  }

  #commit(sha: string): CommitFiles {
    let commit = this.#commits.get(sha);
    if (!commit) {
      commit = { treeRequested: false, all: null, folders: new Map() };
      this.#commits.set(sha, commit);
    }
    return commit;
  }

  async #learnWhatExists(requests: readonly BlobRequest[]): Promise<void> {
    let unknown = requests.filter((request) => this.#readable(request) === undefined);
    // Up to one batch, probing the blobs themselves takes the one request a listing would.
    if (unknown.length <= this.#perQuery) return;
    await Promise.all([...new Set(unknown.map((request) => request.sha))].map((sha) => this.#loadTree(sha)));
    unknown = unknown.filter((request) => this.#readable(request) === undefined);
    // The tree was cut (a huge repository) or refused: list the folders involved instead, when
    // that takes fewer requests than probing every path.
    const folders = [
      ...new Map(
        unknown.map(({ sha, path }) => {
          const folder = posix.dirname(path);
          return [`${sha}:${folder}`, { sha, folder }] as const;
        }),
      ).values(),
    ];
    const listingRequests = Math.ceil(folders.length / this.#foldersPerQuery);
    if (listingRequests < Math.ceil(unknown.length / this.#perQuery)) await this.#listFolders(folders);
  }

  /** `GET /git/trees/:sha?recursive=1`, once per commit and review. */
  async #loadTree(sha: string): Promise<void> {
    const commit = this.#commit(sha);
    if (commit.treeRequested) return;
    commit.treeRequested = true;
    let tree: { path?: string; type?: string; size?: number }[];
    try {
      const { data } = await this.#octokit.rest.git.getTree({
        owner: this.#pr.owner,
        repo: this.#pr.repo,
        tree_sha: sha,
        recursive: "1",
      });
      // GitHub stops at 100,000 entries or 7 MB: an incomplete tree cannot say what is absent.
      if (data.truncated) return;
      tree = data.tree;
    } catch {
      // Not fatal: folder listings or direct probes answer instead, and report real failures.
      return;
    }
    const all = new Map<string, number | undefined>();
    for (const entry of tree) if (entry.type === "blob" && entry.path) all.set(entry.path, entry.size);
    commit.all = all;
  }

  /** Folder listings through GraphQL, a batch of `object(expression: "<sha>:<folder>")` per request. */
  async #listFolders(folders: readonly { sha: string; folder: string }[]): Promise<void> {
    for (let start = 0; start < folders.length; start += this.#foldersPerQuery) {
      const batch = folders.slice(start, start + this.#foldersPerQuery);
      // `<sha>:` is the root folder.
      const trees = await this.#objects<GraphQLTree>(
        batch.map(({ sha, folder }) => `${sha}:${folder === "." ? "" : folder}`),
        FOLDER_QUERY,
      );
      batch.forEach(({ sha, folder }, index) => {
        const tree = trees[index] ?? null;
        // null: no such folder; no entries: a file or a submodule sits at that path.
        const names =
          tree === null
            ? null
            : new Set(
                (tree.entries ?? []).filter((entry) => entry.type === "blob").map((entry) => entry.name),
              );
        this.#commit(sha).folders.set(folder, names);
      });
    }
  }

  /**
   * One GraphQL request of `object(expression:)` look-ups, an alias each, answers in order.
   * Expressions go in variables, never in the query text: no escaping, no injection.
   */
  async #objects<T>(expressions: readonly string[], shape: ObjectQuery): Promise<(T | null)[]> {
    const { variable, alias, fragment } = shape;
    const variables: Record<string, string> = { owner: this.#pr.owner, name: this.#pr.repo };
    const declarations = ["$owner: String!", "$name: String!"];
    const fields: string[] = [];
    expressions.forEach((expression, index) => {
      variables[`${variable}${index}`] = expression;
      declarations.push(`$${variable}${index}: String!`);
      fields.push(`${alias}${index}: object(expression: $${variable}${index}) { ...${fragment.name} }`);
    });
    const query =
      `query(${declarations.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }\n` +
      `fragment ${fragment.name} on ${fragment.body}`;
    const data = await this.#octokit.graphql<{ repository: Record<string, T | null> | null }>(
      query,
      variables,
    );
    return expressions.map((_, index) => data.repository?.[`${alias}${index}`] ?? null);
  }

  async fetch(requests: readonly BlobRequest[]): Promise<Map<string, BlobResult>> {
    const unique = [
      ...new Map(requests.map((request) => [blobKey(request.sha, request.path), request])).values(),
    ];
    const results = new Map<string, BlobResult>();
    for (let start = 0; start < unique.length; start += this.#perQuery) {
      const batch = unique.slice(start, start + this.#perQuery);
      const blobs = await this.#objects<GraphQLBlob>(
        batch.map((request) => blobKey(request.sha, request.path)),
        BLOB_QUERY,
      );
      batch.forEach((request, index) => {
        results.set(blobKey(request.sha, request.path), this.#toResult(blobs[index] ?? null));
      });
    }
    return results;
  }

  #toResult(blob: GraphQLBlob | null): BlobResult {
    if (blob === null) return { text: null };
    if (blob.byteSize === undefined) return { text: null, skipped: "not a file (a submodule or a folder)" };
    if (blob.isBinary) return { text: null, skipped: "binary file" };
    if (blob.byteSize > this.#maxBytes || blob.isTruncated || typeof blob.text !== "string") {
      return { text: null, skipped: `file too large (${blob.byteSize} bytes, limit ${this.#maxBytes})` };
    }
    return { text: blob.text };
  }
}
