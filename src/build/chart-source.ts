/**
 * A ChartRef -> something `helm template` can read, with the chart's identity and digest: a
 * package file, or the files of a chart folder with its dependencies put in charts/ (vendored ones
 * as they are, `file://` ones copied from inside the repository, remote ones fetched through the
 * allowlist). Helm never fetches anything itself.
 */
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { readChartMetadata, readPackageMetadata, type ChartMetadata } from "./chart-package.js";
import { sha256 } from "./embedded-tools.js";
import type { FetchPolicy } from "./fetch.js";
import { HelmRepositories } from "./helm-repository.js";
import { pullOciChart } from "./oci-registry.js";
import {
  DEFAULT_MATERIALIZE_LIMITS,
  folderSnapshot,
  normalizeRepoPath,
  resolveRepoPath,
  type MaterializeLimits,
  type RepoSnapshot,
} from "./snapshot.js";
import type { BuildFailure, ChartIdentity, ChartRef } from "./types.js";

export type ChartLocation =
  | { type: "package"; path: string }
  /** Files of the chart folder, paths relative to it, dependencies already under charts/. */
  | { type: "folder"; files: Map<string, Buffer> };

export interface PreparedChart {
  identity: ChartIdentity;
  location: ChartLocation;
  notes: string[];
}

export type PreparedResult = { ok: true; chart: PreparedChart } | BuildFailure;

const MAX_DEPENDENCY_DEPTH = 5;

export class ChartSources {
  private readonly repositories: HelmRepositories;

  constructor(
    private readonly cacheDir: string,
    private readonly policy: FetchPolicy,
    private readonly limits: MaterializeLimits = DEFAULT_MATERIALIZE_LIMITS,
  ) {
    this.repositories = new HelmRepositories(cacheDir, policy);
  }

  async prepare(ref: ChartRef): Promise<PreparedResult> {
    switch (ref.type) {
      case "repo-path": {
        const path = normalizeRepoPath(ref.path);
        if (path === null)
          return {
            ok: false,
            kind: "invalid-input",
            reason: `${ref.path} is not a path inside the repository`,
          };
        return this.folder(ref.snapshot, path, `repository path ${path || "/"}`);
      }
      case "local-path": {
        const info = await stat(ref.path).catch(() => null);
        if (!info) return { ok: false, kind: "not-found", reason: `${ref.path} does not exist` };
        if (info.isDirectory()) return this.folder(folderSnapshot(ref.path), "", ref.path);
        const data = await readFile(ref.path);
        return this.packageData(data, ref.path, [], sha256(data));
      }
      case "local-repository":
      case "helm-repository": {
        const repository =
          ref.type === "local-repository"
            ? { type: "folder" as const, dir: ref.dir }
            : { type: "http" as const, url: ref.url };
        const fetched = await this.repositories.fetch(repository, ref.chart, ref.version);
        if (!fetched.ok) return fetched;
        const origin = ref.type === "local-repository" ? ref.dir : ref.url;
        return {
          ok: true,
          chart: {
            identity: {
              name: ref.chart,
              version: fetched.pkg.entry.version,
              digest: fetched.pkg.sha256,
              origin,
            },
            location: { type: "package", path: fetched.pkg.path },
            notes: [],
          },
        };
      }
      case "oci": {
        const pulled = await pullOciChart(ref, this.policy);
        if (!pulled.ok) return pulled;
        return this.packageData(pulled.chart.data, ref.url, [], pulled.chart.digest);
      }
    }
  }

  private async packageData(
    data: Buffer,
    origin: string,
    notes: string[],
    digest: string,
  ): Promise<PreparedResult> {
    const meta = await readPackageMetadata(data);
    if (!meta.ok) return { ok: false, kind: "invalid-input", reason: `${origin}: ${meta.reason}` };
    const path = await this.storePackage(data, digest);
    return {
      ok: true,
      chart: {
        identity: { name: meta.metadata.name, version: meta.metadata.version, digest, origin },
        location: { type: "package", path },
        notes,
      },
    };
  }

  private async storePackage(data: Buffer, digest: string): Promise<string> {
    const dir = join(this.cacheDir, "charts");
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${digest}.tgz`);
    const existing = await readFile(path).catch(() => null);
    if (existing && sha256(existing) === digest) return path;
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, data);
    await rename(partial, path);
    return path;
  }

  private async folder(snapshot: RepoSnapshot, path: string, origin: string): Promise<PreparedResult> {
    const notes: string[] = [];
    const budget = { files: 0, bytes: 0 };
    const collected = await this.collect(snapshot, path, 0, budget, notes);
    if (!collected.ok) return collected;
    const entries = [...collected.files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const digest = sha256(entries.map(([p, data]) => `${p}\0${sha256(data)}\n`).join(""));
    return {
      ok: true,
      chart: {
        identity: { name: collected.metadata.name, version: collected.metadata.version, digest, origin },
        location: { type: "folder", files: collected.files },
        notes,
      },
    };
  }

  private async collect(
    snapshot: RepoSnapshot,
    chartPath: string,
    depth: number,
    budget: { files: number; bytes: number },
    notes: string[],
  ): Promise<{ ok: true; files: Map<string, Buffer>; metadata: ChartMetadata } | BuildFailure> {
    const where = chartPath || "the repository root";
    const listed = await snapshot.list(chartPath);
    const prefix = chartPath ? `${chartPath}/` : "";
    const files = new Map<string, Buffer>();
    for (const path of listed) {
      if (++budget.files > this.limits.maxFiles) {
        return {
          ok: false,
          kind: "invalid-input",
          reason: `the chart at ${where} has more than ${this.limits.maxFiles} files`,
        };
      }
      const data = await snapshot.read(path);
      if (!data) continue;
      budget.bytes += data.length;
      if (budget.bytes > this.limits.maxBytes) {
        return {
          ok: false,
          kind: "invalid-input",
          reason: `the chart at ${where} is over ${this.limits.maxBytes} bytes`,
        };
      }
      files.set(path.slice(prefix.length), data);
    }
    const chartYaml = files.get("Chart.yaml");
    if (!chartYaml) return { ok: false, kind: "not-found", reason: `${where} has no Chart.yaml` };
    const meta = readChartMetadata(
      chartYaml.toString("utf8"),
      files.get("requirements.yaml")?.toString("utf8"),
    );
    if (!meta.ok) return { ok: false, kind: "invalid-input", reason: `${where}: ${meta.reason}` };
    const locked = lockedVersions(
      files.get("Chart.lock")?.toString("utf8") ?? files.get("requirements.lock")?.toString("utf8"),
    );

    for (const dep of meta.metadata.dependencies) {
      const label = `dependency ${dep.name} of ${meta.metadata.name}`;
      if (vendored(files, dep.name)) continue;
      if (depth >= MAX_DEPENDENCY_DEPTH) {
        return {
          ok: false,
          kind: "invalid-input",
          reason: `${label}: dependencies nest deeper than ${MAX_DEPENDENCY_DEPTH}`,
        };
      }
      const repo = dep.repository.trim();
      if (repo.startsWith("file://")) {
        const relative = repo.slice("file://".length);
        const target = relative.startsWith("/") ? null : resolveRepoPath(chartPath, relative);
        if (target === null) {
          return {
            ok: false,
            kind: "refused",
            reason: `${label}: ${repo} is outside the repository; only charts inside it are read`,
          };
        }
        const sub = await this.collect(snapshot, target, depth + 1, budget, notes);
        if (!sub.ok) return sub;
        for (const [p, data] of sub.files) files.set(`charts/${dep.name}/${p}`, data);
        continue;
      }
      const version = locked.get(dep.name) ?? dep.version;
      if (/^https?:\/\//i.test(repo)) {
        const fetched = await this.repositories.fetch({ type: "http", url: repo }, dep.name, version);
        if (!fetched.ok) return { ...fetched, reason: `${label}: ${fetched.reason}` };
        files.set(`charts/${dep.name}-${fetched.pkg.entry.version}.tgz`, await readFile(fetched.pkg.path));
        continue;
      }
      if (/^oci:\/\//i.test(repo)) {
        const pulled = await pullOciChart(
          { url: `${repo.replace(/\/+$/, "")}/${dep.name}`, version },
          this.policy,
        );
        if (!pulled.ok) return { ...pulled, reason: `${label}: ${pulled.reason}` };
        files.set(`charts/${dep.name}-${pulled.chart.version}.tgz`, pulled.chart.data);
        continue;
      }
      if (repo === "") {
        return { ok: false, kind: "not-found", reason: `${label} is not in charts/ and names no repository` };
      }
      return {
        ok: false,
        kind: "refused",
        reason: `${label}: "${repo}" names a repository by a local helm alias; vendor the chart in charts/ or use the repository URL`,
      };
    }
    return { ok: true, files, metadata: meta.metadata };
  }
}

/** A dependency already in charts/: a folder whose Chart.yaml has its name, or `<name>-<version>.tgz`. */
function vendored(files: Map<string, Buffer>, name: string): boolean {
  for (const [path, data] of files) {
    const folder = /^charts\/([^/]+)\/Chart\.yaml$/.exec(path);
    if (folder) {
      const meta = readChartMetadata(data.toString("utf8"));
      if (meta.ok && meta.metadata.name === name) return true;
    }
    if (
      path.startsWith(`charts/${name}-`) &&
      path.endsWith(".tgz") &&
      !path.slice(`charts/${name}-`.length).includes("/")
    ) {
      if (/^\d/.test(path.slice(`charts/${name}-`.length))) return true;
    }
  }
  return false;
}

function lockedVersions(lock: string | undefined): Map<string, string> {
  const versions = new Map<string, string>();
  if (!lock) return versions;
  try {
    const doc: unknown = parse(lock, { maxAliasCount: 100 });
    const deps = (doc as { dependencies?: unknown }).dependencies;
    if (Array.isArray(deps)) {
      for (const dep of deps as { name?: unknown; version?: unknown }[]) {
        if (typeof dep.name === "string" && dep.version !== undefined)
          versions.set(dep.name, String(dep.version));
      }
    }
  } catch {
    // A broken lock file: resolve from Chart.yaml as if there were none.
  }
  return versions;
}
