/**
 * The GitHub context reader: which asked paths exist is learned from the commit's recursive tree
 * (or folder listings when GitHub cuts it) before any content is fetched, and the counts stay flat.
 */
import { describe, expect, it } from "@jest/globals";
import {
  createGitHubCaches,
  loadPullRequestChangeSet,
  type PullRequestCoordinates,
  type PullRequestFile,
} from "../../src/source/github.js";
import { blobId } from "../../src/source/snapshot.js";

const BASE = "a".repeat(40);
const HEAD = "c".repeat(40);
const PR: PullRequestCoordinates = { owner: "o", repo: "r", number: 1, baseSha: BASE, headSha: HEAD };

type Files = Record<string, string>;

interface Recorded {
  calls: string[];
  /** Variables of every GraphQL request. */
  graphql: Record<string, string>[];
}

interface Entry {
  name: string;
  type: string;
  oid?: string;
  object?: { byteSize?: number };
}

/** Entries of one folder ("" for the root) as GitHub's GraphQL lists them. */
function entries(files: Files, folder: string): Entry[] {
  const prefix = folder === "" ? "" : `${folder}/`;
  const found = new Map<string, Entry>();
  for (const [path, text] of Object.entries(files)) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const name = rest.split("/")[0];
    found.set(
      name,
      rest.includes("/")
        ? { name, type: "tree" }
        : { name, type: "blob", oid: blobId(text), object: { byteSize: text.length } },
    );
  }
  return [...found.values()];
}

function blob(text: string) {
  return { oid: blobId(text), byteSize: text.length, isBinary: false, isTruncated: false, text };
}

/** A fake Octokit serving both commits; `tree` says how `GET /git/trees` answers. */
function fakeOctokit(commits: Record<string, Files>, tree: "ok" | "truncated" | "error" = "ok") {
  const recorded: Recorded = { calls: [], graphql: [] };
  const octokit = {
    async graphql(_query: string, variables: Record<string, string>) {
      recorded.calls.push("graphql");
      recorded.graphql.push(variables);
      const repository: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(variables)) {
        const [sha, path] = [value.slice(0, 40), value.slice(41)];
        if (/^e\d+$/.test(name)) {
          const text = commits[sha]?.[path];
          repository[`b${name.slice(1)}`] = text === undefined ? null : blob(text);
        } else if (/^o\d+$/.test(name)) {
          const text = Object.values(commits)
            .flatMap((files) => Object.values(files))
            .find((candidate) => blobId(candidate) === value);
          repository[name] = text === undefined ? null : blob(text);
        } else if (/^t\d+$/.test(name)) {
          const listed = entries(commits[sha] ?? {}, path);
          repository[name] = listed.length === 0 ? null : { entries: listed };
        }
      }
      return { repository };
    },
    rest: {
      git: {
        async getTree({ tree_sha, recursive }: { tree_sha: string; recursive?: string }) {
          recorded.calls.push(`tree ${tree_sha.slice(0, 1)}${recursive === "1" ? " recursive" : ""}`);
          if (tree === "error") throw Object.assign(new Error("Server Error"), { status: 502 });
          const files = commits[tree_sha] ?? {};
          const all = Object.entries(files).map(([path, text]) => ({
            path,
            mode: "100644",
            type: "blob",
            sha: blobId(text),
            size: text.length,
          }));
          return {
            data: {
              sha: tree_sha,
              truncated: tree === "truncated",
              tree: tree === "truncated" ? all.slice(0, 1) : all,
            },
          };
        },
      },
    },
    paginate: () => Promise.reject(new Error("not used")),
  };
  return { octokit: octokit as never, recorded };
}

const changed: PullRequestFile[] = [{ filename: "apps/a/configmap.yaml", status: "modified" }];
const both: Files = {
  "apps/a/configmap.yaml": "x: 1\n",
  "apps/kustomization.yaml": "namespace: apps\n",
  "apps/b/kustomization.yml": "namespace: b\n",
  "kustomization.yaml": "resources: []\n",
};
/** Eight paths, two of which exist: more than one batch of four probes. */
const ASKED = [
  "apps/a/kustomization.yaml",
  "apps/a/kustomization.yml",
  "apps/kustomization.yaml",
  "apps/kustomization.yml",
  "apps/b/kustomization.yaml",
  "apps/b/kustomization.yml",
  "kustomization.yml",
  "kustomization.yaml",
];

async function reader(
  commits: Record<string, Files>,
  options: {
    tree?: "ok" | "truncated" | "error";
    files?: PullRequestFile[];
    truncated?: boolean;
    maxFileBytes?: number;
    foldersPerQuery?: number;
  } = {},
) {
  const { octokit, recorded } = fakeOctokit(commits, options.tree);
  const { contextReader, changeSet } = await loadPullRequestChangeSet(
    octokit,
    PR,
    { files: options.files ?? changed, truncated: options.truncated ?? false },
    {
      include: () => false,
      caches: createGitHubCaches(),
      blobsPerQuery: 4,
      foldersPerQuery: options.foldersPerQuery ?? 2,
      ...(options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}),
    },
  );
  return { contextReader, recorded, changeSet };
}

describe("GitHub context reader", () => {
  it("probes up to one batch directly, without a tree", async () => {
    const { contextReader, recorded } = await reader({ [BASE]: both, [HEAD]: both });
    const files = await contextReader.read(["apps/kustomization.yaml", "apps/kustomization.yml"]);
    expect(files).toEqual([
      { path: "apps/kustomization.yaml", base: "namespace: apps\n", head: "namespace: apps\n" },
    ]);
    expect(recorded.calls).toEqual(["graphql"]);
    // Unchanged by the PR: read at the head only.
    expect(recorded.graphql[0]).toEqual({
      owner: "o",
      name: "r",
      e0: `${HEAD}:apps/kustomization.yaml`,
      e1: `${HEAD}:apps/kustomization.yml`,
    });
  });

  it("learns what exists from the head's recursive tree and fetches only that", async () => {
    const { contextReader, recorded } = await reader({ [BASE]: both, [HEAD]: both });
    const files = await contextReader.read(ASKED);
    expect(files.map((file) => file.path).sort()).toEqual([
      "apps/b/kustomization.yml",
      "apps/kustomization.yaml",
      "kustomization.yaml",
    ]);
    expect(recorded.calls).toEqual(["tree c recursive", "graphql"]);
    expect(Object.keys(recorded.graphql[0])).toHaveLength(2 + 3);

    // The tree is kept for the review: a later round costs only the files that exist.
    await contextReader.read([
      "x/kustomization.yaml",
      "x/kustomization.yml",
      "y/a.yaml",
      "y/b.yaml",
      "z/c.yaml",
    ]);
    expect(recorded.calls).toEqual(["tree c recursive", "graphql"]);
  });

  /** Twelve paths in four folders, three of which exist: three batches of probes. */
  const MANY = ASKED.concat(["apps/a/Chart.yaml", "apps/Chart.yaml", "apps/b/Chart.yaml", "Chart.yaml"]);

  it("lists folders through GraphQL when GitHub cuts the tree", async () => {
    const { contextReader, recorded } = await reader(
      { [BASE]: both, [HEAD]: both },
      { tree: "truncated", foldersPerQuery: 4 },
    );
    const files = await contextReader.read(MANY);
    expect(files.map((file) => file.path).sort()).toEqual([
      "apps/b/kustomization.yml",
      "apps/kustomization.yaml",
      "kustomization.yaml",
    ]);
    // The four folders in one listing request, then one request for the three files.
    expect(recorded.calls).toEqual(["tree c recursive", "graphql", "graphql"]);
    expect(recorded.graphql[0]).toEqual({
      owner: "o",
      name: "r",
      t0: `${HEAD}:apps/a`,
      t1: `${HEAD}:apps`,
      t2: `${HEAD}:apps/b`,
      t3: `${HEAD}:`,
    });
    expect(Object.keys(recorded.graphql[1])).toHaveLength(2 + 3);
  });

  it("falls back to folder listings when the tree request fails", async () => {
    const { contextReader, recorded } = await reader(
      { [BASE]: both, [HEAD]: both },
      { tree: "error", foldersPerQuery: 4 },
    );
    expect(await contextReader.read(MANY)).toHaveLength(3);
    expect(recorded.calls).toEqual(["tree c recursive", "graphql", "graphql"]);
  });

  it("probes directly when listing the folders would not take fewer requests", async () => {
    const { contextReader, recorded } = await reader({ [BASE]: both, [HEAD]: both }, { tree: "truncated" });
    expect(await contextReader.read(ASKED)).toHaveLength(3);
    // Four folders at two per listing cost as much as two batches of probes.
    expect(recorded.calls).toEqual(["tree c recursive", "graphql", "graphql"]);
    expect(Object.keys(recorded.graphql[0]).filter((key) => key.startsWith("e"))).toHaveLength(4);
  });

  it("reads both sides of paths the PR changes, as listed or, when GitHub cut the list, as the trees say", async () => {
    const head = { ...both, "apps/kustomization.yaml": "namespace: moved\n" };
    const files: PullRequestFile[] = [
      ...changed,
      { filename: "apps/kustomization.yaml", status: "modified" },
    ];
    const first = await reader({ [BASE]: both, [HEAD]: head }, { files });
    expect(await first.contextReader.read(["apps/kustomization.yaml", "kustomization.yaml"])).toEqual([
      { path: "apps/kustomization.yaml", base: "namespace: apps\n", head: "namespace: moved\n" },
      { path: "kustomization.yaml", base: "resources: []\n", head: "resources: []\n" },
    ]);
    expect(first.recorded.graphql[0]).toMatchObject({
      e0: `${BASE}:apps/kustomization.yaml`,
      e1: `${HEAD}:apps/kustomization.yaml`,
      e2: `${HEAD}:kustomization.yaml`,
    });

    // The file list was cut: the two trees are compared, so exactly the changed path has two sides.
    const cut = await reader({ [BASE]: both, [HEAD]: head }, { truncated: true });
    expect(await cut.contextReader.read(ASKED)).toEqual([
      { path: "apps/kustomization.yaml", base: "namespace: apps\n", head: "namespace: moved\n" },
      { path: "apps/b/kustomization.yml", base: "namespace: b\n", head: "namespace: b\n" },
      { path: "kustomization.yaml", base: "resources: []\n", head: "resources: []\n" },
    ]);
    expect(cut.recorded.calls.slice(0, 2).sort()).toEqual(["tree a recursive", "tree c recursive"]);
    // The trees give every id and size: the four blobs in one request.
    expect(cut.recorded.calls.slice(2)).toEqual(["graphql"]);
    expect(Object.values(cut.recorded.graphql[0]).sort()).toEqual(
      [
        "o",
        "r",
        ...["namespace: apps\n", "namespace: moved\n", "namespace: b\n", "resources: []\n"].map(blobId),
      ].sort(),
    );
  });

  it("does not fetch files the tree shows over the size bound", async () => {
    const big = { ...both, "apps/kustomization.yaml": "x".repeat(64) };
    const { contextReader, recorded, changeSet } = await reader(
      { [BASE]: big, [HEAD]: big },
      { maxFileBytes: 32 },
    );
    const files = await contextReader.read(ASKED);
    expect(files.map((file) => file.path).sort()).toEqual(["apps/b/kustomization.yml", "kustomization.yaml"]);
    expect(Object.values(recorded.graphql[0])).toHaveLength(2 + 2);
    expect(Object.values(recorded.graphql[0])).not.toContain(blobId("x".repeat(64)));
    // Not silently absent: the review says why the file was not read.
    expect(changeSet.notes).toEqual([
      "apps/kustomization.yaml (head) was not loaded as context: file too large (64 bytes, limit 32).",
    ]);
  });
});
