import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe } from "@jest/globals";
import { createBuilder, type Builder, type BuilderOptions } from "../../src/build/index.js";
import { packageRoot } from "../../src/package-root.js";

export function corpusDir(): string {
  return process.env.GITOPS_REVIEW_CORPUS ?? join(packageRoot(), "..", "shared", "corpus");
}

/** The corpus Helm repository (index.yaml + 34 packages), or null when the corpus is absent. */
export function corpusRepo(): string | null {
  const dir = join(corpusDir(), "charts", "repo");
  return existsSync(join(dir, "index.yaml")) ? dir : null;
}

/** Tools from the npm package only: the machine's helm or kubectl on PATH never matter. */
export function testBuilder(options: BuilderOptions = {}): Builder {
  return createBuilder({ ...options, tools: { env: {}, searchPath: false, ...options.tools } });
}

/** Writes `files` (path -> content) under a new temporary folder and returns it. */
export async function writeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "gitops-review-build-test-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

export async function removeTree(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

export interface TestServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1; `handle` answers, every request path is recorded. */
export async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The corpus repository as an HTTP Helm repository. Its index carries absolute URLs for port 8879;
 * they are made relative on the fly (Helm and Flux resolve them against the repository URL), the
 * file in the corpus is not touched.
 */
export function serveCorpusRepo(repo: string): Promise<TestServer> {
  const index = readFileSync(join(repo, "index.yaml"), "utf8").replaceAll("http://127.0.0.1:8879/", "");
  return serve((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/index.yaml") {
      res.writeHead(200, { "content-type": "application/x-yaml" }).end(index);
      return;
    }
    const file = join(repo, path.replace(/^\/+/, ""));
    if (/^\/[\w.-]+\.tgz$/.test(path) && existsSync(file)) {
      res.writeHead(200, { "content-type": "application/gzip" }).end(readFileSync(file));
      return;
    }
    res.writeHead(404).end("not found");
  });
}

/** What the tests allow: the local server's repository, and loopback addresses. */
export function loopbackPolicy(url: string) {
  return { allowedRepositories: [url], allowAddresses: ["127.0.0.0/8"] };
}

export const describeWithCorpus = corpusRepo() ? describe : describe.skip;
