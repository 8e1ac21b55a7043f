/**
 * Typed nock helpers for the GitHub API as this App uses it. Every reply is recorded in order, so
 * a test can assert the exact requests (method, path, body) and count them.
 */
import { afterAll, afterEach, beforeEach, expect } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { gateKeyFrom, gateSeal, openGateState, sealGateState } from "../../src/gate/seal.js";
import { emptyGateState, type GateState } from "../../src/gate/state.js";
import { createApp } from "../../src/index.js";
import { clearGitHubCaches } from "../../src/source/github.js";
import { blobId } from "../../src/source/snapshot.js";

export const API = "https://api.github.com";
export const APP_ID = 4242;
export const APP_SLUG = "gitops-review-bot";
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const REPO_URL = `https://github.com/${OWNER}/${REPO}`;

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** The App's gate key in tests (in production: GATE_STATE_KEY or the webhook secret). */
export const GATE_KEY = gateKeyFrom("test webhook secret");
/** The seal of PR #1's gate state. */
export const PR_SEAL = gateSeal(GATE_KEY, { owner: OWNER, repo: REPO, number: 1 });

/** A comment body as the App writes it: its gate state sealed at the end. */
export function sealed(body: string, state: GateState = emptyGateState()): string {
  return sealGateState(body, state, PR_SEAL);
}

/** The verified gate state of a body the App wrote on PR #1; null when the seal does not verify. */
export function verifiedState(body: string): GateState | null {
  return openGateState(body, PR_SEAL);
}

/** A Probot with this App loaded: retries and throttling off, rate-limit waits instant. */
export async function createTestProbot(): Promise<Probot> {
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    logLevel: "fatal",
    // The function form: Probot 14 passes its own `throttle` over a plain object's.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
  await probot.load(createApp({ retry: { sleep: async () => undefined }, gateKey: GATE_KEY }));
  return probot;
}

/** The App under test and its fake GitHub, fresh for every test. */
// nock patches the `http` and `https` core modules, which all test files of a jest worker share:
// left active, it breaks every real request of the files that run after this one in the worker
// (a loopback chart server, a local fake GitHub). Every file that loads these mocks restores them.
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});

export interface MockedApp {
  probot: Probot;
  github: GitHubMock;
}

/**
 * Registers the hooks every App test needs: real network blocked, a fresh Probot and GitHubMock
 * before each test, and no nock interceptor left unused after it. `beforeEachExtra` runs first.
 */
export function useMockedApp(beforeEachExtra?: () => void): MockedApp {
  const app = {} as MockedApp;
  beforeEach(async () => {
    nock.disableNetConnect();
    // Blob contents and commit listings are kept per process: every test counts from nothing.
    clearGitHubCaches();
    beforeEachExtra?.();
    app.probot = await createTestProbot();
    app.github = new GitHubMock();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending).toEqual([]);
  });
  return app;
}

// ---------------------------------------------------------------------------------------------
// Webhook payloads from @octokit/webhooks-examples

interface ExampleEvent {
  name: string;
  examples: Record<string, unknown>[];
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as ExampleEvent[];

/** Webhook example payloads, edited in place by the tests (their exact types add nothing there). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Payload = Record<string, any>;

/** A deep copy of the first example of `event` with this `action` that carries an installation. */
export function examplePayload<T = Record<string, unknown>>(event: string, action: string): T {
  const found = examples
    .find((entry) => entry.name === event)
    ?.examples.find((example) => example.action === action && example.installation);
  if (!found) throw new Error(`no ${event}.${action} example with an installation`);
  return structuredClone(found) as T;
}

export interface PullRequestPayload {
  action: string;
  number: number;
  installation: { id: number };
  repository: { name: string; owner: { login: string }; html_url: string };
  pull_request: {
    number: number;
    state: string;
    changed_files: number;
    head: { sha: string; ref: string };
    base: { sha: string; ref: string };
    labels: { name: string }[];
  };
  changes?: Record<string, unknown>;
}

export const BASE_SHA = "b".repeat(40);
export const HEAD_SHA = "c".repeat(40);
export const MERGE_BASE_SHA = "a".repeat(40);

/** A real `pull_request` example, made PR #1 of Codertocat/Hello-World at HEAD_SHA. */
export function pullRequestPayload(
  action: "opened" | "synchronize" | "reopened" | "ready_for_review" | "edited",
  overrides: { headSha?: string; changedFiles?: number; labels?: string[] } = {},
): PullRequestPayload {
  const source = action === "edited" || action === "synchronize" ? "opened" : action;
  const payload = examplePayload<PullRequestPayload>("pull_request", source);
  payload.action = action;
  payload.number = 1;
  payload.pull_request.number = 1;
  payload.pull_request.state = "open";
  payload.pull_request.head.sha = overrides.headSha ?? HEAD_SHA;
  payload.pull_request.base.sha = BASE_SHA;
  payload.pull_request.changed_files = overrides.changedFiles ?? 1;
  payload.pull_request.labels = (overrides.labels ?? []).map((name) => ({ name }));
  return payload;
}

// ---------------------------------------------------------------------------------------------
// Recording nock scope

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface FileEntry {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed";
  previous_filename?: string;
  /** The blob id at the head, as GitHub lists it; filled from `contents` when they are given. */
  sha?: string;
}

/** Repository content by commit SHA and path, served through GraphQL `object(expression:)`. */
export type Contents = Map<string, Map<string, string>>;

export interface ExistingComment {
  id: number;
  body: string;
  user: { login: string; type: "Bot" | "User" };
  performed_via_github_app: { id: number; slug: string } | null;
}

export class GitHubMock {
  readonly requests: RecordedRequest[] = [];
  readonly scope = nock(API);
  readonly #persistent: nock.Interceptor[] = [];

  /** Removes GraphQL mocks registered with `times: "any"` (before the next event's contents). */
  endGraphql(): this {
    for (const interceptor of this.#persistent.splice(0)) nock.removeInterceptor(interceptor);
    return this;
  }

  /** Wraps a reply body function: records the request, then answers with `fn(body)`. */
  #recorded(
    fn: (body: unknown, url: URL) => unknown = () => ({}),
  ): (request: Request) => Promise<nock.ReplyBody> {
    return async (request: Request) => {
      const url = new URL(request.url);
      const body = parseBody(await request.text());
      this.requests.push({
        method: request.method,
        path: decodeURIComponent(url.pathname + url.search),
        body,
      });
      return fn(body, url) as nock.ReplyBody;
    };
  }

  /** Requests as `METHOD /path` lines, for order and count assertions. */
  get calls(): string[] {
    return this.requests.map((request) => `${request.method} ${request.path.replace(/\?.*$/, "")}`);
  }

  bodiesOf(method: string, pathPart: string): Record<string, unknown>[] {
    return this.requests
      .filter((request) => request.method === method && request.path.includes(pathPart))
      .map((request) => request.body as Record<string, unknown>);
  }

  /** Every body sent to GitHub, serialised: for "never shows X" assertions. */
  get sentText(): string {
    return this.requests
      .filter((request) => request.method !== "GET")
      .map((request) => JSON.stringify(request.body))
      .join("\n");
  }

  installationToken(installationId: number): this {
    this.scope.post(`/app/installations/${installationId}/access_tokens`).reply(
      201,
      this.#recorded(() => ({ token: "ghs_test", expires_at: "2100-01-01T00:00:00Z", permissions: {} })),
    );
    return this;
  }

  createCheckRun(id = 7001): this {
    this.scope.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(
      201,
      this.#recorded(() => ({ id, html_url: `${REPO_URL}/runs/${id}`, app: { id: APP_ID, slug: APP_SLUG } })),
    );
    return this;
  }

  updateCheckRun(id = 7001, times = 1): this {
    this.scope
      .patch(`/repos/${OWNER}/${REPO}/check-runs/${id}`)
      .times(times)
      .reply(
        200,
        this.#recorded(() => ({ id })),
      );
    return this;
  }

  /** `.github/gitops-review.yml` in the repository, or absent (404 here and in the org's `.github`). */
  config(yaml: string | null): this {
    const path = `/repos/${OWNER}/${REPO}/contents/.github%2Fgitops-review.yml`;
    if (yaml !== null) {
      this.scope.get(path).reply(
        200,
        this.#recorded(() => yaml),
        { "content-type": "text/plain; charset=utf-8" },
      );
      return this;
    }
    const notFound = () => ({ message: "Not Found" });
    this.scope.get(path).reply(404, this.#recorded(notFound));
    this.scope
      .get(`/repos/${OWNER}/.github/contents/.github%2Fgitops-review.yml`)
      .reply(404, this.#recorded(notFound));
    return this;
  }

  /**
   * `.github/gitops-review.yml` at a commit, as the configuration plugin reads it with `ref`; absent
   * (null) also answers the organisation's `.github` fallback (read from its default branch).
   */
  configAt(ref: string, yaml: string | null): this {
    const path = `/repos/${OWNER}/${REPO}/contents/.github%2Fgitops-review.yml`;
    if (yaml !== null) {
      this.scope
        .get(path)
        .query({ ref })
        .reply(
          200,
          this.#recorded(() => yaml),
          { "content-type": "text/plain; charset=utf-8" },
        );
      return this;
    }
    const notFound = () => ({ message: "Not Found" });
    this.scope.get(path).query({ ref }).reply(404, this.#recorded(notFound));
    return this.configIn(`${OWNER}/.github`, null);
  }

  /** A configuration file in another repository (`owner/repo`), read from its default branch. */
  configIn(repository: string, yaml: string | null, file = ".github/gitops-review.yml"): this {
    const path = `/repos/${repository}/contents/${encodeURIComponent(file)}`;
    if (yaml === null) {
      this.scope.get(path).reply(
        404,
        this.#recorded(() => ({ message: "Not Found" })),
      );
    } else {
      this.scope.get(path).reply(
        200,
        this.#recorded(() => yaml),
        { "content-type": "text/plain; charset=utf-8" },
      );
    }
    return this;
  }

  /** The PR's files, 100 per page with `link` headers like GitHub's. */
  listFiles(files: readonly FileEntry[], pr = 1): this {
    const pages = Math.max(1, Math.ceil(files.length / 100));
    for (let page = 1; page <= pages; page += 1) {
      const query: Record<string, string> = { per_page: "100" };
      if (page > 1) query.page = String(page);
      const next = `${API}/repos/${OWNER}/${REPO}/pulls/${pr}/files?per_page=100&page=${page + 1}`;
      const slice = files.slice((page - 1) * 100, page * 100).map((file, index) => ({
        sha: `${page}${index}`.padEnd(40, "0"),
        additions: 1,
        deletions: 1,
        changes: 2,
        ...file,
      }));
      this.scope
        .get(`/repos/${OWNER}/${REPO}/pulls/${pr}/files`)
        .query(query)
        .reply(
          200,
          this.#recorded(() => slice),
          page < pages ? { link: `<${next}>; rel="next"` } : {},
        );
    }
    return this;
  }

  /**
   * `GET /compare/<base>...<head>`: the merge base and up to 300 of the changed files, as GitHub
   * answers it. With `contents`, each file carries its blob id at the head, as GitHub lists it.
   */
  compare(
    files: readonly FileEntry[] = [],
    options: { mergeBase?: string; headSha?: string; contents?: Contents } = {},
  ): this {
    const headSha = options.headSha ?? HEAD_SHA;
    const head = options.contents?.get(headSha);
    const listed = files.slice(0, 300).map((file) => {
      const text = file.status === "removed" ? undefined : head?.get(file.filename);
      return {
        additions: 1,
        deletions: 1,
        changes: 2,
        ...file,
        ...(text !== undefined && file.sha === undefined ? { sha: blobId(text) } : {}),
      };
    });
    this.scope
      .get(`/repos/${OWNER}/${REPO}/compare/${BASE_SHA}...${headSha}`)
      .query({ per_page: "1" })
      .reply(
        200,
        this.#recorded(() => ({
          merge_base_commit: { sha: options.mergeBase ?? MERGE_BASE_SHA },
          files: listed,
        })),
      );
    return this;
  }

  /**
   * GraphQL blob lookups (`e<n>` variables) and folder listings (`t<n>`), answered from `contents`.
   * `times` is how many requests are expected, or "any" when the engine decides (context files it
   * asks for after parsing, contents already cached); "any" also serves the recursive trees and
   * REST blob reads, whether asked for or not.
   */
  graphql(contents: Contents, times: number | "any" = 1, tree: { truncated?: boolean } = {}): this {
    // Not the pull request's state: that query has its own reply (`prState`).
    const objects = (body: Record<string, unknown>) => !String(body.query).includes("pullRequest(");
    const interceptor =
      times === "any"
        ? nock(API).persist().post("/graphql", objects)
        : this.scope.post("/graphql", objects).times(times);
    if (times === "any") {
      // "any" includes none: contents an earlier event read are in the process's cache.
      interceptor.optionally();
      this.#persistent.push(interceptor);
      this.#persistent.push(this.#treeReply(nock(API).persist(), contents, tree).optionally());
      this.#persistent.push(this.#blobReply(nock(API).persist(), contents).optionally());
    }
    interceptor.reply(
      200,
      this.#recorded((body) => {
        const { variables } = body as { variables: Record<string, string> };
        const repository: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(variables)) {
          const split = value.indexOf(":");
          const files = contents.get(value.slice(0, split));
          const path = value.slice(split + 1);
          if (/^e\d+$/.test(name)) {
            const text = files?.get(path);
            repository[`b${name.slice(1)}`] = text === undefined ? null : graphqlBlob(text);
          } else if (/^o\d+$/.test(name)) {
            const text = byBlobId(contents, value);
            repository[name] = text === undefined ? null : graphqlBlob(text);
          } else if (/^t\d+$/.test(name)) {
            const entries = treeEntries(files, path);
            repository[name] =
              entries.length === 0
                ? null
                : {
                    entries: entries.map(({ name, type, size, sha }) => ({
                      name,
                      type,
                      mode: type === "tree" ? 0o40000 : 0o100644,
                      oid: sha,
                      object: type === "blob" ? { byteSize: size } : {},
                    })),
                  };
          }
        }
        return { data: { repository } };
      }),
    );
    return this;
  }

  /** `GET /git/trees/:sha?recursive=1` answered from `contents`, as GitHub lists a commit's files. */
  #treeReply(scope: nock.Scope, contents: Contents, options: { truncated?: boolean }): nock.Interceptor {
    const interceptor = scope.get(new RegExp(`^/repos/${OWNER}/${REPO}/git/trees/[0-9a-f]+$`)).query(true);
    interceptor.reply(
      200,
      this.#recorded((_body, url) => {
        const sha = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
        const files = contents.get(sha);
        const recursive = url.searchParams.get("recursive") !== null;
        const tree: { path: string; mode: string; type: string; sha: string; size?: number }[] = [];
        const walk = (folder: string) => {
          for (const entry of treeEntries(files, folder)) {
            const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
            tree.push({
              path,
              mode: entry.type === "tree" ? "040000" : "100644",
              type: entry.type,
              sha: entry.sha,
              ...(entry.size === undefined ? {} : { size: entry.size }),
            });
            if (recursive && entry.type === "tree") walk(path);
          }
        };
        walk("");
        // GitHub cuts a tree it finds too large, keeping the first entries.
        if (options.truncated) return { sha, url: url.href, tree: tree.slice(0, 10), truncated: true };
        return { sha, url: url.href, tree, truncated: false };
      }),
    );
    return interceptor;
  }

  /** `GET /git/blobs/:sha`, the REST read of a blob GraphQL cut, answered from `contents`. */
  #blobReply(scope: nock.Scope, contents: Contents): nock.Interceptor {
    const interceptor = scope.get(new RegExp(`^/repos/${OWNER}/${REPO}/git/blobs/[0-9a-f]+$`));
    interceptor.reply(
      200,
      this.#recorded((_body, url) => {
        const sha = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
        const text = byBlobId(contents, sha) ?? "";
        return {
          sha,
          size: Buffer.byteLength(text),
          encoding: "base64",
          content: Buffer.from(text).toString("base64"),
        };
      }),
    );
    return interceptor;
  }

  /**
   * The GraphQL query a review makes before publishing: the head now, labels, comments (this
   * App's when `performed_via_github_app` names it) and reviews.
   */
  prState(
    options: {
      headSha?: string;
      labels?: string[];
      comments?: readonly ExistingComment[] | (() => readonly ExistingComment[]);
      reviews?: readonly { user: string; state: string; commitId?: string; type?: "User" | "Bot" }[];
      author?: string;
    } = {},
  ): this {
    this.scope
      .post("/graphql", (body: Record<string, unknown>) => String(body.query).includes("pullRequest("))
      .reply(
        200,
        this.#recorded(() => {
          const comments =
            typeof options.comments === "function" ? options.comments() : (options.comments ?? []);
          let minute = 0;
          return {
            data: {
              repository: {
                pullRequest: {
                  state: "OPEN",
                  headRefOid: options.headSha ?? HEAD_SHA,
                  author: { login: options.author ?? "octocat", __typename: "User" },
                  labels: {
                    pageInfo: { hasNextPage: false },
                    nodes: (options.labels ?? []).map((name) => ({ name })),
                  },
                  comments: {
                    pageInfo: { hasNextPage: false, endCursor: null },
                    nodes: comments.map((comment) => ({
                      databaseId: comment.id,
                      body: comment.body,
                      url: `${REPO_URL}/pull/1#issuecomment-${comment.id}`,
                      viewerDidAuthor: comment.performed_via_github_app?.id === APP_ID,
                    })),
                  },
                  reviews: {
                    pageInfo: { hasPreviousPage: false },
                    nodes: (options.reviews ?? []).map((review) => ({
                      state: review.state,
                      submittedAt: `2024-05-02T10:${String((minute += 1)).padStart(2, "0")}:00Z`,
                      commit: { oid: review.commitId ?? options.headSha ?? HEAD_SHA },
                      author: {
                        login: review.type === "Bot" ? review.user.replace(/\[bot\]$/, "") : review.user,
                        __typename: review.type ?? "User",
                      },
                    })),
                  },
                },
              },
            },
          };
        }),
      );
    return this;
  }

  /** `GET /pulls/:n`: the head SHA and labels GitHub reports now. */
  pullRequest(headSha = HEAD_SHA, labels: string[] = [], pr = 1): this {
    this.scope.get(`/repos/${OWNER}/${REPO}/pulls/${pr}`).reply(
      200,
      this.#recorded(() => ({
        number: pr,
        state: "open",
        head: { sha: headSha },
        base: { sha: BASE_SHA },
        labels: labels.map((name) => ({ name })),
      })),
    );
    return this;
  }

  /** The PR's comments; a function is asked when the request comes (a body edited meanwhile). */
  comments(existing: readonly ExistingComment[] | (() => readonly ExistingComment[]) = [], pr = 1): this {
    this.scope
      .get(`/repos/${OWNER}/${REPO}/issues/${pr}/comments`)
      .query({ per_page: "100" })
      .reply(
        200,
        this.#recorded(() =>
          (typeof existing === "function" ? existing() : existing).map((comment) => ({
            ...comment,
            html_url: `${REPO_URL}/pull/${pr}#issuecomment-${comment.id}`,
          })),
        ),
      );
    return this;
  }

  createComment(id = 9001, pr = 1): this {
    this.scope.post(`/repos/${OWNER}/${REPO}/issues/${pr}/comments`).reply(
      201,
      this.#recorded(() => ({ id, html_url: `${REPO_URL}/pull/${pr}#issuecomment-${id}` })),
    );
    return this;
  }

  updateComment(id = 9001): this {
    this.scope.patch(`/repos/${OWNER}/${REPO}/issues/comments/${id}`).reply(
      200,
      this.#recorded(() => ({ id, html_url: `${REPO_URL}/pull/1#issuecomment-${id}` })),
    );
    return this;
  }

  /**
   * `POST /issues/:n/labels`: GitHub answers with the labels; a label it had to create
   * comes back in its default colour without a description (`created`).
   */
  addLabels(pr = 1, created = false): this {
    this.scope.post(`/repos/${OWNER}/${REPO}/issues/${pr}/labels`).reply(
      200,
      this.#recorded((body) =>
        ((body as { labels: string[] }).labels ?? []).map((name) => ({
          name,
          color: created ? "ededed" : "d93f0b",
          description: created ? null : "gitops-review-bot: highest finding",
        })),
      ),
    );
    return this;
  }

  /** `PUT /issues/:n/labels`: the whole set replaced. */
  setLabels(pr = 1): this {
    this.scope.put(`/repos/${OWNER}/${REPO}/issues/${pr}/labels`).reply(
      200,
      this.#recorded((body) =>
        ((body as { labels: string[] }).labels ?? []).map((name) => ({
          name,
          color: "ededed",
          description: null,
        })),
      ),
    );
    return this;
  }

  /** `PATCH /labels/:name`: a label given its colour. */
  updateLabel(name: string): this {
    this.scope.patch(`/repos/${OWNER}/${REPO}/labels/${encodeURIComponent(name)}`).reply(
      200,
      this.#recorded((body) => body),
    );
    return this;
  }

  removeLabel(name: string, pr = 1): this {
    this.scope.delete(`/repos/${OWNER}/${REPO}/issues/${pr}/labels/${encodeURIComponent(name)}`).reply(
      200,
      this.#recorded(() => []),
    );
    return this;
  }
}

function graphqlBlob(text: string) {
  const byteSize = Buffer.byteLength(text);
  // GitHub's GraphQL stops a blob's text at 512 KiB.
  const isTruncated = byteSize > 512 * 1024;
  return {
    oid: blobId(text),
    byteSize,
    isBinary: false,
    isTruncated,
    text: isTruncated
      ? Buffer.from(text)
          .subarray(0, 512 * 1024)
          .toString("utf8")
      : text,
  };
}

/** The text whose git blob id is `id`, at any commit of `contents`. */
function byBlobId(contents: Contents, id: string): string | undefined {
  for (const files of contents.values()) {
    for (const text of files.values()) if (blobId(text) === id) return text;
  }
  return undefined;
}

interface MockTreeEntry {
  name: string;
  type: "blob" | "tree";
  size?: number;
  sha: string;
}

/** The entries of one folder (`""` for the root) among a commit's files, as git lists them. */
function treeEntries(files: ReadonlyMap<string, string> | undefined, folder: string): MockTreeEntry[] {
  const prefix = folder === "" ? "" : `${folder}/`;
  const entries = new Map<string, MockTreeEntry>();
  for (const [path, text] of files ?? []) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf("/");
    const name = slash === -1 ? rest : rest.slice(0, slash);
    entries.set(
      name,
      slash === -1
        ? { name, type: "blob", size: Buffer.byteLength(text), sha: blobId(text) }
        : { name, type: "tree", sha: "0".repeat(40) },
    );
  }
  return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function parseBody(body: unknown): unknown {
  if (typeof body !== "string" || body === "") return body ?? null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** A bot comment of this App carrying the sticky marker. */
export function ownComment(id: number, body: string): ExistingComment {
  return {
    id,
    body,
    user: { login: `${APP_SLUG}[bot]`, type: "Bot" },
    performed_via_github_app: { id: APP_ID, slug: APP_SLUG },
  };
}
