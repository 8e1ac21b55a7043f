import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { SourceError } from "../../src/source/change-set.js";
import { changeSetFromGit } from "../../src/source/git.js";
import { TempRepo } from "./git-repo.js";

const repos: TempRepo[] = [];

function newRepo(branch = "main"): TempRepo {
  const repo = new TempRepo(branch);
  repos.push(repo);
  return repo;
}

afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
`;

async function message(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return (err as Error).message;
  }
  throw new Error("expected a SourceError");
}

describe("changeSetFromGit", () => {
  it("lists added, removed, modified and renamed files with their content on each side", async () => {
    // Arrange
    const repo = newRepo();
    repo
      .write("apps/web.yaml", DEPLOYMENT)
      .write("apps/old.yaml", "a: 1\n")
      .write("apps/values.yaml", "replicas: 1\n");
    const base = repo.commit("base");
    repo
      .move("apps/web.yaml", "apps/web/deployment.yaml")
      .remove("apps/old.yaml")
      .write("apps/new.yaml", "b: 2\n")
      .write("apps/values.yaml", "replicas: 3\n");
    const head = repo.commit("head");

    // Act
    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base, head });

    // Assert
    expect(changeSet.files).toEqual([
      { path: "apps/new.yaml", status: "added", base: null, head: "b: 2\n" },
      { path: "apps/old.yaml", status: "removed", base: "a: 1\n", head: null },
      { path: "apps/values.yaml", status: "modified", base: "replicas: 1\n", head: "replicas: 3\n" },
      {
        path: "apps/web/deployment.yaml",
        previousPath: "apps/web.yaml",
        status: "renamed",
        base: DEPLOYMENT,
        head: DEPLOYMENT,
      },
    ]);
    expect(changeSet.baseRef).toBe(base);
    expect(changeSet.headRef).toBe(head);
    expect(changeSet.context.size).toBe(0);
  });

  it("pairs a renamed file that was also edited (similarity at least 50%)", async () => {
    const repo = newRepo();
    repo.write("web.yaml", DEPLOYMENT);
    const base = repo.commit("base");
    repo
      .move("web.yaml", "apps/web.yaml")
      .write("apps/web.yaml", DEPLOYMENT.replace("replicas: 2", "replicas: 5"));
    repo.commit("head");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base });

    expect(changeSet.files).toEqual([
      {
        path: "apps/web.yaml",
        previousPath: "web.yaml",
        status: "renamed",
        base: DEPLOYMENT,
        head: DEPLOYMENT.replace("replicas: 2", "replicas: 5"),
      },
    ]);
  });

  it("defaults head to HEAD and base to the merge-base with main", async () => {
    // main: c1 -> c2 (main moves on after the branch point); feature: c1 -> f1
    const repo = newRepo();
    repo.write("shared.yaml", "x: 1\n");
    const branchPoint = repo.commit("c1");
    repo.git("checkout", "--quiet", "-b", "feature");
    repo.write("feature.yaml", "f: 1\n");
    repo.commit("f1");
    repo.git("checkout", "--quiet", "main");
    repo.write("main-only.yaml", "m: 1\n");
    repo.commit("c2");
    repo.git("checkout", "--quiet", "feature");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir });

    // main-only.yaml is not part of the branch's change: the base is the branch point, not main.
    expect(changeSet.baseRef).toBe(branchPoint);
    expect(changeSet.files.map((file) => [file.path, file.status])).toEqual([["feature.yaml", "added"]]);
  });

  it("falls back to master, and prefers the branch origin/HEAD points at", async () => {
    // master: c1; topic: c1 -> t1 -> t2; origin/HEAD -> origin/trunk at t1.
    const repo = newRepo("master");
    repo.write("a.yaml", "a: 1\n");
    const first = repo.commit("c1");
    repo.git("checkout", "--quiet", "-b", "topic");
    repo.write("a.yaml", "a: 2\n");
    const t1 = repo.commit("t1");
    repo.write("a.yaml", "a: 3\n");
    repo.commit("t2");

    const viaMaster = await changeSetFromGit({ repo: repo.dir });
    expect(viaMaster.changeSet.baseRef).toBe(first);

    repo.git("update-ref", "refs/remotes/origin/trunk", t1);
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");
    const viaOrigin = await changeSetFromGit({ repo: repo.dir });
    expect(viaOrigin.changeSet.baseRef).toBe(t1);
    expect(viaOrigin.changeSet.files).toEqual([
      { path: "a.yaml", status: "modified", base: "a: 2\n", head: "a: 3\n" },
    ]);
  });

  it("says so when there is no default branch to take the base from", async () => {
    const repo = newRepo("develop");
    repo.write("a.yaml", "a: 1\n");
    repo.commit("c1");

    expect(await message(changeSetFromGit({ repo: repo.dir }))).toMatch(
      /^no default branch found in .* \(tried origin\/HEAD, main, master.*\): pass a base ref$/,
    );
  });

  it("names an unknown ref in a one-line message", async () => {
    const repo = newRepo();
    repo.write("a.yaml", "a: 1\n");
    repo.commit("c1");

    const text = await message(changeSetFromGit({ repo: repo.dir, base: "nope", head: "HEAD" }));
    expect(text).toBe(`unknown base ref "nope": no such commit in ${repo.dir}`);
    expect(text).not.toContain("\n");
    expect(await message(changeSetFromGit({ repo: repo.dir, base: "HEAD", head: "v9.9.9" }))).toBe(
      `unknown head ref "v9.9.9": no such commit in ${repo.dir}`,
    );
  });

  it.each([
    ["--output=/tmp/pwned", /cannot start with "-"/],
    ["-p", /cannot start with "-"/],
    ["HEAD:secret.yaml", /unexpected character/],
    ["main two", /unexpected character/],
    ["", /empty/],
  ])("rejects the ref %j before git sees it", async (ref, expected) => {
    const repo = newRepo();
    repo.write("a.yaml", "a: 1\n");
    repo.commit("c1");

    expect(await message(changeSetFromGit({ repo: repo.dir, base: ref }))).toMatch(expected);
    expect(await message(changeSetFromGit({ repo: repo.dir, base: "HEAD", head: ref }))).toMatch(expected);
  });

  it("rejects a folder that is not a git repository, and a missing folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gitops-review-nogit-"));
    try {
      expect(await message(changeSetFromGit({ repo: dir }))).toBe(`not a git repository: ${dir}`);
      expect(await message(changeSetFromGit({ repo: join(dir, "missing") }))).toBe(
        `repository folder not found: ${join(dir, "missing")}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("skips binary and oversized files with a reason, keeping neither side", async () => {
    const repo = newRepo();
    repo.write("chart/logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    repo.write("big.yaml", "a: 1\n");
    const base = repo.commit("base");
    repo.write("chart/logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x02]));
    repo.write("big.yaml", `a: "${"x".repeat(2048)}"\n`);
    repo.write("ok.yaml", "ok: true\n");
    repo.commit("head");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base, maxFileBytes: 1024 });

    expect(changeSet.files).toEqual([
      {
        path: "big.yaml",
        status: "modified",
        base: null,
        head: null,
        skipped: "2054 bytes is over the 1024-byte limit",
      },
      { path: "chart/logo.png", status: "modified", base: null, head: null, skipped: "binary file" },
      { path: "ok.yaml", status: "added", base: null, head: "ok: true\n" },
    ]);
  });

  it("skips files over 1 MiB by default", async () => {
    const repo = newRepo();
    repo.write("keep.yaml", "k: 1\n");
    const base = repo.commit("base");
    repo.write("huge.yaml", `# ${"y".repeat(1024 * 1024)}\n`);
    repo.commit("head");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base });

    expect(changeSet.files).toEqual([
      {
        path: "huge.yaml",
        status: "added",
        base: null,
        head: null,
        skipped: `${1024 * 1024 + 3} bytes is over the 1048576-byte limit`,
      },
    ]);
  });

  it("skips symbolic links instead of reviewing their target path as YAML", async () => {
    const repo = newRepo();
    repo.write("values.yaml", "a: 1\n");
    const base = repo.commit("base");
    const target = repo.git("hash-object", "-w", "values.yaml");
    repo.git("update-index", "--add", "--cacheinfo", `120000,${target},link.yaml`);
    repo.git("commit", "--quiet", "-m", "link");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base });

    expect(changeSet.files).toEqual([
      { path: "link.yaml", status: "added", base: null, head: null, skipped: "symbolic link" },
    ]);
  });

  it("keeps paths with spaces and non-ASCII characters intact (-z output)", async () => {
    const repo = newRepo();
    repo.write("keep.yaml", "k: 1\n");
    const base = repo.commit("base");
    repo.write("my apps/välues prod.yaml", "a: 1\n");
    repo.commit("head");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base });

    expect(changeSet.files).toEqual([
      { path: "my apps/välues prod.yaml", status: "added", base: null, head: "a: 1\n" },
    ]);
  });

  it("returns an empty change set when base and head are the same commit", async () => {
    const repo = newRepo();
    repo.write("a.yaml", "a: 1\n");
    repo.commit("c1");

    const { changeSet } = await changeSetFromGit({ repo: repo.dir, base: "HEAD", head: "main" });

    expect(changeSet.files).toEqual([]);
  });
});

describe("changeSetFromGit context reader", () => {
  it("reads unchanged files at base and head, and leaves out paths that do not exist", async () => {
    // Arrange
    const repo = newRepo();
    repo
      .write("apps/values.yaml", "replicas: 1\n")
      .write("apps/release.yaml", "kind: HelmRelease\n")
      .write("apps/only-base.yaml", "gone: true\n");
    const base = repo.commit("base");
    repo.write("apps/release.yaml", "kind: HelmRelease # edited\n").remove("apps/only-base.yaml");
    repo.write("apps/only-head.yaml", "new: true\n");
    const head = repo.commit("head");
    repo.write("apps/values.yaml", "replicas: 99\n").commit("after head"); // must not leak in

    // Act
    const { contextReader } = await changeSetFromGit({ repo: repo.dir, base, head });
    const files = await contextReader.read([
      "apps/values.yaml",
      "apps/missing.yaml",
      "apps/only-base.yaml",
      "apps/only-head.yaml",
      "apps",
    ]);

    // Assert
    expect(files).toEqual([
      { path: "apps/values.yaml", base: "replicas: 1\n", head: "replicas: 1\n" },
      { path: "apps/only-base.yaml", base: "gone: true\n", head: null },
      { path: "apps/only-head.yaml", base: null, head: "new: true\n" },
    ]);
  });

  it("refuses paths outside the repository and notes context files it could not load", async () => {
    const repo = newRepo();
    repo.write("secret.yaml", "s: 1\n").write("blob.yaml", Buffer.from([0x61, 0x00, 0x62]));
    const base = repo.commit("base");
    repo.write("other.yaml", "o: 1\n");
    repo.commit("head");

    const { changeSet, contextReader } = await changeSetFromGit({ repo: repo.dir, base });
    const files = await contextReader.read(["../secret.yaml", "/etc/passwd", "./secret.yaml", "blob.yaml"]);

    expect(files).toEqual([]);
    expect(changeSet.notes).toEqual([
      "blob.yaml (base) was not loaded as context: binary file.",
      "blob.yaml (head) was not loaded as context: binary file.",
    ]);
  });
});
