/**
 * Requests the GitHub source makes to read a whole repository, against the fake GitHub on
 * loopback with a real Octokit. Goals (issue 9): requests grow with files / 100 at most, with a
 * complete recursive tree and with one GitHub cuts (folders listed in GraphQL batches); a second
 * push reads the new head's tree and only the blobs it changed.
 */
import { Octokit } from "@octokit/rest";
import { createGitHubCaches, GitHubRepositoryReader, githubSnapshot } from "../src/source/github.js";
import { FakeGitHub, OWNER, REPO } from "../test/support/fake-github.js";
import { createHmac } from "node:crypto";

interface SourceFigure {
  label: string;
  files: number;
  requests: number;
  /** Blobs asked for, by id or path. */
  blobs: number;
  /** The goal: files / 100, rounded up. */
  bound: number;
}

function sha(seed: string): string {
  return createHmac("sha1", "source-bench").update(seed).digest("hex");
}

/** `count` manifests in folders of 20, three levels deep, like a fleet repository. */
function repository(count: number, revision: (index: number) => number = () => 1): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < count; i += 1) {
    const path = `clusters/c-${i % 5}/apps/app-${Math.floor(i / 20)}/manifest-${i % 20}.yaml`;
    files.set(
      path,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\n  namespace: team-${i % 9}\ndata:\n  revision: "${revision(i)}"\n`,
    );
  }
  return files;
}

export async function benchGitHubSource(): Promise<{ figures: SourceFigure[]; ok: boolean }> {
  const github = new FakeGitHub();
  const port = await github.listen();
  const octokit = new Octokit({ baseUrl: `http://127.0.0.1:${port}/api/v3`, auth: "bench" });
  const figures: SourceFigure[] = [];
  let number = 9000;

  /** Reads every file of `head` through a new reader (a new event) sharing `caches`. */
  async function readAll(
    label: string,
    files: Map<string, string>,
    caches: ReturnType<typeof createGitHubCaches>,
    head: string,
  ): Promise<SourceFigure> {
    github.addPullRequest({
      number: number++,
      head,
      base: head,
      mergeBase: head,
      files: [],
      contents: new Map([[head, files]]),
    });
    const first = github.requests.length;
    const snapshot = githubSnapshot(
      new GitHubRepositoryReader(octokit, OWNER, REPO, { caches }),
      "head",
      head,
    );
    const tree = await snapshot.tree();
    const read = await snapshot.read([...tree.keys()]);
    if (read.size !== files.size || [...read.values()].some((blob) => blob.text === null))
      throw new Error(`${label}: read ${read.size} of ${files.size} files`);
    const made = github.requests.slice(first);
    const blobs = made
      .filter((request) => request.path === "/api/graphql")
      .flatMap((request) => Object.keys((request.body as { variables?: object }).variables ?? {}))
      .filter((name) => /^[oe]\d+$/.test(name)).length;
    const figure = {
      label,
      files: files.size,
      requests: made.length,
      blobs,
      bound: Math.ceil(files.size / 100),
    };
    figures.push(figure);
    return figure;
  }

  let ok = true;
  for (const count of [1_000, 5_000, 20_000]) {
    const files = repository(count);
    const whole = await readAll(
      `${count} files, complete tree`,
      files,
      createGitHubCaches(),
      sha(`${count}`),
    );
    ok &&= whole.requests <= whole.bound;
  }

  // GitHub cuts the recursive tree: every folder is listed through GraphQL instead.
  github.treeEntryLimit = 1_000;
  const cut = await readAll(
    "5000 files, tree cut by GitHub",
    repository(5_000),
    createGitHubCaches(),
    sha("cut"),
  );
  ok &&= cut.requests <= cut.bound;
  github.treeEntryLimit = 100_000;

  // A second push: 10 of 5,000 files changed; the process's caches hold the first push.
  const caches = createGitHubCaches();
  await readAll("5000 files, first push", repository(5_000), caches, sha("push-1"));
  const second = await readAll(
    "5000 files, second push (10 changed)",
    repository(5_000, (index) => (index % 500 === 7 ? 2 : 1)),
    caches,
    sha("push-2"),
  );
  ok &&= second.blobs === 10 && second.requests <= 2;

  await github.close();
  return { figures, ok };
}

export function printGitHubSource(figures: readonly SourceFigure[]): void {
  for (const figure of figures) {
    console.log(
      `GitHub source, ${figure.label}: ${figure.requests} requests, ${figure.blobs} blobs read (goal <= files/100 = ${figure.bound})`,
    );
  }
}
