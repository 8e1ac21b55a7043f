/**
 * The build section of `npm run bench`: a 20-release chart-bump pull request rendered through
 * src/build, against the bare `helm template` calls it needs run the same way (in parallel, as
 * many at once as there are cores), and a second run's cache hit rate.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  BUILT_IN_API_VERSIONS,
  createBuilder,
  DEFAULT_KUBE_VERSION,
  type HelmReleaseInput,
} from "../src/build/index.js";
import { defaultConcurrency, Limiter } from "../src/build/subprocess.js";

interface Release {
  name: string;
  chart: string;
  version: string;
  values: Record<string, unknown>;
  skipSchemaValidation?: boolean;
}

const appValues = (image: string) => ({
  controllers: {
    main: { containers: { main: { image: { repository: `ghcr.io/example/${image}`, tag: "1.2.3" } } } },
  },
  service: { main: { controller: "main", ports: { http: { port: 8080 } } } },
  persistence: {
    data: {
      type: "persistentVolumeClaim",
      accessMode: "ReadWriteOnce",
      size: "1Gi",
      globalMounts: [{ path: "/data" }],
    },
  },
});

/** Twenty releases of the corpus charts, the head side of a PR that bumps them. */
const RELEASES: Release[] = [
  {
    name: "traefik",
    chart: "traefik",
    version: "10.24.0",
    values: { ingressClass: { enabled: true }, persistence: { enabled: true } },
  },
  {
    name: "traefik-internal",
    chart: "traefik",
    version: "41.3.0",
    values: { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } },
  },
  {
    name: "ingress-nginx",
    chart: "ingress-nginx",
    version: "4.15.1",
    values: { controller: { replicaCount: 2 } },
  },
  {
    name: "ingress-nginx-internal",
    chart: "ingress-nginx",
    version: "4.12.0",
    values: { controller: { service: { type: "ClusterIP" } } },
  },
  {
    name: "cert-manager",
    chart: "cert-manager",
    version: "v1.21.1",
    values: { crds: { enabled: true, keep: true } },
  },
  { name: "metallb", chart: "metallb", version: "0.13.10", values: {} },
  { name: "podinfo", chart: "podinfo", version: "6.14.1", values: { replicaCount: 2 } },
  {
    name: "podinfo-canary",
    chart: "podinfo",
    version: "6.14.1",
    values: { replicaCount: 1, ui: { message: "canary" } },
  },
  ...[
    "radarr",
    "sonarr",
    "prowlarr",
    "bazarr",
    "jellyfin",
    "overseerr",
    "tautulli",
    "qbittorrent",
    "sabnzbd",
    "lidarr",
    "readarr",
    "grafana",
  ].map((name, i): Release => ({
    name,
    chart: "app-template",
    version: i % 2 === 0 ? "3.5.1" : "4.1.1",
    values: appValues(name),
    skipSchemaValidation: i % 2 === 0,
  })),
];

export interface BuildBenchResult {
  releases: number;
  bareMs: number;
  buildMs: number;
  ratio: number;
  secondRunMs: number;
  secondRunHitRate: number;
  failures: string[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchBuild(repo: string, rounds = 3): Promise<BuildBenchResult> {
  const inputs: HelmReleaseInput[] = RELEASES.map((r) => ({
    chart: { type: "local-repository", dir: repo, chart: r.chart, version: r.version },
    releaseName: r.name,
    namespace: r.name,
    values: r.values,
    ...(r.skipSchemaValidation ? { skipSchemaValidation: true } : {}),
  }));

  // The tools are found (and the embedded ones extracted) once, outside the timings.
  const warm = createBuilder({ tools: { searchPath: false } });
  const status = await warm.toolStatus();
  await warm.close();
  if (!status.helm.ok) throw new Error(status.helm.reason);
  const helm = status.helm.tool.path;

  const scratch = mkdtempSync(join(tmpdir(), "gitops-bench-build-"));
  const bareArgs = RELEASES.map((r, i) => {
    const valuesFile = join(scratch, `values-${i}.json`);
    writeFileSync(valuesFile, JSON.stringify(r.values));
    const args = ["template", r.name, join(repo, `${r.chart}-${r.version}.tgz`), "--namespace", r.name];
    args.push(
      "--kube-version",
      DEFAULT_KUBE_VERSION,
      "--api-versions",
      [...BUILT_IN_API_VERSIONS].sort().join(","),
    );
    args.push("--values", valuesFile, "--include-crds");
    if (r.skipSchemaValidation) args.push("--skip-schema-validation");
    return args;
  });
  const env = {
    HOME: scratch,
    HELM_CACHE_HOME: join(scratch, "c"),
    HELM_CONFIG_HOME: join(scratch, "g"),
    HELM_DATA_HOME: join(scratch, "d"),
  };
  const bare = async () => {
    const limiter = new Limiter(defaultConcurrency());
    const started = performance.now();
    await Promise.all(
      bareArgs.map((args) =>
        limiter.run(
          () =>
            new Promise<void>((resolve, reject) =>
              execFile(helm, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err) =>
                err ? reject(err) : resolve(),
              ),
            ),
        ),
      ),
    );
    return performance.now() - started;
  };

  const bareTimes: number[] = [];
  const buildTimes: number[] = [];
  const failures: string[] = [];
  let secondRunMs = 0;
  let secondRunHitRate = 0;
  for (let round = 0; round < rounds; round++) {
    bareTimes.push(await bare());
    const builder = createBuilder({ tools: { searchPath: false } });
    await builder.toolStatus();
    const started = performance.now();
    const results = await Promise.all(inputs.map((input) => builder.renderHelmRelease(input)));
    buildTimes.push(performance.now() - started);
    for (const [i, r] of results.entries())
      if (!r.ok && round === 0) failures.push(`${RELEASES[i]!.name}: ${r.reason}`);
    if (round === rounds - 1) {
      const before = builder.stats().cache;
      const again = performance.now();
      await Promise.all(inputs.map((input) => builder.renderHelmRelease(input)));
      secondRunMs = performance.now() - again;
      const after = builder.stats().cache;
      secondRunHitRate = (after.hits - before.hits) / inputs.length;
    }
    await builder.close();
  }
  rmSync(scratch, { recursive: true, force: true });
  const bareMs = median(bareTimes);
  const buildMs = median(buildTimes);
  return {
    releases: inputs.length,
    bareMs,
    buildMs,
    ratio: buildMs / bareMs,
    secondRunMs,
    secondRunHitRate,
    failures,
  };
}
