/**
 * End to end: the real `npm start` process (`node dist/src/server.js`) against a fake GitHub API
 * on 127.0.0.1. Probot sends API calls to `http://<GHE_HOST>/api/v3/...` (GraphQL to
 * `/api/graphql`), so the fake answers those paths and records every request.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID, verify } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVER_JS = join(ROOT, "dist", "src", "server.js");
const EXAMPLE = join(ROOT, "examples", "acme-volume-incident");

const HOST = "127.0.0.1";
const APP_ID = 4242;
const APP_SLUG = "gitops-review-bot";
const WEBHOOK_SECRET = "e2e-webhook-secret";
const TOKEN = "ghs_e2e_installation_token";
const OWNER = "Codertocat";
const REPO = "Hello-World";
const REPO_URL = `https://github.com/${OWNER}/${REPO}`;
const PR = 7;
const CHECK_RUN_ID = 7001;
const COMMENT_ID = 9001;
const BASE_SHA = "b".repeat(40);
const HEAD_SHA = "c".repeat(40);
const MERGE_BASE_SHA = "a".repeat(40);
const WEBHOOK_PATH = "/api/github/webhooks";
const REPO_API = `/api/v3/repos/${OWNER}/${REPO}`;

function requireDist(): void {
  if (!existsSync(SERVER_JS)) {
    throw new Error(
      `${relative(ROOT, SERVER_JS)} is missing: run \`npm run build\` (or \`npm install\`) first`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers: ports, child processes, waiting

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface NodeChild {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  exited: Promise<Exit>;
}

/** `node dist/src/server.js` with exactly `env` (nothing inherited: no NODE_OPTIONS, no APP_ID). */
function startServer(env: Record<string, string>, cwd: string): NodeChild {
  const child = spawn(process.execPath, [SERVER_JS], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  return { child, output: () => output, exited };
}

async function stopServer(node: NodeChild | undefined): Promise<void> {
  if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill("SIGTERM");
  const timer = setTimeout(() => node.child.kill("SIGKILL"), 2000);
  await node.exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`'s value, or null when it takes longer than `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `done` every 50 ms; fails with `what` (and the server's output) after `ms`. */
async function waitFor(what: string, done: () => boolean, ms: number, node?: NodeChild): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}\n--- server output ---\n${node?.output()}`,
      );
    }
    await sleep(50);
  }
}

/** Waits until the Probot server answers `/ping`, failing early if the process exits. */
async function waitForListening(node: NodeChild, port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let exit: Exit | null = null;
  void node.exited.then((value) => (exit = value));
  for (;;) {
    if (exit) throw new Error(`server exited (${JSON.stringify(exit)}) before listening:\n${node.output()}`);
    try {
      const response = await fetch(`http://${HOST}:${port}/ping`, { signal: AbortSignal.timeout(500) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`server not listening on ${HOST}:${port} after ${ms} ms:\n${node.output()}`);
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// The pull request: examples/acme-volume-incident/{before,after} at the merge base and the head

async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split(sep).join("/"), await readFile(path, "utf8"));
  }
  return files;
}

interface ListedFile {
  filename: string;
  status: "added" | "removed" | "modified";
}

function changedFiles(before: Map<string, string>, after: Map<string, string>): ListedFile[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths.flatMap((filename): ListedFile[] => {
    const base = before.get(filename);
    const head = after.get(filename);
    if (base === head) return [];
    const status = base === undefined ? "added" : head === undefined ? "removed" : "modified";
    return [{ filename, status }];
  });
}

interface PullRequestPayload {
  action: string;
  number: number;
  installation: { id: number };
  repository: { name: string; full_name: string; html_url: string; owner: { login: string } };
  pull_request: {
    number: number;
    state: string;
    draft: boolean;
    changed_files: number;
    head: { sha: string };
    base: { sha: string };
    labels: { name: string }[];
    user: { login: string };
  };
}

/** The first real `pull_request.opened` example with an installation, made PR #7 of the fake. */
function openedPayload(changed: number): PullRequestPayload {
  const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
    name: string;
    examples: Record<string, unknown>[];
  }[];
  const example = examples
    .find((entry) => entry.name === "pull_request")
    ?.examples.find((candidate) => candidate.action === "opened" && candidate.installation);
  if (!example) throw new Error("no pull_request.opened example with an installation");
  const payload = structuredClone(example) as unknown as PullRequestPayload;
  payload.number = PR;
  payload.repository.name = REPO;
  payload.repository.full_name = `${OWNER}/${REPO}`;
  payload.repository.html_url = REPO_URL;
  payload.repository.owner.login = OWNER;
  Object.assign(payload.pull_request, {
    number: PR,
    state: "open",
    draft: false,
    changed_files: changed,
    labels: [],
  });
  payload.pull_request.head.sha = HEAD_SHA;
  payload.pull_request.base.sha = BASE_SHA;
  return payload;
}

// ---------------------------------------------------------------------------------------------
// The fake GitHub API

interface RecordedRequest {
  method: string;
  /** Decoded path and query, e.g. `/api/v3/repos/o/r/contents/.github/gitops-review.yml`. */
  path: string;
  authorization: string;
  body: unknown;
}

interface Reply {
  status: number;
  body: unknown;
}

class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** Requests no route answered (404 "Not Found" like GitHub), other than the config lookups. */
  readonly unmatched: string[] = [];
  readonly #server: Server;
  readonly #installationId: number;
  readonly #files: ListedFile[];
  readonly #contents: Map<string, Map<string, string>>;

  constructor(installationId: number, files: ListedFile[], contents: Map<string, Map<string, string>>) {
    this.#installationId = installationId;
    this.#files = files;
    this.#contents = contents;
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, HOST, resolve);
    });
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** `METHOD /path` without the query, in arrival order. */
  get calls(): string[] {
    return this.requests.map((request) => `${request.method} ${request.path.replace(/\?.*$/, "")}`);
  }

  bodiesOf(method: string, path: string): Record<string, unknown>[] {
    return this.requests
      .filter((request) => request.method === method && request.path.replace(/\?.*$/, "") === path)
      .map((request) => request.body as Record<string, unknown>);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const method = request.method ?? "GET";
    const path = decodeURIComponent(request.url ?? "/");
    const body = text === "" ? null : parseJson(text);
    this.requests.push({ method, path, authorization: request.headers.authorization ?? "", body });

    const reply = this.#route(method, path.replace(/\?.*$/, ""), body) ?? {
      status: 404,
      body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
    };
    const json = JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(json),
    });
    response.end(json);
  }

  #route(method: string, path: string, body: unknown): Reply | null {
    const route = `${method} ${path}`;
    switch (route) {
      case `POST /api/v3/app/installations/${this.#installationId}/access_tokens`:
        return {
          status: 201,
          body: {
            token: TOKEN,
            expires_at: "2100-01-01T00:00:00Z",
            permissions: { checks: "write", contents: "read", pull_requests: "write", metadata: "read" },
            repository_selection: "all",
          },
        };
      case `POST ${REPO_API}/check-runs`:
        return {
          status: 201,
          body: {
            id: CHECK_RUN_ID,
            html_url: `${REPO_URL}/runs/${CHECK_RUN_ID}`,
            status: "in_progress",
            app: { id: APP_ID, slug: APP_SLUG },
          },
        };
      case `PATCH ${REPO_API}/check-runs/${CHECK_RUN_ID}`:
        return { status: 200, body: { id: CHECK_RUN_ID } };
      // No configuration in the repository nor in the organisation's `.github`: the defaults.
      case `GET ${REPO_API}/contents/.github/gitops-review.yml`:
      case `GET /api/v3/repos/${OWNER}/.github/contents/.github/gitops-review.yml`:
        return { status: 404, body: { message: "Not Found" } };
      case `GET ${REPO_API}/pulls/${PR}/files`:
        return {
          status: 200,
          body: this.#files.map((file, index) => ({
            sha: String(index + 1).padStart(40, "0"),
            additions: 1,
            deletions: 1,
            changes: 2,
            ...file,
          })),
        };
      // The merge base and the changed files in one answer, as GitHub gives up to 300.
      case `GET ${REPO_API}/compare/${BASE_SHA}...${HEAD_SHA}`:
        return {
          status: 200,
          body: {
            merge_base_commit: { sha: MERGE_BASE_SHA },
            files: this.#files.map((file) => ({ additions: 1, deletions: 1, changes: 2, ...file })),
          },
        };
      case "POST /api/graphql":
        return { status: 200, body: { data: { repository: this.#graphql(body) } } };
      case `GET ${REPO_API}/pulls/${PR}`:
        return {
          status: 200,
          body: {
            number: PR,
            state: "open",
            head: { sha: HEAD_SHA },
            base: { sha: BASE_SHA },
            labels: [],
            user: { login: "octocat" },
          },
        };
      case `GET ${REPO_API}/issues/${PR}/comments`:
        return { status: 200, body: [] };
      case `POST ${REPO_API}/issues/${PR}/comments`:
        return {
          status: 201,
          body: { id: COMMENT_ID, html_url: `${REPO_URL}/pull/${PR}#issuecomment-${COMMENT_ID}` },
        };
      case `POST ${REPO_API}/labels`:
        return { status: 201, body };
      case `POST ${REPO_API}/issues/${PR}/labels`:
        return { status: 200, body: [] };
    }
    this.unmatched.push(route);
    return null;
  }

  /**
   * GraphQL: the pull request's state (no comment, no review yet), or `object(expression:
   * "<sha>:<path>")` aliases `e<n>` answered as `b<n>` blobs.
   */
  #graphql(body: unknown): Record<string, unknown> {
    const { query, variables = {} } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    if (query?.includes("pullRequest(")) {
      return {
        pullRequest: {
          state: "OPEN",
          headRefOid: HEAD_SHA,
          author: { login: "octocat", __typename: "User" },
          labels: { pageInfo: { hasNextPage: false }, nodes: [] },
          comments: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
          reviews: { pageInfo: { hasPreviousPage: false }, nodes: [] },
        },
      };
    }
    const repository: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(variables)) {
      if (!/^e\d+$/.test(name) || typeof value !== "string") continue;
      const split = value.indexOf(":");
      const text = this.#contents.get(value.slice(0, split))?.get(value.slice(split + 1));
      repository[`b${name.slice(1)}`] =
        text === undefined
          ? null
          : { byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false, text };
    }
    return repository;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function tokenRequestLine(payload: PullRequestPayload): string {
  return `POST /api/v3/app/installations/${payload.installation.id}/access_tokens`;
}

function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function deliver(port: number, body: string, signature: string): Promise<Response> {
  return fetch(`http://${HOST}:${port}${WEBHOOK_PATH}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signature,
    },
    body,
    signal: AbortSignal.timeout(12_000),
  });
}

/** Checks an RS256 JWT against `publicKey` and returns its claims. */
function verifiedJwtClaims(jwt: string, publicKey: string): Record<string, unknown> {
  const [header, claims, signature] = jwt.split(".");
  const valid = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${claims}`),
    publicKey,
    Buffer.from(signature, "base64url"),
  );
  if (!valid) throw new Error("the App JWT is not signed with the App's private key");
  return JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------

describe("npm start with credentials, against a fake GitHub", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  let github: FakeGitHub | undefined;
  let server: NodeChild | undefined;
  let cwd: string | undefined;
  let port = 0;
  let payload: PullRequestPayload;

  beforeAll(async () => {
    requireDist();
    const before = await readTree(join(EXAMPLE, "before"));
    const after = await readTree(join(EXAMPLE, "after"));
    const files = changedFiles(before, after);
    payload = openedPayload(files.length);
    github = new FakeGitHub(
      payload.installation.id,
      files,
      new Map([
        [MERGE_BASE_SHA, before],
        [HEAD_SHA, after],
      ]),
    );
    const githubPort = await github.listen();
    port = await freePort();
    // An empty working directory: no `.env` nor `.pem` file is picked up.
    cwd = await mkdtemp(join(tmpdir(), "gitops-review-e2e-"));
    server = startServer(
      {
        APP_ID: String(APP_ID),
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET,
        GHE_HOST: `${HOST}:${githubPort}`,
        GHE_PROTOCOL: "http",
        HOST,
        PORT: String(port),
        LOG_LEVEL: "warn",
      },
      cwd,
    );
    await waitForListening(server, port, 8000);
  }, 12_000);

  afterAll(async () => {
    await stopServer(server);
    await github?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it("rejects a webhook with a wrong signature with 400 and calls no API", async () => {
    const body = JSON.stringify(payload);
    const response = await deliver(port, body, sign(body, "not-the-secret"));
    expect(response.status).toBe(400);
    // Give a wrongly accepted delivery time to reach the API.
    await sleep(300);
    expect(github?.requests).toEqual([]);
  });

  it("reviews a signed pull_request.opened: check run, comment with the critical finding, label", async () => {
    const fake = github as FakeGitHub;
    // Output from here on (the wrong-signature delivery before this test is logged as an error).
    const logged = server?.output().length ?? 0;
    const body = JSON.stringify(payload);
    const response = await deliver(port, body, sign(body, WEBHOOK_SECRET));
    // Queued and acknowledged at once; the review runs after the answer.
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ result: "queued" });
    await waitFor(
      "the risk label to be added",
      () => fake.calls.includes(`POST ${REPO_API}/issues/${PR}/labels`),
      12_000,
      server,
    );

    // Installation token with a JWT of this App, then the installation token on every call.
    const [tokenRequest, ...rest] = fake.requests;
    expect(`${tokenRequest.method} ${tokenRequest.path}`).toBe(tokenRequestLine(payload));
    expect(tokenRequest.authorization).toMatch(/^bearer /i);
    const claims = verifiedJwtClaims(tokenRequest.authorization.replace(/^bearer /i, ""), publicKey);
    expect(Number(claims.iss)).toBe(APP_ID);
    for (const request of rest) expect(request.authorization).toBe(`token ${TOKEN}`);
    expect(fake.unmatched).toEqual([]);
    // LOG_LEVEL=warn: the review logged no error (a failed review would log "review failed").
    expect(server?.output().slice(logged)).not.toMatch(/ERROR|FATAL|"level":[56]0/);

    // Every request once; the config lookups and the compare (files and merge base) run
    // concurrently. One GraphQL request reads the contents, one the pull request's state (head,
    // labels, comment, reviews); the label is added in one request.
    const calls = fake.calls;
    const review = [
      `GET ${REPO_API}/contents/.github/gitops-review.yml`,
      `GET /api/v3/repos/${OWNER}/.github/contents/.github/gitops-review.yml`,
      `GET ${REPO_API}/compare/${BASE_SHA}...${HEAD_SHA}`,
      "POST /api/graphql",
      "POST /api/graphql",
      `POST ${REPO_API}/issues/${PR}/comments`,
      `POST ${REPO_API}/issues/${PR}/labels`,
    ];
    const created = `POST ${REPO_API}/check-runs`;
    const completed = `PATCH ${REPO_API}/check-runs/${CHECK_RUN_ID}`;
    expect([...calls].sort()).toEqual([tokenRequestLine(payload), created, ...review, completed].sort());
    expect(calls[1]).toBe(created);
    // The verdict first, then the comment and the labels.
    expect(calls.indexOf(completed)).toBeLessThan(calls.indexOf(`POST ${REPO_API}/issues/${PR}/comments`));
    expect(calls.at(-1)).toBe(`POST ${REPO_API}/issues/${PR}/labels`);

    expect(fake.bodiesOf("POST", `${REPO_API}/check-runs`)).toEqual([
      { name: "GitOps Review", head_sha: HEAD_SHA, status: "in_progress" },
    ]);
    const [completion] = fake.bodiesOf("PATCH", `${REPO_API}/check-runs/${CHECK_RUN_ID}`);
    expect(completion).toMatchObject({ status: "completed", conclusion: "action_required" });
    const annotations = (completion.output as { annotations?: Record<string, unknown>[] }).annotations;
    expect(annotations?.length).toBeGreaterThan(0);
    expect(annotations?.[0]).toMatchObject({
      path: expect.stringMatching(/^infrastructure\/controllers\/traefik\//),
      start_line: expect.any(Number),
      annotation_level: expect.any(String),
    });

    const comments = fake.bodiesOf("POST", `${REPO_API}/issues/${PR}/comments`);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toEqual(expect.stringContaining("volume-shadows-persistence"));
    expect(comments[0].body).toEqual(expect.stringMatching(/critical/i));

    expect(fake.bodiesOf("POST", `${REPO_API}/issues/${PR}/labels`)).toEqual([
      { labels: ["gitops-risk:critical"] },
    ]);
  }, 15_000);
});

describe("npm start without credentials in production", () => {
  let cwd: string | undefined;
  let node: NodeChild | undefined;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "gitops-review-e2e-"));
  });

  afterAll(async () => {
    await stopServer(node);
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it.each<{ missing: string; env: Record<string, string>; line: RegExp }>([
    { missing: "APP_ID", env: {}, line: /^gitops-review-bot: App ID is missing\b/ },
    {
      missing: "the private key file",
      env: { APP_ID: String(APP_ID), PRIVATE_KEY_PATH: "./missing.pem" },
      line: /^gitops-review-bot: Private key does not exists at path: "\.\/missing\.pem"/,
    },
  ])(
    "exits non-zero with one line and no stack trace ($missing)",
    async ({ env, line }) => {
      requireDist();
      node = startServer(
        { NODE_ENV: "production", PORT: String(await freePort()), HOST, ...env },
        cwd ?? ".",
      );
      const exit = await within(node.exited, 5000);
      if (!exit) throw new Error(`still running after 5 s:\n${node.output()}`);

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const output = node.output();
      expect(output).not.toMatch(/^\s+at /m);
      const lines = output.split("\n").filter((text) => text.trim() !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    },
    8000,
  );
});
