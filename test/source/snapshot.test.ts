import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { changeSetFromFolders } from "../../src/source/folders.js";
import { changeSetFromGit } from "../../src/source/git.js";
import { blobId, changesBetween, memorySnapshot } from "../../src/source/snapshot.js";
import { TempRepo } from "./git-repo.js";

const RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: traefik, namespace: edge }
spec:
  valuesFrom: [{ kind: ConfigMap, name: traefik-values }]
`;

describe("blobId", () => {
  it("is git's blob id", () => {
    const repo = new TempRepo();
    try {
      repo.write("x.yaml", "a: 1\n").commit("one");
      expect(blobId("a: 1\n")).toBe(repo.git("rev-parse", "HEAD:x.yaml"));
      expect(blobId("")).toBe(repo.git("hash-object", "/dev/null"));
    } finally {
      repo.cleanup();
    }
  });
});

describe("changesBetween", () => {
  it("finds modified, added, removed and renamed paths from the trees alone", async () => {
    const base = memorySnapshot("base", {
      "a.yaml": "a: 1\n",
      "b.yaml": "b: 1\n",
      "c.yaml": "same\n",
      "d.yaml": "d\n",
    });
    const head = memorySnapshot("head", {
      "a.yaml": "a: 2\n",
      "moved/b.yaml": "b: 1\n",
      "c.yaml": "same\n",
      "e.yaml": "e\n",
    });

    expect(await changesBetween({ base, head })).toEqual([
      { path: "a.yaml", status: "modified", base: null, head: null },
      { path: "d.yaml", status: "removed", base: null, head: null },
      { path: "e.yaml", status: "added", base: null, head: null },
      { path: "moved/b.yaml", previousPath: "b.yaml", status: "renamed", base: null, head: null },
    ]);
  });

  it("pairs each removed copy of identical content with one added path at most", async () => {
    const base = memorySnapshot("base", { "one.yaml": "x\n", "two.yaml": "x\n" });
    const head = memorySnapshot("head", { "three.yaml": "x\n" });

    const changes = await changesBetween({ base, head });

    expect(changes.filter((change) => change.status === "renamed")).toHaveLength(1);
    expect(changes.filter((change) => change.status === "removed")).toHaveLength(1);
  });
});

describe("folder snapshots", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "gitops-review-snapshot-"));
    for (const side of ["before", "after"]) {
      await mkdir(join(root, side, "edge", "traefik"), { recursive: true });
      await writeFile(join(root, side, "edge", "traefik", "release.yaml"), RELEASE);
    }
    await writeFile(join(root, "before", "edge", "traefik", "values.yaml"), "persistence: { path: /data }\n");
    await writeFile(join(root, "after", "edge", "traefik", "values.yaml"), "persistence: { path: /acme }\n");
    await writeFile(join(root, "secret.yaml"), "token: hunter2\n");
    await symlink(join(root, "secret.yaml"), join(root, "after", "edge", "linked.yaml"));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("lists every file of each side, unchanged ones included, with git's blob ids", async () => {
    const { changeSet } = await changeSetFromFolders(join(root, "before"), join(root, "after"));
    const { base, head } = changeSet.snapshots!;

    const baseTree = await base.tree();
    const headTree = await head.tree();

    expect([...baseTree.keys()].sort()).toEqual(["edge/traefik/release.yaml", "edge/traefik/values.yaml"]);
    expect(baseTree.get("edge/traefik/release.yaml")).toBe(blobId(RELEASE));
    expect(headTree.get("edge/traefik/release.yaml")).toBe(baseTree.get("edge/traefik/release.yaml"));
    expect(headTree.get("edge/traefik/values.yaml")).not.toBe(baseTree.get("edge/traefik/values.yaml"));
    expect(headTree.has("edge/linked.yaml")).toBe(false);
  });

  it("reads unchanged files, and nothing outside the folder or outside its tree", async () => {
    const { changeSet } = await changeSetFromFolders(join(root, "before"), join(root, "after"));
    const { head } = changeSet.snapshots!;

    const read = await head.read([
      "edge/traefik/release.yaml",
      "edge/linked.yaml",
      "../secret.yaml",
      "/etc/passwd",
    ]);

    expect([...read.entries()]).toEqual([["edge/traefik/release.yaml", { text: RELEASE }]]);
  });
});

describe("git snapshots", () => {
  const repos: TempRepo[] = [];
  afterEach(() => {
    for (const repo of repos.splice(0)) repo.cleanup();
  });

  it("list each commit's whole tree and read blobs in one batch, with reasons for what is skipped", async () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo
      .write("edge/release.yaml", RELEASE)
      .write("edge/values.yaml", "a: 1\n")
      .write("bin/blob.bin", Buffer.from([0, 1, 2]));
    const base = repo.commit("base");
    repo.write("edge/values.yaml", "a: 2\n").write("big.yaml", `x: "${"y".repeat(2048)}"\n`);
    // A link is a file in git's tree, never followed.
    await symlink("/etc/passwd", join(repo.dir, "link.yaml"));
    repo.commit("head");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base, head: "HEAD", maxFileBytes: 1024 });
    const { base: baseSide, head: headSide } = changeSet.snapshots!;

    expect(baseSide.ref).toBe(base);
    expect([...(await baseSide.tree()).keys()].sort()).toEqual([
      "bin/blob.bin",
      "edge/release.yaml",
      "edge/values.yaml",
    ]);
    expect((await headSide.tree()).get("edge/release.yaml")).toBe(blobId(RELEASE));

    const read = await headSide.read([
      "edge/release.yaml",
      "edge/values.yaml",
      "bin/blob.bin",
      "big.yaml",
      "link.yaml",
      "none.yaml",
      "../x",
    ]);

    expect(read.get("edge/release.yaml")).toEqual({ text: RELEASE });
    expect(read.get("edge/values.yaml")).toEqual({ text: "a: 2\n" });
    expect(read.get("bin/blob.bin")).toEqual({ text: null, skipped: "binary file" });
    expect(read.get("big.yaml")?.skipped).toMatch(/over the 1024-byte limit/);
    expect(read.get("link.yaml")).toEqual({ text: null, skipped: "symbolic link" });
    expect(read.has("none.yaml")).toBe(false);
    expect(read.has("../x")).toBe(false);
  });
});
