import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { changeSetFromFolders } from "../../src/source/folders.js";

describe("changeSetFromFolders context reader", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "gitops-review-folders-"));
    for (const side of ["before", "after"]) {
      await mkdir(join(root, side, "apps", "shared"), { recursive: true });
      await writeFile(join(root, side, "apps", "values.yaml"), "replicas: 1\n");
    }
    await writeFile(join(root, "secret.yaml"), "token: hunter2\n");
    await mkdir(join(root, "outside"));
    await writeFile(join(root, "outside", "kubeconfig.yaml"), "token: hunter2\n");
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("reads files inside the folders, following links that stay inside", async () => {
    await symlink("../values.yaml", join(root, "after", "apps", "shared", "linked.yaml"));
    const { contextReader } = await changeSetFromFolders(join(root, "before"), join(root, "after"));

    const files = await contextReader.read(["apps/values.yaml", "apps/shared/linked.yaml", "apps/none.yaml"]);

    expect(files).toEqual([
      { path: "apps/values.yaml", base: "replicas: 1\n", head: "replicas: 1\n" },
      { path: "apps/shared/linked.yaml", base: null, head: "replicas: 1\n" },
    ]);
  });

  it("never reads a file outside the folders, by `..`, an absolute path or a symbolic link", async () => {
    await symlink(join(root, "secret.yaml"), join(root, "after", "apps", "values-prod.yaml"));
    await symlink(join(root, "outside"), join(root, "after", "apps", "linked-dir"));
    const { contextReader } = await changeSetFromFolders(join(root, "before"), join(root, "after"));

    const files = await contextReader.read([
      "../secret.yaml",
      join(root, "secret.yaml"),
      "apps/values-prod.yaml",
      "apps/linked-dir/kubeconfig.yaml",
    ]);

    expect(files).toEqual([]);
  });
});
