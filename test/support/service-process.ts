/**
 * The real `npm start` process (`node dist/src/server.js`) for service tests and the benchmark:
 * spawn it against a FakeGitHub, deliver signed webhooks, start a throwaway redis-server.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OWNER, REPO, REPO_URL, type FakePullRequest } from "./fake-github.js";

/** The project root, from test/support or from its compiled copy in dist/test/support (the bench). */
export const ROOT = fileURLToPath(
  new URL(import.meta.url.includes("/dist/test/") ? "../../../" : "../../", import.meta.url),
);
export const SERVER_JS = join(ROOT, "dist", "src", "server.js");
export const HOST = "127.0.0.1";
export const WEBHOOK_SECRET = "service-test-secret";
export const INSTALLATION_ID = 1;

export const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the server with exactly these variables (plus the App's credentials) and waits for /ping. */
export async function startService(
  githubPort: number,
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<ServiceProcess> {
  if (!existsSync(SERVER_JS)) throw new Error("dist/src/server.js is missing: run `npm run build` first");
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_JS], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      APP_ID: "4242",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: `${HOST}:${githubPort}`,
      GHE_PROTOCOL: "http",
      HOST,
      PORT: String(port),
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const service = { child, port, output: () => output, exited };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited before listening:\n${output}`);
    try {
      if ((await fetch(`http://${HOST}:${port}/ping`, { signal: AbortSignal.timeout(500) })).ok)
        return service;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`server not listening after 10 s:\n${output}`);
    await sleep(100);
  }
}

export async function stopService(
  service: ServiceProcess | undefined,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill(signal);
  const timer = setTimeout(() => service.child.kill("SIGKILL"), 30_000);
  await service.exited;
  clearTimeout(timer);
}

export function sign(body: string | Buffer, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function deliver(
  port: number,
  event: string,
  payload: unknown,
  delivery: string = randomUUID(),
): Promise<{ status: number; ms: number; body: unknown }> {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const response = await fetch(`http://${HOST}:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": sign(body),
    },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, body: text ? JSON.parse(text) : null };
}

/** A `pull_request` webhook payload for a FakeGitHub pull request. */
export function pullRequestEvent(
  pr: FakePullRequest,
  action = "opened",
  updatedAt = new Date().toISOString(),
): Record<string, unknown> {
  return {
    action,
    number: pr.number,
    installation: { id: INSTALLATION_ID },
    repository: { name: REPO, full_name: `${OWNER}/${REPO}`, html_url: REPO_URL, owner: { login: OWNER } },
    sender: { login: "octocat", type: "User" },
    pull_request: {
      number: pr.number,
      state: "open",
      draft: false,
      changed_files: pr.files.length,
      updated_at: updatedAt,
      head: { sha: pr.head, ref: `feature-${pr.number}` },
      base: { sha: pr.base, ref: "main" },
      labels: [],
      user: { login: "octocat" },
    },
  };
}

function sha(seed: string): string {
  return createHmac("sha1", "fake").update(seed).digest("hex");
}

/** Deployment manifests whose image tag and replicas change: a medium finding per file or so. */
export function deploymentsPullRequest(
  number: number,
  fileCount: number,
  headSeed = "head",
): FakePullRequest {
  const head = sha(`${number}:${headSeed}`);
  const base = sha(`${number}:base`);
  const mergeBase = sha(`${number}:merge-base`);
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  const files: FakePullRequest["files"] = [];
  for (let index = 0; index < fileCount; index += 1) {
    const path = `workloads/team-${index % 7}/svc-${index}/deployment.yaml`;
    const doc = (replicas: number, tag: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${index}\n  namespace: team-${index % 7}\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: { app: svc-${index} }\n  template:\n    metadata:\n      labels: { app: svc-${index} }\n    spec:\n      containers:\n        - name: app\n          image: registry.example.net/svc-${index}:${tag}\n`;
    before.set(path, doc(2, "1.4.0"));
    after.set(path, doc(headSeed === "head" ? 3 : 4, headSeed === "head" ? "1.5.0" : "1.6.0"));
    files.push({ filename: path, status: "modified" });
  }
  return {
    number,
    head,
    base,
    mergeBase,
    files,
    contents: new Map([
      [mergeBase, before],
      [head, after],
    ]),
  };
}

/** A ConfigMap holding a `lines`-line dashboard, every line changed on the head. */
export function bigTextPullRequest(number: number, lines: number): FakePullRequest {
  const pr = deploymentsPullRequest(number, 0, "text");
  const text = (shift: number) =>
    Array.from(
      { length: lines },
      (_, i) => `      {"panel": ${i}, "expr": "rate(http_requests_total[${i + shift}m])"}`,
    ).join("\n");
  const doc = (shift: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboards\n  namespace: monitoring\ndata:\n  dashboard.json: |\n${text(shift)}\n`;
  const path = "monitoring/dashboards/configmap.yaml";
  pr.files = [{ filename: path, status: "modified" }];
  pr.contents.get(pr.mergeBase)?.set(path, doc(0));
  pr.contents.get(pr.head)?.set(path, doc(1));
  return pr;
}

// ---------------------------------------------------------------------------------------------
// Redis for the queue tests: the URL .ci/run started, or a redis-server of our own when one is
// installed; null when neither (the tests that need it are skipped then).

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer | null> {
  const given = process.env.GITOPS_REVIEW_TEST_REDIS_URL;
  if (given) return { url: given, stop: async () => undefined };
  if (spawnSync("redis-server", ["--version"]).status !== 0) return null;
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  for (let tries = 0; tries < 50; tries += 1) {
    if (
      spawnSync("redis-cli", ["-p", String(port), "ping"])
        .stdout?.toString()
        .trim() === "PONG"
    )
      break;
    await sleep(100);
  }
  return {
    url: `redis://${HOST}:${port}`,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

export async function waitFor(
  what: string,
  done: () => boolean,
  ms: number,
  service?: ServiceProcess,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}\n--- server output ---\n${service?.output().slice(-4000)}`,
      );
    await sleep(50);
  }
}
