/**
 * A fake GitHub API on 127.0.0.1 for the real server process (`GHE_HOST`): any number of pull
 * requests, check runs and comments kept as GitHub would, a latency per round trip, and faults to
 * inject per route (5xx, an applied write answered 502, a truncated body, GraphQL errors, rate
 * limits, a request that never answers). Used by the service tests and `npm run bench:service`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { blobId } from "../../src/source/snapshot.js";

export const APP_ID = 4242;
export const APP_SLUG = "gitops-review-bot";
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const REPO_URL = `https://github.com/${OWNER}/${REPO}`;
export const REPO_API = `/api/v3/repos/${OWNER}/${REPO}`;
export const TOKEN = "ghs_fake_installation_token";

export interface FakePullRequest {
  number: number;
  head: string;
  base: string;
  mergeBase: string;
  files: { filename: string; status: "added" | "removed" | "modified" }[];
  /** sha -> path -> text */
  contents: Map<string, Map<string, string>>;
}

export interface CheckRun {
  id: number;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: Record<string, unknown> | null;
}

export interface Comment {
  id: number;
  issue: number;
  body: string;
}

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  at: number;
}

/**
 * What a fault does to a matching request:
 * - `status`: answer it with this status (not applied);
 * - `applyThen`: apply it, then answer with this status (a write GitHub did but reported failed);
 * - `truncate`: apply it and cut the JSON body short;
 * - `graphqlErrors`: answer a GraphQL query 200 with `errors` next to partial data;
 * - `hang`: never answer.
 */
export interface Fault {
  method: string;
  /** Matched against the path without query. */
  path: RegExp;
  times: number;
  status?: number;
  headers?: Record<string, string>;
  applyThen?: number;
  truncate?: boolean;
  graphqlErrors?: { type?: string; message: string }[];
  hang?: boolean;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class FakeGitHub {
  readonly requests: Recorded[] = [];
  readonly checkRuns = new Map<number, CheckRun>();
  readonly comments: Comment[] = [];
  readonly labels = new Map<number, Set<string>>();
  readonly pulls = new Map<number, FakePullRequest>();
  readonly #faults: Fault[] = [];
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();
  #nextCheck = 7001;
  /** Blob id -> text over the commits hashed so far. */
  readonly #blobIds = new Map<string, string>();
  readonly #hashed = new WeakSet<Map<string, string>>();
  #nextComment = 9001;
  /** Milliseconds added to every answer: one API round trip. */
  latencyMs = 0;
  /** `.github/gitops-review.yml`, served as JSON text (YAML reads it); none when null. */
  repoConfig: Record<string, unknown> | null = null;
  /** Recursive trees with more entries come back cut (`truncated`), as GitHub cuts large ones. */
  treeEntryLimit = 100_000;

  constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", resolve);
    });
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const response of this.#hanging) response.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  addPullRequest(pr: FakePullRequest): void {
    this.pulls.set(pr.number, pr);
  }

  inject(fault: Fault): void {
    this.#faults.push(fault);
  }

  clearFaults(): void {
    this.#faults.length = 0;
    for (const response of this.#hanging) response.destroy();
    this.#hanging.clear();
  }

  get calls(): string[] {
    return this.requests.map((request) => `${request.method} ${request.path.replace(/\?.*$/, "")}`);
  }

  /** Requests other than the installation token. */
  apiCalls(): string[] {
    return this.calls.filter((call) => !call.includes("/access_tokens"));
  }

  checksFor(head: string): CheckRun[] {
    return [...this.checkRuns.values()].filter((run) => run.head_sha === head);
  }

  commentsOn(issue: number): Comment[] {
    return this.comments.filter((comment) => comment.issue === issue);
  }

  #fault(method: string, path: string): Fault | null {
    const fault = this.#faults.find(
      (candidate) => candidate.times > 0 && candidate.method === method && candidate.path.test(path),
    );
    if (!fault) return null;
    fault.times -= 1;
    return fault;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = decodeURIComponent(url.pathname);
    let body: unknown;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      body = text;
    }
    this.requests.push({ method, path: path + url.search, body, at: Date.now() });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

    const fault = this.#fault(method, path);
    if (fault?.hang) {
      this.#hanging.add(response);
      response.once("close", () => this.#hanging.delete(response));
      return;
    }
    let reply: Reply;
    if (fault?.status !== undefined) {
      reply = {
        status: fault.status,
        body: {
          message: fault.status === 403 ? "You have exceeded a secondary rate limit." : "Server Error",
        },
        headers: fault.headers,
      };
    } else {
      reply = this.#route(method, path, url.searchParams, body, request.headers.host ?? "127.0.0.1") ?? {
        status: 404,
        body: { message: "Not Found" },
      };
      if (fault?.applyThen !== undefined)
        reply = { status: fault.applyThen, body: { message: "Bad Gateway" } };
      if (fault?.graphqlErrors) {
        reply = {
          status: 200,
          body: { data: { repository: null }, errors: fault.graphqlErrors },
          headers: fault.headers,
        };
      }
    }
    let json = JSON.stringify(reply.body);
    if (fault?.truncate) json = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    response.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(json),
      "x-ratelimit-remaining": "4999",
      ...reply.headers,
    });
    response.end(json);
  }

  #route(method: string, path: string, query: URLSearchParams, body: unknown, host: string): Reply | null {
    const input = (body ?? {}) as Record<string, unknown>;
    let match: RegExpExecArray | null;
    if (method === "POST" && /^\/api\/v3\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return {
        status: 201,
        body: {
          token: TOKEN,
          expires_at: "2100-01-01T00:00:00Z",
          permissions: { checks: "write" },
          repository_selection: "all",
        },
      };
    }
    if (!path.startsWith(REPO_API) && !path.startsWith("/api/v3/repos/") && path !== "/api/graphql")
      return null;
    if (path.endsWith("/contents/.github/gitops-review.yml")) {
      // Probot asks for the raw file: a JSON content type would read as a folder.
      return this.repoConfig
        ? {
            status: 200,
            body: this.repoConfig,
            headers: { "content-type": "application/vnd.github.raw; charset=utf-8" },
          }
        : { status: 404, body: { message: "Not Found" } };
    }
    if (path === "/api/graphql") {
      const repository = String(input.query).includes("pullRequest(")
        ? this.#pullRequestState(input)
        : this.#objects(input);
      return { status: 200, body: { data: { repository } } };
    }
    const rest = path.slice(REPO_API.length);

    if (method === "POST" && rest === "/check-runs") {
      const run: CheckRun = {
        id: this.#nextCheck++,
        head_sha: String(input.head_sha),
        status: String(input.status ?? "queued"),
        conclusion: (input.conclusion as string | undefined) ?? null,
        output: (input.output as Record<string, unknown> | undefined) ?? null,
      };
      this.checkRuns.set(run.id, run);
      return { status: 201, body: this.#checkBody(run) };
    }
    if ((match = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.get(Number(match[1]));
      if (!run) return null;
      if (method === "PATCH") {
        if (input.status) run.status = String(input.status);
        if (input.conclusion) run.conclusion = String(input.conclusion);
        if (input.output) run.output = { ...run.output, ...(input.output as Record<string, unknown>) };
      }
      return { status: 200, body: this.#checkBody(run) };
    }
    if (method === "GET" && (match = /^\/commits\/([0-9a-f]+)\/check-runs$/.exec(rest))) {
      const status = query.get("status");
      const runs = this.checksFor(match[1]).filter((run) => !status || run.status === status);
      return {
        status: 200,
        body: { total_count: runs.length, check_runs: runs.map((run) => this.#checkBody(run)) },
      };
    }
    if ((match = /^\/pulls\/(\d+)$/.exec(rest)) && method === "GET") {
      const pr = this.pulls.get(Number(match[1]));
      if (!pr) return null;
      return {
        status: 200,
        body: {
          number: pr.number,
          state: "open",
          head: { sha: pr.head },
          base: { sha: pr.base },
          labels: [],
          user: { login: "octocat" },
        },
      };
    }
    if ((match = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pr = this.pulls.get(Number(match[1]));
      if (!pr) return null;
      const page = Number(query.get("page") ?? "1");
      const slice = pr.files.slice((page - 1) * 100, page * 100);
      const next = page * 100 < pr.files.length;
      return {
        status: 200,
        body: slice.map((file, index) => ({
          sha: String(index).padStart(40, "0"),
          additions: 1,
          deletions: 1,
          changes: 2,
          ...file,
        })),
        headers: next
          ? {
              link: `<http://${host}${REPO_API}/pulls/${pr.number}/files?per_page=100&page=${page + 1}>; rel="next"`,
            }
          : {},
      };
    }
    if ((match = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      const pr = [...this.pulls.values()].find((candidate) => candidate.head === match?.[2]);
      if (!pr) return null;
      // Up to 300 files, each with its blob id at the head, as GitHub lists them.
      const head = pr.contents.get(pr.head);
      const files = pr.files.slice(0, 300).map((file) => {
        const text = file.status === "removed" ? undefined : head?.get(file.filename);
        return {
          additions: 1,
          deletions: 1,
          changes: 2,
          ...file,
          ...(text !== undefined ? { sha: blobId(text) } : {}),
        };
      });
      return { status: 200, body: { merge_base_commit: { sha: pr.mergeBase }, files } };
    }
    if (method === "GET" && (match = /^\/git\/trees\/([0-9a-f]+)$/.exec(rest))) {
      const files = this.#commit(match[1]);
      if (!files) return null;
      const tree = [...files].map(([path, text]) => ({
        path,
        mode: "100644",
        type: "blob",
        sha: blobId(text),
        size: Buffer.byteLength(text),
      }));
      if (tree.length > this.treeEntryLimit)
        return {
          status: 200,
          body: { sha: match[1], tree: tree.slice(0, this.treeEntryLimit), truncated: true },
        };
      return { status: 200, body: { sha: match[1], tree, truncated: false } };
    }
    if (method === "GET" && (match = /^\/git\/blobs\/([0-9a-f]+)$/.exec(rest))) {
      const text = this.#blob(match[1]);
      if (text === undefined) return null;
      return {
        status: 200,
        body: {
          sha: match[1],
          size: Buffer.byteLength(text),
          encoding: "base64",
          content: Buffer.from(text).toString("base64"),
        },
      };
    }
    if ((match = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(match[1]);
      if (method === "GET") {
        return {
          status: 200,
          body: this.commentsOn(issue).map((comment) => ({
            id: comment.id,
            body: comment.body,
            html_url: `${REPO_URL}/pull/${issue}#issuecomment-${comment.id}`,
            user: { login: `${APP_SLUG}[bot]`, type: "Bot" },
            performed_via_github_app: { id: APP_ID, slug: APP_SLUG },
          })),
        };
      }
      const comment = { id: this.#nextComment++, issue, body: String(input.body) };
      this.comments.push(comment);
      return {
        status: 201,
        body: { id: comment.id, html_url: `${REPO_URL}/pull/${issue}#issuecomment-${comment.id}` },
      };
    }
    if ((match = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === "PATCH") {
      const comment = this.comments.find((candidate) => candidate.id === Number(match?.[1]));
      if (!comment) return null;
      comment.body = String(input.body);
      return {
        status: 200,
        body: { id: comment.id, html_url: `${REPO_URL}/pull/${comment.issue}#issuecomment-${comment.id}` },
      };
    }
    if (method === "POST" && rest === "/labels") return { status: 201, body: input };
    if ((match = /^\/issues\/(\d+)\/labels$/.exec(rest)) && (method === "POST" || method === "PUT")) {
      const issue = Number(match[1]);
      const labels = method === "PUT" ? new Set<string>() : (this.labels.get(issue) ?? new Set<string>());
      for (const label of (input.labels as string[] | undefined) ?? []) labels.add(label);
      this.labels.set(issue, labels);
      return {
        status: 200,
        body: [...labels].map((name) => ({ name, color: "d93f0b", description: "gitops-review-bot label" })),
      };
    }
    if ((match = /^\/issues\/(\d+)\/labels\/(.+)$/.exec(rest)) && method === "DELETE") {
      this.labels.get(Number(match[1]))?.delete(match[2]);
      return { status: 200, body: [] };
    }
    return null;
  }

  #checkBody(run: CheckRun): Record<string, unknown> {
    return {
      id: run.id,
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      name: "GitOps Review",
      html_url: `${REPO_URL}/runs/${run.id}`,
      app: { id: APP_ID, slug: APP_SLUG },
      output: { title: null, summary: null, text: null, ...run.output },
    };
  }

  /** The files at a commit of any pull request. */
  #commit(sha: string): Map<string, string> | undefined {
    for (const pr of this.pulls.values()) {
      const files = pr.contents.get(sha);
      if (files) return files;
    }
    return undefined;
  }

  /**
   * The text whose blob id is `id`, at any commit. Each commit's files are hashed once, when first
   * needed (hashing everything on every look-up would stall this process, and with it the tests'
   * own timings).
   */
  #blob(id: string): string | undefined {
    for (const pr of this.pulls.values()) {
      for (const files of pr.contents.values()) {
        if (this.#hashed.has(files)) continue;
        for (const text of files.values()) this.#blobIds.set(blobId(text), text);
        this.#hashed.add(files);
      }
    }
    return this.#blobIds.get(id);
  }

  /**
   * GraphQL look-ups: `object(expression: "<sha>:<path>")` aliases `e<n>` answered as `b<n>`
   * blobs, `object(oid:)` aliases `o<n>`, folder listings `t<n>`.
   */
  #objects(body: Record<string, unknown>): Record<string, unknown> {
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    const repository: Record<string, unknown> = {};
    // GitHub's GraphQL stops a blob's text at 512 KiB and says so.
    const blob = (text: string) => {
      const bytes = Buffer.from(text);
      const isTruncated = bytes.length > 512 * 1024;
      return {
        oid: blobId(bytes),
        byteSize: bytes.length,
        isBinary: false,
        isTruncated,
        text: isTruncated ? bytes.subarray(0, 512 * 1024).toString("utf8") : text,
      };
    };
    for (const [name, value] of Object.entries(variables)) {
      if (!/^[eto]\d+$/.test(name) || typeof value !== "string") continue;
      if (name.startsWith("t")) {
        const split = value.indexOf(":");
        repository[name] = this.#folder(value.slice(0, split), value.slice(split + 1));
      } else if (name.startsWith("o")) {
        const text = this.#blob(value);
        repository[name] = text === undefined ? null : blob(text);
      } else {
        const split = value.indexOf(":");
        const text = this.#commit(value.slice(0, split))?.get(value.slice(split + 1));
        repository[`b${name.slice(1)}`] = text === undefined ? null : blob(text);
      }
    }
    return repository;
  }

  /** A folder's entries as GraphQL lists a Tree; null when there is no such folder. */
  #folder(sha: string, folder: string): Record<string, unknown> | null {
    const prefix = folder === "" ? "" : `${folder}/`;
    const entries = new Map<string, Record<string, unknown>>();
    for (const [path, text] of this.#commit(sha) ?? []) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const name = rest.split("/")[0];
      if (entries.has(name)) continue;
      entries.set(
        name,
        rest.includes("/")
          ? { name, type: "tree", mode: 0o40000, oid: "0".repeat(40), object: {} }
          : {
              name,
              type: "blob",
              mode: 0o100644,
              oid: blobId(text),
              object: { byteSize: Buffer.byteLength(text) },
            },
      );
    }
    return entries.size === 0 ? null : { entries: [...entries.values()] };
  }

  /** The query a review makes before publishing: head, labels, this App's comments, reviews. */
  #pullRequestState(body: Record<string, unknown>): Record<string, unknown> {
    const number = Number(((body.variables ?? {}) as Record<string, unknown>).number);
    const pr = this.pulls.get(number);
    if (!pr) return { pullRequest: null };
    return {
      pullRequest: {
        state: "OPEN",
        headRefOid: pr.head,
        author: { login: "octocat", __typename: "User" },
        labels: {
          pageInfo: { hasNextPage: false },
          nodes: [...(this.labels.get(number) ?? [])].map((name) => ({ name })),
        },
        comments: {
          pageInfo: { hasNextPage: false, endCursor: null },
          nodes: this.commentsOn(number).map((comment) => ({
            databaseId: comment.id,
            body: comment.body,
            url: `${REPO_URL}/pull/${number}#issuecomment-${comment.id}`,
            viewerDidAuthor: true,
          })),
        },
        reviews: { pageInfo: { hasPreviousPage: false }, nodes: [] },
      },
    };
  }
}
