/**
 * Pull request contents for the GitHub mock: inline files, or an `examples/<name>/{before,after}`
 * pair read from disk (files in both folders with the same bytes are unchanged context).
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChangeSet, ContextReader, FileChange } from "../../src/source/change-set.js";
import { HEAD_SHA, MERGE_BASE_SHA, type Contents, type FileEntry } from "./github.js";

export interface PrFile {
  path: string;
  base: string | null;
  head: string | null;
  previousPath?: string;
}

export interface PrFixture {
  files: PrFile[];
  /** Unchanged files, present on both sides. */
  context: Record<string, string>;
}

/** One ConfigMap whose head is not valid YAML (`a: [b` on line 6): a parse-problem finding. */
export const BROKEN_YAML: PrFixture = {
  files: [
    {
      path: "clusters/prod/apps/web.yaml",
      base: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n",
      head: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: [b\n",
    },
  ],
  context: {},
};

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function fileEntries(files: readonly PrFile[]): FileEntry[] {
  return files.map((file) => {
    if (file.previousPath)
      return { filename: file.path, status: "renamed", previous_filename: file.previousPath };
    if (file.base === null) return { filename: file.path, status: "added" };
    if (file.head === null) return { filename: file.path, status: "removed" };
    return { filename: file.path, status: "modified" };
  });
}

/** Contents at the merge base and the head, as the GraphQL mock serves them. */
export function contentsFor(fixture: PrFixture, headSha = HEAD_SHA): Contents {
  const base = new Map<string, string>(Object.entries(fixture.context));
  const head = new Map<string, string>(Object.entries(fixture.context));
  for (const file of fixture.files) {
    if (file.base !== null) base.set(file.previousPath ?? file.path, file.base);
    if (file.head !== null) head.set(file.path, file.head);
  }
  return new Map([
    [MERGE_BASE_SHA, base],
    [headSha, head],
  ]);
}

async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(dir, path).split(sep).join("/"), await readFile(path, "utf8"));
    }
  }
  await walk(dir);
  return files;
}

export async function exampleFixture(name: string): Promise<PrFixture> {
  const before = await readTree(join(ROOT, "examples", name, "before"));
  const after = await readTree(join(ROOT, "examples", name, "after"));
  const files: PrFile[] = [];
  const context: Record<string, string> = {};
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const base = before.get(path) ?? null;
    const head = after.get(path) ?? null;
    if (base !== null && base === head) context[path] = base;
    else files.push({ path, base, head });
  }
  return { files, context };
}

/** The same pull request as a local change set, to compute what the engine says about it. */
export function localChangeSet(fixture: PrFixture): { changeSet: ChangeSet; contextReader: ContextReader } {
  const files: FileChange[] = fixture.files.map((file) => ({
    path: file.path,
    ...(file.previousPath ? { previousPath: file.previousPath } : {}),
    status: file.previousPath
      ? "renamed"
      : file.base === null
        ? "added"
        : file.head === null
          ? "removed"
          : "modified",
    base: file.base,
    head: file.head,
  }));
  const contextReader: ContextReader = {
    async read(paths) {
      return paths
        .filter((path) => path in fixture.context)
        .map((path) => ({ path, base: fixture.context[path], head: fixture.context[path] }));
    },
  };
  return { changeSet: { files, context: new Map(), notes: [] }, contextReader };
}
