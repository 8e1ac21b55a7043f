import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { parse } from "yaml";
import type { Builder, RenderedObject } from "../../src/build/index.js";
import { DEFAULT_LIMITS, probeSandbox, runBounded, scrubbedEnvironment } from "../../src/build/subprocess.js";
import { folderSnapshot } from "../../src/build/index.js";
import {
  corpusDir,
  corpusRepo,
  describeWithCorpus,
  loopbackPolicy,
  removeTree,
  serveCorpusRepo,
  testBuilder,
  writeTree,
  type TestServer,
} from "./helpers.js";

const repo = corpusRepo() ?? "";

function find(objects: RenderedObject[], kind: string, name?: string): RenderedObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.name === name));
}

function incidentValues(): Record<string, unknown> {
  const file = join(
    corpusDir(),
    "cases",
    "traefik-acme-volume-incident",
    "after",
    "infrastructure",
    "controllers",
    "traefik",
    "helmrelease.yaml",
  );
  return (parse(readFileSync(file, "utf8")) as { spec: { values: Record<string, unknown> } }).spec.values;
}

describeWithCorpus("Helm releases from the corpus charts", () => {
  let builder: Builder;
  let server: TestServer;
  beforeAll(async () => {
    server = await serveCorpusRepo(repo);
    builder = testBuilder({ fetch: loopbackPolicy(server.url) });
  });
  afterAll(async () => {
    await builder.close();
    await server.close();
  });

  it("renders the incident: traefik 10.24.0's Deployment mounts two volumes at /data", async () => {
    const result = await builder.renderHelmRelease({
      chart: { type: "helm-repository", url: server.url, chart: "traefik", version: "10.24.0" },
      releaseName: "traefik",
      namespace: "traefik",
      values: incidentValues(),
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.chart).toMatchObject({ name: "traefik", version: "10.24.0" });
    const deployment = find(result.objects, "Deployment", "traefik")!;
    expect(deployment.source).toBe("traefik/templates/deployment.yaml");
    const spec = deployment.object.spec as {
      template: {
        spec: { containers: { name: string; volumeMounts: { name: string; mountPath: string }[] }[] };
      };
    };
    const mounts = spec.template.spec.containers
      .find((c) => c.name === "traefik")!
      .volumeMounts.filter((m) => m.mountPath === "/data");
    expect(mounts.map((m) => m.name)).toEqual(["data", "traefik-dynamic-config"]);
    // --include-crds: the chart's crds/ folder, with its own source.
    expect(
      find(result.objects, "CustomResourceDefinition", "ingressroutes.traefik.containo.us")?.source,
    ).toBe("traefik/crds/ingressroute.yaml");
    // The LoadBalancer Service the chart writes inside a List comes out as an object of its own.
    expect(find(result.objects, "Service", "traefik")?.object).toMatchObject({
      spec: { type: "LoadBalancer", loadBalancerIP: "203.0.113.10" },
    });
  });

  it("passes kind-level API versions: traefik 10.x renders its IngressClass, traefik 41 a policy/v1 PDB", async () => {
    const traefik10 = await builder.renderHelmRelease({
      chart: { type: "local-repository", dir: repo, chart: "traefik", version: "10.9.1" },
      releaseName: "edge",
      namespace: "edge",
      values: { ingressClass: { enabled: true } },
    });
    expect(traefik10.ok && find(traefik10.objects, "IngressClass")?.apiVersion).toBe("networking.k8s.io/v1");

    const traefik41 = await builder.renderHelmRelease({
      chart: { type: "local-repository", dir: repo, chart: "traefik", version: "41.3.0" },
      releaseName: "edge",
      namespace: "edge",
      values: { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } },
    });
    expect(traefik41.ok && find(traefik41.objects, "PodDisruptionBudget")?.apiVersion).toBe("policy/v1");
  });

  it("needs them: bare helm template refuses traefik 10.x's IngressClass and writes traefik 41's PDB as policy/v1beta1", async () => {
    const status = await builder.toolStatus();
    if (!status.helm.ok) throw new Error(status.helm.reason);
    const home = await writeTree({ "tmp/.keep": "" });
    try {
      const bare = (chart: string, set: string) =>
        probeSandbox().then((sandbox) =>
          runBounded(
            {
              file: status.helm.ok ? status.helm.tool.path : "",
              args: ["template", "edge", join(repo, chart), "--kube-version", "1.35.0", "--set", set],
              cwd: home,
              env: scrubbedEnvironment(home, 1024),
              limits: DEFAULT_LIMITS,
            },
            sandbox,
          ),
        );
      const traefik10 = await bare("traefik-10.9.1.tgz", "ingressClass.enabled=true");
      expect(traefik10).toMatchObject({
        ok: false,
        stderr: expect.stringContaining(
          "You must have at least networking.k8s.io/v1beta1 to use ingressClass",
        ),
      });
      const traefik41 = await bare(
        "traefik-41.3.0.tgz",
        "podDisruptionBudget.enabled=true,podDisruptionBudget.maxUnavailable=1",
      );
      expect(traefik41.ok && traefik41.stdout.toString()).toMatch(
        /apiVersion: policy\/v1beta1\nkind: PodDisruptionBudget/,
      );
    } finally {
      await removeTree(home);
    }
  });

  it("resolves a version range as Flux does and caches a second render", async () => {
    const input = {
      chart: { type: "helm-repository" as const, url: server.url, chart: "cert-manager", version: "1.x" },
      releaseName: "cert-manager",
      namespace: "cert-manager",
      values: { crds: { enabled: true, keep: false } },
    };
    const first = await builder.renderHelmRelease(input);
    if (!first.ok) throw new Error(first.reason);
    expect(first.chart).toMatchObject({ version: "v1.21.1", origin: server.url });
    expect(first.cached).toBe(false);
    const runs = builder.stats().runs;
    const second = await builder.renderHelmRelease({
      ...input,
      values: { crds: { keep: false, enabled: true } },
    });
    expect(second).toMatchObject({ ok: true, cached: true });
    expect(builder.stats().runs).toBe(runs);
  });

  it("refuses a repository that is not on the allowlist, without a request", async () => {
    const before = server.requests.length;
    const result = await builder.renderHelmRelease({
      chart: { type: "helm-repository", url: server.url.replace("127.0.0.1", "localhost"), chart: "podinfo" },
      releaseName: "podinfo",
      namespace: "apps",
    });
    expect(result).toMatchObject({ ok: false, kind: "refused" });
    expect(server.requests.length).toBe(before);
  });

  it("refuses a HelmRepository at the cloud metadata address even when it is allowed", async () => {
    const metadata = testBuilder({ fetch: { allowedRepositories: ["http://169.254.169.254/"] } });
    try {
      const result = await metadata.renderHelmRelease({
        chart: { type: "helm-repository", url: "http://169.254.169.254/latest/", chart: "anything" },
        releaseName: "x",
        namespace: "default",
      });
      expect(result).toEqual({
        ok: false,
        kind: "refused",
        reason:
          "http://169.254.169.254/latest/index.yaml not fetched: 169.254.169.254 is a link-local address (cloud metadata lives there) and is not in the allowed addresses",
      });
    } finally {
      await metadata.close();
    }
  });

  it("renders an umbrella chart in the repository: vendored, file:// and fetched dependencies", async () => {
    const root = await writeTree({
      "platform/edge/Chart.yaml": [
        "apiVersion: v2",
        "name: edge",
        "version: 1.0.0",
        "dependencies:",
        "  - name: traefik",
        "    version: ~10.24.0",
        `    repository: ${server.url}`,
        "  - name: shared",
        "    version: 0.1.0",
        "    repository: file://../../lib/shared",
        "  - name: extras",
        "    version: 0.1.0",
      ].join("\n"),
      "platform/edge/values.yaml": "traefik:\n  service:\n    type: ClusterIP\nshared:\n  greeting: hello\n",
      "platform/edge/charts/extras/Chart.yaml": "apiVersion: v2\nname: extras\nversion: 0.1.0\n",
      "platform/edge/charts/extras/templates/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extras\n",
      "lib/shared/Chart.yaml": "apiVersion: v2\nname: shared\nversion: 0.1.0\n",
      "lib/shared/templates/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  greeting: {{ .Values.greeting }}\n",
    });
    try {
      const result = await builder.renderHelmRelease({
        chart: { type: "repo-path", snapshot: folderSnapshot(root), path: "platform/edge" },
        releaseName: "edge",
        namespace: "edge",
      });
      if (!result.ok) throw new Error(result.reason);
      expect(find(result.objects, "ConfigMap", "shared")).toMatchObject({
        source: "edge/charts/shared/templates/cm.yaml",
        object: { data: { greeting: "hello" } },
      });
      expect(find(result.objects, "ConfigMap", "extras")?.source).toBe(
        "edge/charts/extras/templates/cm.yaml",
      );
      expect(find(result.objects, "Service", "edge-traefik")?.object).toMatchObject({
        spec: { type: "ClusterIP" },
      });
    } finally {
      await removeTree(root);
    }
  });
});

describe("Helm releases that must not render", () => {
  let builder: Builder;
  let root: string;
  beforeAll(async () => {
    builder = testBuilder({ limits: { timeoutMs: 20_000 } });
    root = await writeTree({
      "charts/loop/Chart.yaml": "apiVersion: v2\nname: loop\nversion: 0.1.0\n",
      "charts/loop/templates/cm.yaml":
        "{{- range $i := until 100000000 }}{{- end }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
      "charts/huge/Chart.yaml": "apiVersion: v2\nname: huge\nversion: 0.1.0\n",
      "charts/huge/templates/cm.yaml":
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: {{ repeat 100000000 "x" | quote }}\n',
      "charts/wide/Chart.yaml": "apiVersion: v2\nname: wide\nversion: 0.1.0\n",
      "charts/wide/templates/cm.yaml":
        '{{- range $i := until 2000 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "c{{ $i }}"\ndata:\n  v: {{ repeat 1000 "x" | quote }}\n{{- end }}\n',
      "charts/escape/Chart.yaml":
        "apiVersion: v2\nname: escape\nversion: 0.1.0\ndependencies:\n  - name: secrets\n    version: 0.1.0\n    repository: file://../../../outside\n",
      "charts/broken/Chart.yaml": "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
      "charts/broken/templates/cm.yaml": "{{ .Values.missing.key }}\n",
    });
  });
  afterAll(async () => {
    await builder.close();
    await removeTree(root);
  });
  const render = (chart: string, extra = {}) =>
    builder.renderHelmRelease({
      chart: { type: "repo-path", snapshot: folderSnapshot(root), path: `charts/${chart}` },
      releaseName: "t",
      namespace: "t",
      ...extra,
    });

  it("stops a template that loops (until 100000000) at the timeout or the memory bound", async () => {
    const timed = testBuilder({ limits: { timeoutMs: 2000, memoryMiB: 2048 } });
    try {
      const result = await timed.renderHelmRelease({
        chart: { type: "repo-path", snapshot: folderSnapshot(root), path: "charts/loop" },
        releaseName: "t",
        namespace: "t",
      });
      expect(result).toEqual({
        ok: false,
        kind: "timeout",
        reason: "helm template of loop 0.1.0 did not finish within 2000 ms and was killed",
      });
    } finally {
      await timed.close();
    }
  });

  it("stops a chart that renders 100 MB at the memory bound, and a wide one at the output bound", async () => {
    const small = testBuilder({ limits: { memoryMiB: 256, maxStdoutBytes: 1024 * 1024 } });
    try {
      const huge = await small.renderHelmRelease({
        chart: { type: "repo-path", snapshot: folderSnapshot(root), path: "charts/huge" },
        releaseName: "t",
        namespace: "t",
      });
      expect(huge).toEqual({
        ok: false,
        kind: "memory-limit",
        reason: "helm template of huge 0.1.0 ran out of its 256 MiB memory budget and was stopped",
      });
      const wide = await small.renderHelmRelease({
        chart: { type: "repo-path", snapshot: folderSnapshot(root), path: "charts/wide" },
        releaseName: "t",
        namespace: "t",
      });
      expect(wide).toEqual({
        ok: false,
        kind: "output-limit",
        reason: "helm template of wide 0.1.0 wrote more than 1048576 bytes and was killed",
      });
    } finally {
      await small.close();
    }
  });

  it("refuses a file:// dependency outside the repository", async () => {
    expect(await render("escape")).toEqual({
      ok: false,
      kind: "refused",
      reason:
        "dependency secrets of escape: file://../../../outside is outside the repository; only charts inside it are read",
    });
  });

  it("says what the template error is, without our scratch paths", async () => {
    const result = await render("broken");
    expect(result).toMatchObject({ ok: false, kind: "render-failed" });
    expect(!result.ok && result.reason).toMatch(
      /^helm template of broken 0\.1\.0 failed: .*nil pointer evaluating interface \{\}\.key/s,
    );
    expect(!result.ok && result.reason).not.toContain("gitops-review-build-");
  });

  it("rejects a release name or API version Helm would reject, before running anything", async () => {
    const runs = builder.stats().runs;
    expect(await render("broken", { releaseName: "--set=x" })).toMatchObject({
      ok: false,
      kind: "invalid-input",
    });
    expect(await render("broken", { apiVersions: ["policy/v1/PodDisruptionBudget,evil"] })).toMatchObject({
      ok: false,
      kind: "invalid-input",
    });
    expect(builder.stats().runs).toBe(runs);
  });
});
