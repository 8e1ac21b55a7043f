/**
 * The GitHub snapshot: one recursive tree per commit (folder listings in GraphQL batches when
 * GitHub cuts it), blobs by id in batches sized by the tree, the REST blob API where GraphQL cuts
 * the text, and caches shared across events, so that a second push reads only what it changed.
 */
import { describe, expect, it } from "@jest/globals";
import {
  createGitHubCaches,
  GitHubRepositoryReader,
  githubSnapshot,
  GRAPHQL_TEXT_LIMIT,
  loadPullRequestChangeSet,
  type GitHubCaches,
} from "../../src/source/github.js";
import { blobId, changesBetween } from "../../src/source/snapshot.js";

type Files = Record<string, string>;

interface Options {
  /** Commits whose recursive tree GitHub cuts. */
  truncated?: string[];
  /** Paths stored as symbolic links (their text is the target). */
  links?: string[];
  /** Paths stored as binary blobs. */
  binary?: string[];
}

interface Recorded {
  calls: string[];
  graphql: Record<string, string>[];
}

/** GitHub as the source reads it, over `commits` (sha -> path -> text), every request recorded. */
function fakeGitHub(commits: Record<string, Files>, options: Options = {}) {
  const recorded: Recorded = { calls: [], graphql: [] };
  const byId = new Map<string, string>();
  for (const files of Object.values(commits))
    for (const text of Object.values(files)) byId.set(blobId(text), text);
  const mode = (path: string) => (options.links?.includes(path) ? "120000" : "100644");
  const binary = (text: string) =>
    Object.values(commits).some((files) =>
      Object.entries(files).some(([path, candidate]) => candidate === text && options.binary?.includes(path)),
    );
  const blob = (text: string) => {
    const byteSize = Buffer.byteLength(text);
    const isTruncated = byteSize > GRAPHQL_TEXT_LIMIT;
    return {
      oid: blobId(text),
      byteSize,
      isBinary: binary(text),
      isTruncated,
      text: binary(text) ? null : isTruncated ? text.slice(0, GRAPHQL_TEXT_LIMIT) : text,
    };
  };
  const folder = (files: Files, name: string) => {
    const prefix = name === "" ? "" : `${name}/`;
    const entries = new Map<string, Record<string, unknown>>();
    for (const [path, text] of Object.entries(files)) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const entry = rest.split("/")[0];
      entries.set(
        entry,
        rest.includes("/")
          ? { name: entry, type: "tree", mode: 0o40000, oid: "f".repeat(40), object: {} }
          : {
              name: entry,
              type: "blob",
              mode: parseInt(mode(path), 8),
              oid: blobId(text),
              object: { byteSize: Buffer.byteLength(text) },
            },
      );
    }
    return entries.size === 0 ? null : { entries: [...entries.values()] };
  };
  const octokit = {
    async graphql(_query: string, variables: Record<string, string>) {
      recorded.calls.push("graphql");
      recorded.graphql.push(variables);
      const repository: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(variables)) {
        const [sha, path] = [value.slice(0, 40), value.slice(41)];
        if (/^o\d+$/.test(name)) repository[name] = byId.has(value) ? blob(byId.get(value)!) : null;
        else if (/^e\d+$/.test(name)) {
          const text = commits[sha]?.[path];
          repository[`b${name.slice(1)}`] = text === undefined ? null : blob(text);
        } else if (/^t\d+$/.test(name)) repository[name] = folder(commits[sha] ?? {}, path);
      }
      return { repository };
    },
    rest: {
      git: {
        async getTree({ tree_sha }: { tree_sha: string }) {
          recorded.calls.push(`tree ${tree_sha}`);
          const files = commits[tree_sha] ?? {};
          const tree = Object.entries(files).map(([path, text]) => ({
            path,
            mode: mode(path),
            type: "blob",
            sha: blobId(text),
            size: Buffer.byteLength(text),
          }));
          const cut = options.truncated?.includes(tree_sha) ?? false;
          return { data: { sha: tree_sha, truncated: cut, tree: cut ? tree.slice(0, 2) : tree } };
        },
        async getBlob({ file_sha }: { file_sha: string }) {
          recorded.calls.push(`blob ${file_sha.slice(0, 7)}`);
          const text = byId.get(file_sha)!;
          return {
            data: {
              sha: file_sha,
              size: Buffer.byteLength(text),
              encoding: "base64",
              content: Buffer.from(text).toString("base64"),
            },
          };
        },
      },
    },
    paginate: () => Promise.reject(new Error("not used")),
  };
  return { octokit: octokit as never, recorded };
}

/** `count` small manifests of equal size in `folders` folders. */
function repository(count: number, folders: number, revision = 1): Files {
  const files: Files = {};
  for (let i = 0; i < count; i += 1)
    files[`apps/team-${i % folders}/svc-${String(i).padStart(4, "0")}.yaml`] =
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc-${String(i).padStart(4, "0")}\ndata:\n  revision: "${revision}"\n`;
  return files;
}

function reader(
  octokit: never,
  caches: GitHubCaches,
  options: { objectsPerQuery?: number; bytesPerQuery?: number } = {},
) {
  return new GitHubRepositoryReader(octokit, "o", "r", { caches, ...options });
}

const BASE = "a".repeat(40);
const HEAD = "c".repeat(40);
const NEXT = "d".repeat(40);

describe("a GitHub commit as a snapshot", () => {
  it("lists the commit with one recursive tree, with git's blob ids", async () => {
    const files = repository(40, 4);
    const { octokit, recorded } = fakeGitHub({ [HEAD]: files });
    const snapshot = githubSnapshot(reader(octokit, createGitHubCaches()), "head", HEAD);

    const tree = await snapshot.tree();
    expect(tree).toEqual(new Map(Object.entries(files).map(([path, text]) => [path, blobId(text)])));
    await snapshot.tree();
    expect(recorded.calls).toEqual([`tree ${HEAD}`]);
  });

  it("reads blobs by id in batches sized by the tree: by count and by bytes", async () => {
    const files = repository(25, 5);
    const { octokit, recorded } = fakeGitHub({ [HEAD]: files });
    const size = Buffer.byteLength(Object.values(files)[0]);
    // Ten blobs a request by count; by bytes, seven fit.
    const snapshot = githubSnapshot(
      reader(octokit, createGitHubCaches(), { objectsPerQuery: 10, bytesPerQuery: size * 7 + 1 }),
      "head",
      HEAD,
    );
    await snapshot.tree();
    const read = await snapshot.read(Object.keys(files));

    expect([...read.values()].map((blob) => blob.text)).toEqual(Object.values(files));
    expect(recorded.calls).toEqual([`tree ${HEAD}`, "graphql", "graphql", "graphql", "graphql"]);
    expect(recorded.graphql.map((variables) => Object.keys(variables).length - 2)).toEqual([7, 7, 7, 4]);
  });

  it("lists every folder through GraphQL when GitHub cuts the recursive tree", async () => {
    // 300 files in 120 folders two levels down: the root, 1 folder, then 120 folders.
    const files: Files = {};
    for (let i = 0; i < 300; i += 1) files[`apps/team-${i % 120}/svc-${i}.yaml`] = `name: svc-${i}\n`;
    const { octokit, recorded } = fakeGitHub({ [HEAD]: files }, { truncated: [HEAD] });
    const snapshot = githubSnapshot(reader(octokit, createGitHubCaches()), "head", HEAD);

    const tree = await snapshot.tree();
    expect(tree.size).toBe(300);
    expect(tree.get("apps/team-7/svc-127.yaml")).toBe(blobId("name: svc-127\n"));
    // The root, `apps`, then 120 folders at 100 per request.
    expect(recorded.calls).toEqual([`tree ${HEAD}`, "graphql", "graphql", "graphql", "graphql"]);
    expect(recorded.graphql[0]).toEqual({ owner: "o", name: "r", t0: `${HEAD}:` });
    expect(recorded.graphql[1]).toEqual({ owner: "o", name: "r", t0: `${HEAD}:apps` });
    expect(Object.keys(recorded.graphql[2])).toHaveLength(2 + 100);
  });

  it("reads a blob GraphQL cuts, or knows is too long for it, whole through REST; skips what is over the limit", async () => {
    const long = `data: |\n${"  line of a long dashboard\n".repeat(24_000)}`; // ~650 KB
    const huge = `data: |\n${"  x\n".repeat(400_000)}`; // ~1.6 MB
    const files: Files = { "dash/long.yaml": long, "dash/huge.yaml": huge, "dash/small.yaml": "a: 1\n" };
    const { octokit, recorded } = fakeGitHub({ [HEAD]: files });
    const caches = createGitHubCaches();

    // Without a tree: probed by path, GraphQL says the text was cut.
    const probed = await githubSnapshot(reader(octokit, caches), "head", HEAD).read(["dash/long.yaml"]);
    expect(probed.get("dash/long.yaml")).toEqual({ text: long });
    expect(recorded.calls).toEqual(["graphql", `blob ${blobId(long).slice(0, 7)}`]);

    // With the tree: sizes decide before any content is asked for.
    recorded.calls.length = 0;
    const fresh = createGitHubCaches();
    const snapshot = githubSnapshot(reader(octokit, fresh), "head", HEAD);
    await snapshot.tree();
    const read = await snapshot.read(Object.keys(files));
    expect(read.get("dash/long.yaml")).toEqual({ text: long });
    expect(read.get("dash/small.yaml")).toEqual({ text: "a: 1\n" });
    expect(read.get("dash/huge.yaml")).toEqual({
      text: null,
      skipped: `file too large (${Buffer.byteLength(huge)} bytes, limit ${1024 * 1024})`,
    });
    expect(recorded.calls).toEqual([`tree ${HEAD}`, "graphql", `blob ${blobId(long).slice(0, 7)}`]);
    expect(Object.values(recorded.graphql.at(-1)!)).toEqual(["o", "r", blobId("a: 1\n")]);
  });

  it("reports links and binary files as skipped, and never asks for a path outside the repository", async () => {
    const files: Files = {
      "charts/logo.png": "\u0000PNG",
      "current.yaml": "apps/v2.yaml",
      "apps/v2.yaml": "a: 2\n",
    };
    const { octokit, recorded } = fakeGitHub(
      { [HEAD]: files },
      { links: ["current.yaml"], binary: ["charts/logo.png"] },
    );
    const snapshot = githubSnapshot(reader(octokit, createGitHubCaches()), "head", HEAD);
    await snapshot.tree();

    const read = await snapshot.read([
      "current.yaml",
      "charts/logo.png",
      "../secrets.yaml",
      "/etc/passwd",
      "nothing.yaml",
    ]);
    expect(read).toEqual(
      new Map([
        ["current.yaml", { text: null, skipped: "symbolic link" }],
        ["charts/logo.png", { text: null, skipped: "binary file" }],
      ]),
    );
    expect(JSON.stringify(recorded.graphql)).not.toContain("secrets");
    expect(JSON.stringify(recorded.graphql)).not.toContain("passwd");
  });
});

describe("caches shared across events", () => {
  it("a second push reads the new head's tree and only the blobs it changed", async () => {
    const base = repository(500, 25);
    const head = { ...base, "apps/team-3/svc-0003.yaml": "changed: 1\n" };
    const next = {
      ...head,
      "apps/team-4/svc-0004.yaml": "changed: 2\n",
      "apps/team-5/new.yaml": "added: 1\n",
    };
    const { octokit, recorded } = fakeGitHub({ [BASE]: base, [HEAD]: head, [NEXT]: next });
    const caches = createGitHubCaches();

    // The first event reads both sides of the whole repository: the head's unchanged blobs are
    // the base's, read once.
    const first = reader(octokit, caches);
    const [b, h] = [githubSnapshot(first, "base", BASE), githubSnapshot(first, "head", HEAD)];
    await b.read([...(await b.tree()).keys()]);
    await h.read([...(await h.tree()).keys()]);
    expect(recorded.calls).toEqual([`tree ${BASE}`, "graphql", `tree ${HEAD}`, "graphql"]);
    const blobsRead = () =>
      recorded.graphql.flatMap((variables) => Object.keys(variables).filter((name) => /^o\d+$/.test(name)));
    expect(blobsRead()).toHaveLength(501);

    // The push: the merge base's tree is known, the new head's is read; two blobs are new.
    recorded.calls.length = 0;
    recorded.graphql.length = 0;
    const second = reader(octokit, caches);
    const pair = { base: githubSnapshot(second, "base", BASE), head: githubSnapshot(second, "head", NEXT) };
    const changes = await changesBetween(pair);
    expect(changes.map((change) => [change.path, change.status])).toEqual([
      ["apps/team-3/svc-0003.yaml", "modified"],
      ["apps/team-4/svc-0004.yaml", "modified"],
      ["apps/team-5/new.yaml", "added"],
    ]);
    const read = await pair.head.read([...(await pair.head.tree()).keys()]);
    expect(read.size).toBe(501);
    expect(recorded.calls).toEqual([`tree ${NEXT}`, "graphql"]);
    expect(recorded.graphql[0]).toEqual({
      owner: "o",
      name: "r",
      o0: blobId("changed: 2\n"),
      o1: blobId("added: 1\n"),
    });
  });

  it("keeps at most its bound of text, the least recently used out first", async () => {
    const files = repository(50, 5);
    const { octokit, recorded } = fakeGitHub({ [HEAD]: files });
    const size = Object.values(files)[0].length;
    const caches = createGitHubCaches({ blobChars: size * 20 });
    const snapshot = githubSnapshot(reader(octokit, caches), "head", HEAD);
    await snapshot.read(Object.keys(files));
    expect(caches.blobs.size).toBe(20);
    expect(caches.blobs.weight).toBeLessThanOrEqual(size * 20);

    // The last twenty read are kept: reading them again costs nothing.
    recorded.calls.length = 0;
    await githubSnapshot(reader(octokit, caches), "head", HEAD).read(Object.keys(files).slice(30));
    expect(recorded.calls).toEqual([]);
  });
});

describe("a change set past GitHub's file list", () => {
  it("compares the trees: every change is found, renames keep their pairing", async () => {
    const base = {
      ...repository(20, 4),
      "apps/old-name.yaml": "kind: Namespace\n",
      "apps/gone.yaml": "kind: Service\n",
    };
    const head = { ...repository(20, 4, 2), "apps/new-name.yaml": "kind: Namespace\n" };
    const { octokit, recorded } = fakeGitHub({ [BASE]: base, [HEAD]: head });
    const { changeSet, changes } = await loadPullRequestChangeSet(
      octokit,
      { owner: "o", repo: "r", number: 7, baseSha: BASE, headSha: HEAD, changedFiles: 4000 },
      { files: [], truncated: true },
      { include: (path) => path.endsWith(".yaml"), caches: createGitHubCaches() },
    );

    expect(changes).toHaveLength(22);
    expect(changeSet.files.find((file) => file.path === "apps/new-name.yaml")).toEqual({
      path: "apps/new-name.yaml",
      previousPath: "apps/old-name.yaml",
      status: "renamed",
      base: "kind: Namespace\n",
      head: "kind: Namespace\n",
    });
    expect(changeSet.files.find((file) => file.path === "apps/gone.yaml")).toMatchObject({
      status: "removed",
      base: "kind: Service\n",
      head: null,
    });
    expect(changeSet.notes).toEqual([
      "GitHub lists only the first 3,000 of 4000 changed files; the changed files were found by comparing the two commits' trees instead.",
    ]);
    // Two trees and one batch of contents: the renamed file's one blob is read once.
    expect(recorded.calls.slice(0, 2).sort()).toEqual([`tree ${BASE}`, `tree ${HEAD}`]);
    expect(recorded.calls.slice(2)).toEqual(["graphql"]);
    expect(changeSet.snapshots?.head.ref).toBe(HEAD);
  });
});
