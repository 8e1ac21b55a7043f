/**
 * A pull request as a ChangeSet. Everything is read through the base repository, so forked pull
 * requests work with the installation's token: the file list from REST (100 per page, GitHub stops
 * at 3,000 files), the contents of both sides from GraphQL in batches (`object(expression:
 * "<sha>:<path>")`, many aliases per request), never one request per file.
 */
import type { ProbotOctokit } from "probot";
import type { ChangeSet, ContextFile, ContextReader, FileChange, FileStatus } from "./change-set.js";

/** GitHub's cap on the files endpoint of a pull request. */
export const GITHUB_FILE_LIST_CAP = 3000;
const FILES_PER_PAGE = 100;
/** Blob lookups per GraphQL request: 100 aliases stay well inside GitHub's node and time limits. */
export const BLOBS_PER_QUERY = 100;
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
}

export interface GitHubChangeSet {
  changeSet: ChangeSet;
  contextReader: ContextReader;
}

type Octokit = Pick<ProbotOctokit, "graphql" | "paginate" | "rest">;

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
  const reader = new BlobReader(octokit, pr, options);
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

/** Reads blobs at commits of the base repository, a batch of aliases per GraphQL request. */
class BlobReader implements ContextReader {
  readonly #octokit: Octokit;
  readonly #pr: PullRequestCoordinates;
  readonly #maxBytes: number;
  readonly #perQuery: number;

  constructor(octokit: Octokit, pr: PullRequestCoordinates, options: GitHubSourceOptions) {
    this.#octokit = octokit;
    this.#pr = pr;
    this.#maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
    this.#perQuery = options.blobsPerQuery ?? BLOBS_PER_QUERY;
  }

  /** Unchanged files the model asks for, both sides, in one batch. */
  async read(paths: readonly string[]): Promise<ContextFile[]> {
    const unique = [...new Set(paths)];
    const requests = unique.flatMap((path) => [
      { sha: this.#pr.baseSha, path },
      { sha: this.#pr.headSha, path },
    ]);
    const blobs = await this.fetch(requests);
    const files: ContextFile[] = [];
    for (const path of unique) {
      const base = blobs.get(blobKey(this.#pr.baseSha, path))?.text ?? null;
      const head = blobs.get(blobKey(this.#pr.headSha, path))?.text ?? null;
      // A path missing on both sides does not exist; the pipeline remembers that itself.
      if (base !== null || head !== null) files.push({ path, base, head });
    }
    return files;
  }

  async fetch(requests: readonly BlobRequest[]): Promise<Map<string, BlobResult>> {
    const unique = [
      ...new Map(requests.map((request) => [blobKey(request.sha, request.path), request])).values(),
    ];
    const results = new Map<string, BlobResult>();
    for (let start = 0; start < unique.length; start += this.#perQuery) {
      const batch = unique.slice(start, start + this.#perQuery);
      const variables: Record<string, string> = { owner: this.#pr.owner, name: this.#pr.repo };
      const declarations = ["$owner: String!", "$name: String!"];
      const fields: string[] = [];
      batch.forEach((request, index) => {
        // Paths go in variables, never in the query text: no escaping, no injection.
        variables[`e${index}`] = `${request.sha}:${request.path}`;
        declarations.push(`$e${index}: String!`);
        fields.push(`b${index}: object(expression: $e${index}) { ...blob }`);
      });
      const query =
        `query(${declarations.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }\n` +
        "fragment blob on Blob { byteSize isBinary isTruncated text }";
      const data = await this.#octokit.graphql<{ repository: Record<string, GraphQLBlob | null> | null }>(
        query,
        variables,
      );
      batch.forEach((request, index) => {
        results.set(
          blobKey(request.sha, request.path),
          this.#toResult(data.repository?.[`b${index}`] ?? null),
        );
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
