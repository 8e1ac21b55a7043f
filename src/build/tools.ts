/**
 * Which helm and which kustomize run: an environment variable names one, else the first fitting
 * one on PATH, else the embedded official build. Every candidate is run once (`version`) and its
 * version checked, so an old kubectl on PATH (its kustomize renders differently) is passed over
 * with a note rather than used.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { EMBEDDED, defaultCacheDir, embeddedTool } from "./embedded-tools.js";
import { DEFAULT_LIMITS, runBounded, scrubbedEnvironment, type Sandbox } from "./subprocess.js";

export interface ToolOptions {
  /** Environment read for GITOPS_REVIEW_HELM, GITOPS_REVIEW_KUBECTL, GITOPS_REVIEW_KUSTOMIZE and PATH. */
  env?: NodeJS.ProcessEnv;
  /** Look on PATH (default true). Tests turn it off so that the machine's binaries never matter. */
  searchPath?: boolean;
  /** Fall back to the binaries in the npm package (default true). */
  embedded?: boolean;
  /** Where the embedded binaries are extracted (default: defaultCacheDir()). */
  cacheDir?: string;
}

export interface Tool {
  path: string;
  version: string;
  /** How it was chosen: "GITOPS_REVIEW_HELM", "PATH", "embedded". */
  origin: string;
}

/** Kustomize either standalone (`kustomize build DIR`) or inside kubectl (`kubectl kustomize DIR`). */
export interface KustomizeTool extends Tool {
  flavour: "kustomize" | "kubectl";
  /** Kustomize's own version (kubectl reports the one it embeds). */
  kustomizeVersion: string;
}

export type Found<T> =
  { ok: true; tool: T; notes: string[] } | { ok: false; reason: string; notes: string[] };

/** Oldest versions whose flags and output we rely on (`--skip-schema-validation`; kustomize v5). */
export const MINIMUM = { helm: "3.16.0", kubectl: "1.27.0", kustomize: "5.0.0" };

export async function findHelm(options: ToolOptions, sandbox: Sandbox, home: string): Promise<Found<Tool>> {
  const env = options.env ?? process.env;
  const notes: string[] = [];
  const probe = async (path: string, origin: string): Promise<Tool | string> => {
    const out = await versionOutput(path, ["version", "--template", "{{.Version}}"], sandbox, home);
    if (typeof out !== "string") return out.error;
    const version = out.trim();
    if (!atLeast(version, MINIMUM.helm)) return `helm ${version} is older than ${MINIMUM.helm}`;
    return { path, version, origin };
  };

  const named = env.GITOPS_REVIEW_HELM;
  if (named) {
    const tool = await probe(named, "GITOPS_REVIEW_HELM");
    if (typeof tool === "string") return { ok: false, reason: `GITOPS_REVIEW_HELM=${named}: ${tool}`, notes };
    return { ok: true, tool, notes };
  }
  if (options.searchPath !== false) {
    for (const path of onPath("helm", env)) {
      const tool = await probe(path, "PATH");
      if (typeof tool !== "string") return { ok: true, tool, notes };
      notes.push(`${path} skipped: ${tool}`);
    }
  }
  return embedded("helm", options, notes, async (path) => probe(path, "embedded"));
}

export async function findKustomize(
  options: ToolOptions,
  sandbox: Sandbox,
  home: string,
): Promise<Found<KustomizeTool>> {
  const env = options.env ?? process.env;
  const notes: string[] = [];
  const probeKubectl = async (path: string, origin: string): Promise<KustomizeTool | string> => {
    const out = await versionOutput(path, ["version", "--client", "-o", "json"], sandbox, home);
    if (typeof out !== "string") return out.error;
    let parsed: { clientVersion?: { gitVersion?: string }; kustomizeVersion?: string };
    try {
      parsed = JSON.parse(out) as typeof parsed;
    } catch {
      return "its `version --client -o json` output is not JSON";
    }
    const version = parsed.clientVersion?.gitVersion ?? "";
    const kustomizeVersion = parsed.kustomizeVersion ?? "";
    if (!atLeast(version, MINIMUM.kubectl))
      return `kubectl ${version || "(unknown)"} is older than ${MINIMUM.kubectl}`;
    return { path, version, kustomizeVersion, origin, flavour: "kubectl" };
  };
  const probeKustomize = async (path: string, origin: string): Promise<KustomizeTool | string> => {
    const out = await versionOutput(path, ["version"], sandbox, home);
    if (typeof out !== "string") return out.error;
    const version = /v?\d+\.\d+\.\d+/.exec(out)?.[0] ?? "";
    if (!atLeast(version, MINIMUM.kustomize))
      return `kustomize ${version || "(unknown)"} is older than ${MINIMUM.kustomize}`;
    return { path, version, kustomizeVersion: version, origin, flavour: "kustomize" };
  };

  for (const [variable, probe] of [
    ["GITOPS_REVIEW_KUSTOMIZE", probeKustomize],
    ["GITOPS_REVIEW_KUBECTL", probeKubectl],
  ] as const) {
    const named = env[variable];
    if (!named) continue;
    const tool = await probe(named, variable);
    if (typeof tool === "string") return { ok: false, reason: `${variable}=${named}: ${tool}`, notes };
    return { ok: true, tool, notes };
  }
  if (options.searchPath !== false) {
    for (const [name, probe] of [
      ["kustomize", probeKustomize],
      ["kubectl", probeKubectl],
    ] as const) {
      for (const path of onPath(name, env)) {
        const tool = await probe(path, "PATH");
        if (typeof tool !== "string") return { ok: true, tool, notes };
        notes.push(`${path} skipped: ${tool}`);
      }
    }
  }
  return embedded("kubectl", options, notes, async (path) => probeKubectl(path, "embedded"));
}

async function embedded<T>(
  tool: "helm" | "kubectl",
  options: ToolOptions,
  notes: string[],
  probe: (path: string) => Promise<T | string>,
): Promise<Found<T>> {
  if (options.embedded === false) {
    return { ok: false, reason: `no ${tool} found${notes.length ? ` (${notes.join("; ")})` : ""}`, notes };
  }
  const extracted = await embeddedTool(tool, options.cacheDir ?? defaultCacheDir(options.env));
  if (!extracted.ok) return { ok: false, reason: extracted.reason, notes };
  const found = await probe(extracted.path);
  if (typeof found === "string") {
    return {
      ok: false,
      reason: `the embedded ${tool} ${EMBEDDED[tool].version} does not run here: ${found}`,
      notes,
    };
  }
  return { ok: true, tool: found, notes };
}

/** Executable files named `name` in the PATH folders, in order (absolute folders only). */
function onPath(name: string, env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      found.push(candidate);
    } catch {
      // Not there.
    }
  }
  return found;
}

async function versionOutput(
  path: string,
  args: string[],
  sandbox: Sandbox,
  home: string,
): Promise<string | { error: string }> {
  const run = await runBounded(
    {
      file: path,
      args,
      cwd: home,
      env: scrubbedEnvironment(home, DEFAULT_LIMITS.memoryMiB),
      limits: { ...DEFAULT_LIMITS, timeoutMs: 15_000, maxStdoutBytes: 64 * 1024 },
    },
    sandbox,
  );
  if (!run.ok) return { error: `\`${args.join(" ")}\` ${run.reason}` };
  return run.stdout.toString("utf8");
}

/** `v1.32.4-dispatcher` >= `1.27.0`: the numeric part only. */
export function atLeast(version: string, minimum: string): boolean {
  const parse = (v: string) => /(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1, 4).map(Number);
  const have = parse(version);
  const want = parse(minimum);
  if (!have || !want) return false;
  for (let i = 0; i < 3; i++) {
    if (have[i] !== want[i]) return have[i]! > want[i]!;
  }
  return true;
}
