/**
 * Helm repositories (index.yaml + packages), over HTTP(S) or in a folder on disk. Packages are kept
 * in a content-addressed cache (`<cacheDir>/charts/<sha256>.tgz`), found again by
 * (repository, name, version, digest).
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import { randomBytes } from "node:crypto";
import { parse } from "yaml";
import { sha256 } from "./embedded-tools.js";
import { boundedGet, FETCH_DEFAULTS, repositoryRefusal, type FetchPolicy } from "./fetch.js";
import { chooseVersion } from "./flux-semver.js";
import type { BuildFailure } from "./types.js";

export interface IndexEntry {
  name: string;
  version: string;
  urls: string[];
  digest?: string;
  created?: string;
}

export interface FetchedPackage {
  /** Path of the `.tgz` in the cache. */
  path: string;
  sha256: string;
  entry: IndexEntry;
  /** The index was served from memory and the package from the disk cache. */
  cached: boolean;
}

export type PackageResult = { ok: true; pkg: FetchedPackage } | BuildFailure;

type Repository = { type: "folder"; dir: string } | { type: "http"; url: string };

const INDEX_TTL_MS = 5 * 60_000;
const MAX_INDEXES = 64;

export class HelmRepositories {
  private readonly indexes = new Map<string, { at: number; entries: Map<string, IndexEntry[]> }>();
  private readonly packages = new Map<string, FetchedPackage>();

  constructor(
    private readonly cacheDir: string,
    private readonly policy: FetchPolicy,
  ) {}

  /** The package of `chart` at the version `wanted` resolves to (Flux's rules), fetched if needed. */
  async fetch(repository: Repository, chart: string, wanted: string | undefined): Promise<PackageResult> {
    const origin = repository.type === "folder" ? repository.dir : repository.url;
    if (repository.type === "http") {
      const refusal = repositoryRefusal(repository.url, this.policy);
      if (refusal) return { ok: false, kind: "refused", reason: refusal };
    }
    const index = await this.index(repository);
    if (!index.ok) return index;
    const versions = index.entries.get(chart);
    if (!versions || versions.length === 0)
      return { ok: false, kind: "not-found", reason: `chart ${chart} is not in the repository ${origin}` };
    const choice = chooseVersion(versions, wanted);
    if (!choice.ok)
      return { ok: false, kind: "not-found", reason: `${chart} in ${origin}: ${choice.reason}` };
    const entry = choice.entry;

    const key = [origin, entry.name, entry.version, entry.digest ?? ""].join("\n");
    const known = this.packages.get(key);
    if (known) return { ok: true, pkg: { ...known, cached: true } };
    if (entry.digest) {
      const cachedPath = join(this.cacheDir, "charts", `${entry.digest}.tgz`);
      const existing = await readFile(cachedPath).catch(() => null);
      if (existing && sha256(existing) === entry.digest) {
        const pkg = { path: cachedPath, sha256: entry.digest, entry, cached: true };
        this.packages.set(key, pkg);
        return { ok: true, pkg };
      }
    }
    const body = await this.download(repository, entry);
    if (!body.ok) return body;
    const digest = sha256(body.data);
    if (entry.digest && entry.digest !== digest) {
      return {
        ok: false,
        kind: "fetch-failed",
        reason: `${chart} ${entry.version} from ${origin} does not match the digest in index.yaml`,
      };
    }
    const path = await this.store(body.data, digest);
    const pkg = { path, sha256: digest, entry, cached: false };
    this.packages.set(key, pkg);
    return { ok: true, pkg };
  }

  private async index(
    repository: Repository,
  ): Promise<{ ok: true; entries: Map<string, IndexEntry[]> } | BuildFailure> {
    const key = repository.type === "folder" ? `folder:${repository.dir}` : repository.url;
    const known = this.indexes.get(key);
    if (known && Date.now() - known.at < INDEX_TTL_MS) return { ok: true, entries: known.entries };
    const maxBytes = this.policy.maxIndexBytes ?? FETCH_DEFAULTS.maxIndexBytes;
    let text: string;
    if (repository.type === "folder") {
      const data = await readFile(join(repository.dir, "index.yaml")).catch(() => null);
      if (!data) return { ok: false, kind: "not-found", reason: `${repository.dir} has no index.yaml` };
      if (data.length > maxBytes)
        return {
          ok: false,
          kind: "fetch-failed",
          reason: `${repository.dir}/index.yaml is over ${maxBytes} bytes`,
        };
      text = data.toString("utf8");
    } else {
      const got = await boundedGet(indexUrl(repository.url), this.policy, { maxBytes });
      if (!got.ok) return { ok: false, kind: got.kind, reason: got.reason };
      text = got.body.toString("utf8");
    }
    const entries = parseIndex(text);
    if (!entries)
      return {
        ok: false,
        kind: "fetch-failed",
        reason: `the index.yaml of ${key.replace(/^folder:/, "")} is not a Helm repository index`,
      };
    if (this.indexes.size >= MAX_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
    this.indexes.set(key, { at: Date.now(), entries });
    return { ok: true, entries };
  }

  private async download(
    repository: Repository,
    entry: IndexEntry,
  ): Promise<{ ok: true; data: Buffer } | BuildFailure> {
    const url = entry.urls[0];
    if (!url)
      return {
        ok: false,
        kind: "not-found",
        reason: `${entry.name} ${entry.version} has no download URL in index.yaml`,
      };
    const maxBytes = this.policy.maxChartBytes ?? FETCH_DEFAULTS.maxChartBytes;
    if (repository.type === "folder") {
      // A mirror's index may carry the original absolute URLs: the package is the file of that name here.
      const file = /^[a-z]+:\/\//i.test(url) ? basename(new URL(url).pathname) : url;
      const path = resolve(repository.dir, file);
      if (!path.startsWith(resolve(repository.dir) + sep)) {
        return {
          ok: false,
          kind: "refused",
          reason: `${entry.name} ${entry.version}: ${url} is outside ${repository.dir}`,
        };
      }
      const data = await readFile(path).catch(() => null);
      if (!data) return { ok: false, kind: "not-found", reason: `${path} is missing` };
      if (data.length > maxBytes)
        return { ok: false, kind: "fetch-failed", reason: `${path} is over ${maxBytes} bytes` };
      return { ok: true, data };
    }
    // Chart URLs come from the allowed repository's own index: the address checks still apply.
    const absolute = new URL(
      url,
      repository.url.endsWith("/") ? repository.url : `${repository.url}/`,
    ).toString();
    const got = await boundedGet(absolute, this.policy, { maxBytes });
    if (!got.ok) return { ok: false, kind: got.kind, reason: got.reason };
    return { ok: true, data: got.body };
  }

  private async store(data: Buffer, digest: string): Promise<string> {
    const dir = join(this.cacheDir, "charts");
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${digest}.tgz`);
    const partial = `${path}.${randomBytes(4).toString("hex")}.partial`;
    try {
      await writeFile(partial, data);
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
    return path;
  }
}

function indexUrl(repositoryUrl: string): string {
  return `${repositoryUrl.replace(/\/+$/, "")}/index.yaml`;
}

/** index.yaml -> chart name -> versions; null when it is not an index. */
export function parseIndex(text: string): Map<string, IndexEntry[]> | null {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 1000, uniqueKeys: false });
  } catch {
    return null;
  }
  if (!isRecord(doc) || !isRecord(doc.entries)) return null;
  const entries = new Map<string, IndexEntry[]>();
  for (const [name, list] of Object.entries(doc.entries)) {
    if (!Array.isArray(list)) continue;
    const versions: IndexEntry[] = [];
    for (const item of list) {
      if (!isRecord(item) || item.version === undefined || item.version === null) continue;
      const urls = Array.isArray(item.urls)
        ? item.urls.filter((u): u is string => typeof u === "string")
        : [];
      versions.push({
        name,
        version: String(item.version),
        urls,
        ...(typeof item.digest === "string" && /^[0-9a-f]{64}$/.test(item.digest)
          ? { digest: item.digest }
          : {}),
        ...(item.created !== undefined
          ? { created: String(item.created instanceof Date ? item.created.toISOString() : item.created) }
          : {}),
      });
    }
    entries.set(name, versions);
  }
  return entries;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
