/**
 * The build stage's front door: renders a Helm release or builds a kustomization with the real
 * tools, bounded and cached. One Builder per process (the App) or per run (the CLI); it owns a
 * private work folder, removed by close().
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  BUILT_IN_API_VERSIONS,
  DEFAULT_KUBE_VERSION,
  isApiVersionEntry,
  isKubeVersion,
} from "./api-versions.js";
import { ChartSources } from "./chart-source.js";
import { defaultCacheDir } from "./embedded-tools.js";
import type { FetchPolicy } from "./fetch.js";
import { readKustomizationTree } from "./kustomization-tree.js";
import { applyPostBuild, type PostBuild } from "./post-build.js";
import {
  contentHash,
  DEFAULT_CACHE_LIMITS,
  RenderCache,
  type CacheLimits,
  type CacheStats,
} from "./render-cache.js";
import { parseRenderedOutput } from "./rendered-objects.js";
import { materialize, normalizeRepoPath } from "./snapshot.js";
import {
  DEFAULT_LIMITS,
  defaultConcurrency,
  Limiter,
  probeSandbox,
  runBounded,
  scrubbedEnvironment,
  type RunOutcome,
  type Sandbox,
  type SubprocessLimits,
} from "./subprocess.js";
import {
  findHelm,
  findKustomize,
  type Found,
  type KustomizeTool,
  type Tool,
  type ToolOptions,
} from "./tools.js";
import type { BuildFailure, BuildResult, HelmReleaseInput, KustomizationInput } from "./types.js";

export interface BuilderOptions {
  tools?: ToolOptions;
  /** Chart repositories and addresses that may be fetched; default: none (local charts only). */
  fetch?: FetchPolicy;
  limits?: Partial<SubprocessLimits>;
  /** Tools running at once; default: the number of cores. */
  concurrency?: number;
  cache?: Partial<CacheLimits>;
  /** Let kustomize load remote bases, resources and components (default false: refused). */
  allowRemoteKustomizeBases?: boolean;
  /** Embedded binaries and fetched charts (default: defaultCacheDir()). */
  cacheDir?: string;
}

export interface ToolStatus {
  helm: Found<Tool>;
  kustomize: Found<KustomizeTool>;
  /** Which hard bounds this machine gives the tools. */
  sandbox: { networkIsolated: boolean; memoryHardLimit: boolean };
}

export interface BuilderStats {
  cache: CacheStats;
  /** Tool processes run for builds (version probes excluded). */
  runs: number;
}

export interface Builder {
  renderHelmRelease(input: HelmReleaseInput): Promise<BuildResult>;
  buildKustomization(input: KustomizationInput & { postBuild?: PostBuild }): Promise<BuildResult>;
  toolStatus(): Promise<ToolStatus>;
  stats(): BuilderStats;
  /** Removes the private work folder. */
  close(): Promise<void>;
}

/** DNS-1123 subdomain, at most 53 characters: what Helm accepts as a release name. */
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function createBuilder(options: BuilderOptions = {}): Builder {
  const limits: SubprocessLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const cacheDir = options.cacheDir ?? options.tools?.cacheDir ?? defaultCacheDir(options.tools?.env);
  const toolOptions: ToolOptions = { ...options.tools, cacheDir };
  const limiter = new Limiter(options.concurrency ?? defaultConcurrency());
  const cache = new RenderCache({ ...DEFAULT_CACHE_LIMITS, ...options.cache });
  const charts = new ChartSources(cacheDir, options.fetch ?? { allowedRepositories: [] });
  let runs = 0;

  let workDir: Promise<string> | undefined;
  const work = () =>
    (workDir ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), "gitops-review-build-"));
      for (const sub of [
        "tmp",
        "helm/cache",
        "helm/config",
        "helm/data",
        "helm/plugins",
        "helm/repository",
      ]) {
        await mkdir(join(dir, "home", sub), { recursive: true });
      }
      return dir;
    })());

  let status: Promise<ToolStatus> | undefined;
  const toolStatus = () =>
    (status ??= (async () => {
      const sandbox = await probeSandbox();
      const home = join(await work(), "home");
      const [helm, kustomize] = await Promise.all([
        findHelm(toolOptions, sandbox, home),
        findKustomize(toolOptions, sandbox, home),
      ]);
      return {
        helm,
        kustomize,
        sandbox: { networkIsolated: sandbox.unshare !== null, memoryHardLimit: sandbox.prlimit !== null },
      };
    })());

  const run = async (file: string, args: string[], cwd: string, stdin?: string): Promise<RunOutcome> => {
    const sandbox: Sandbox = await probeSandbox();
    const home = join(await work(), "home");
    return limiter.run(() => {
      runs++;
      return runBounded(
        { file, args, cwd, env: scrubbedEnvironment(home, limits.memoryMiB), stdin, limits },
        sandbox,
      );
    });
  };

  /** A scratch folder for one build, removed afterwards. */
  const withScratch = async <T>(task: (dir: string) => Promise<T>): Promise<T> => {
    const dir = join(await work(), `b-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    try {
      return await task(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  async function renderHelmRelease(input: HelmReleaseInput): Promise<BuildResult> {
    const invalid = validateRelease(input);
    if (invalid) return invalid;
    const tools = await toolStatus();
    if (!tools.helm.ok)
      return { ok: false, kind: "unavailable", reason: `helm is not available: ${tools.helm.reason}` };
    const helm = tools.helm.tool;

    const prepared = await charts.prepare(input.chart);
    if (!prepared.ok) return prepared;
    const chart = prepared.chart;
    const label = `${chart.identity.name} ${chart.identity.version}`;
    const kubeVersion = input.kubeVersion ?? DEFAULT_KUBE_VERSION;
    const apiVersions = [...new Set([...BUILT_IN_API_VERSIONS, ...(input.apiVersions ?? [])])].sort();
    const valuesJson = JSON.stringify(jsonSafe(input.values ?? {}));
    const includeCrds = input.includeCrds ?? true;
    const skipSchema = input.skipSchemaValidation ?? false;
    const key = contentHash({
      tool: `helm ${helm.version}`,
      chart: chart.identity.digest,
      release: input.releaseName,
      namespace: input.namespace,
      values: contentHash(input.values ?? {}),
      kubeVersion,
      apiVersions,
      includeCrds,
      skipSchema,
    });

    return cache.get(key, () =>
      withScratch(async (scratch) => {
        let chartPath: string;
        if (chart.location.type === "package") {
          chartPath = chart.location.path;
        } else {
          chartPath = join(scratch, "chart");
          for (const [path, data] of chart.location.files) {
            const target = join(chartPath, path);
            await mkdir(dirname(target), { recursive: true });
            await writeFile(target, data);
          }
        }
        const args = [
          "template",
          input.releaseName,
          chartPath,
          "--namespace",
          input.namespace,
          "--kube-version",
          kubeVersion,
          "--api-versions",
          apiVersions.join(","),
          "--values",
          "-",
        ];
        if (includeCrds) args.push("--include-crds");
        if (skipSchema) args.push("--skip-schema-validation");
        const outcome = await run(helm.path, args, scratch, valuesJson);
        if (!outcome.ok)
          return { result: failureOf(outcome, `helm template of ${label}`, scratch), bytes: 0 };
        const text = outcome.stdout.toString("utf8");
        const parsed = parseRenderedOutput(text);
        if (!parsed.ok)
          return {
            result: { ok: false, kind: "render-failed", reason: `${label}: ${parsed.reason}` },
            bytes: 0,
          };
        return {
          result: {
            ok: true,
            objects: parsed.objects,
            chart: chart.identity,
            cached: false,
            notes: chart.notes,
          },
          bytes: text.length,
        };
      }),
    );
  }

  async function buildKustomization(
    input: KustomizationInput & { postBuild?: PostBuild },
  ): Promise<BuildResult> {
    const root = normalizeRepoPath(input.path);
    if (root === null)
      return {
        ok: false,
        kind: "invalid-input",
        reason: `${input.path} is not a path inside the repository`,
      };
    const tools = await toolStatus();
    if (!tools.kustomize.ok)
      return {
        ok: false,
        kind: "unavailable",
        reason: `kustomize is not available: ${tools.kustomize.reason}`,
      };
    const kustomize = tools.kustomize.tool;

    const read = await readKustomizationTree(input.snapshot, root, {
      allowRemote: options.allowRemoteKustomizeBases ?? false,
      ...(input.flux ? { flux: input.flux } : {}),
    });
    if (!read.ok) return read;
    const tree = read.tree;
    const contents: [string, string][] = [];
    for (const path of [...tree.files].sort()) {
      const data = await input.snapshot.read(path);
      contents.push([path, data ? contentHash(data.toString("base64")) : ""]);
    }
    const key = contentHash({
      tool: `${kustomize.flavour} ${kustomize.kustomizeVersion}`,
      root,
      contents,
      written: [...tree.written.entries()].sort(),
      postBuild: input.postBuild ?? null,
    });

    return cache.get(key, () =>
      withScratch(async (scratch) => {
        const copied = await materialize(input.snapshot, tree.files, join(scratch, "repo"));
        if (!copied.ok)
          return { result: { ok: false, kind: "invalid-input", reason: copied.reason }, bytes: 0 };
        for (const [path, text] of tree.written) {
          const target = join(scratch, "repo", path);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, text);
        }
        const dir = join(scratch, "repo", root);
        const args =
          kustomize.flavour === "kubectl"
            ? ["kustomize", dir, "--load-restrictor", "LoadRestrictionsRootOnly"]
            : ["build", dir, "--load-restrictor", "LoadRestrictionsRootOnly"];
        const outcome = await run(kustomize.path, args, scratch);
        const label = `kustomize build of ${root || "/"}`;
        if (!outcome.ok) return { result: failureOf(outcome, label, join(scratch, "repo")), bytes: 0 };
        let text = outcome.stdout.toString("utf8");
        if (input.postBuild) {
          const substituted = applyPostBuild(text, input.postBuild);
          if (!substituted.ok)
            return {
              result: { ok: false, kind: "render-failed", reason: `${label}: ${substituted.reason}` },
              bytes: 0,
            };
          text = substituted.text;
        }
        const parsed = parseRenderedOutput(text);
        if (!parsed.ok)
          return {
            result: { ok: false, kind: "render-failed", reason: `${label}: ${parsed.reason}` },
            bytes: 0,
          };
        const notes = tree.remote.length ? [`remote references loaded: ${tree.remote.join(", ")}`] : [];
        return { result: { ok: true, objects: parsed.objects, cached: false, notes }, bytes: text.length };
      }),
    );
  }

  return {
    renderHelmRelease,
    buildKustomization,
    toolStatus,
    stats: () => ({ cache: cache.stats(), runs }),
    async close() {
      if (workDir) await rm(await workDir, { recursive: true, force: true });
      workDir = undefined;
      status = undefined;
    },
  };
}

function validateRelease(input: HelmReleaseInput): BuildFailure | null {
  const bad = (reason: string): BuildFailure => ({ ok: false, kind: "invalid-input", reason });
  if (
    typeof input.releaseName !== "string" ||
    input.releaseName.length > 53 ||
    !RELEASE_NAME.test(input.releaseName)
  ) {
    return bad(
      `"${String(input.releaseName)}" is not a valid Helm release name (lowercase DNS name, at most 53 characters)`,
    );
  }
  if (
    typeof input.namespace !== "string" ||
    input.namespace.length > 63 ||
    !NAMESPACE.test(input.namespace)
  ) {
    return bad(`"${String(input.namespace)}" is not a valid namespace name`);
  }
  if (input.kubeVersion !== undefined && !isKubeVersion(input.kubeVersion)) {
    return bad(`"${input.kubeVersion}" is not a Kubernetes version like 1.33.0`);
  }
  for (const entry of input.apiVersions ?? []) {
    if (!isApiVersionEntry(entry)) return bad(`"${entry}" is not an API version like group/version/Kind`);
  }
  if (
    input.values !== undefined &&
    (typeof input.values !== "object" || input.values === null || Array.isArray(input.values))
  ) {
    return bad("the values are not a mapping");
  }
  return null;
}

/** BigInts (YAML parsed with intAsBigInt) become plain numbers Helm reads exactly as written. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

/** A failed run -> the failure the caller shows; paths of our scratch folder are cut from messages. */
function failureOf(
  outcome: Extract<RunOutcome, { ok: false }>,
  label: string,
  scratch: string,
): BuildFailure {
  const tidy = (text: string) =>
    text
      .split(scratch + "/")
      .join("")
      .split(scratch)
      .join(".")
      .trim();
  switch (outcome.kind) {
    case "timeout":
    case "output-limit":
    case "memory-limit":
      return { ok: false, kind: outcome.kind, reason: `${label} ${outcome.reason}` };
    case "spawn-failed":
      return { ok: false, kind: "unavailable", reason: `${label}: ${outcome.reason}` };
    case "exit": {
      const message = tidy(outcome.stderr)
        .split("\n")
        .filter((line) => line.trim() !== "" && !/^(WARNING|walk\.go|I\d{4})/.test(line))
        .slice(0, 6)
        .join("\n")
        .replace(/^Error: /, "");
      return { ok: false, kind: "render-failed", reason: `${label} failed: ${message || outcome.reason}` };
    }
  }
}
