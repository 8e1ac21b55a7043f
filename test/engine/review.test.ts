import { rules as catalogue } from "../../rules/index.js";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { reviewChangeSet } from "../../src/engine/review.js";
import type { ReviewResult } from "../../src/engine/types.js";
import { changeSetFromFolders } from "../../src/source/folders.js";
import { changeSetOf, contextOf, TRAEFIK_KUSTOMIZATION } from "./review-helpers.js";
import { nestedBlock, strayListItem, YAML_BOMB } from "../fixtures/hostile-yaml.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/engine");

/** `id: path op before -> after` lines for every change, compact enough to compare whole. */
function changeLines(result: ReviewResult): string[] {
  return result.diffs.flatMap(({ pair, changes }) =>
    changes.map(
      (change) =>
        `${pair.id}: ${change.path} ${change.op} ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)}`,
    ),
  );
}

const DEPLOYMENT = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const HELM_RELEASE = (name: string, values: string, extra = "") => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: flux-system
spec:
${extra}  interval: 10m
  chart:
    spec:
      chart: traefik
      version: 30.0.0
      sourceRef:
        kind: HelmRepository
        name: traefik
  values:
${values}`;

describe("reviewChangeSet: edits that change nothing", () => {
  async function reviewNoop(): Promise<ReviewResult> {
    const { changeSet, contextReader } = await changeSetFromFolders(
      join(FIXTURES, "__fixtures__/noop-edits/base"),
      join(FIXTURES, "__fixtures__/noop-edits/head"),
    );
    return reviewChangeSet(changeSet, { contextReader, rules: catalogue });
  }

  it("gives zero changes for formatting, comments, key order and merge-key list order", async () => {
    // Arrange: test/fixtures/engine/__fixtures__/noop-edits re-indents, re-quotes, re-orders keys, reorders
    // containers/env/ports/volumes/volumeMounts/Service ports, reformats a values file read through
    // a configMapGenerator, an Argo CD values string and a helmfile, and adds comments.

    // Act
    const result = await reviewNoop();

    // Assert: every subject is there, and none of them changed.
    expect(result.pairs.map((pair) => pair.id).sort()).toEqual([
      "apps/Deployment/apps/web",
      "argoproj.io/Application/argocd/grafana",
      "core/Service/apps/web",
      "helm.toolkit.fluxcd.io/HelmRelease/flux-system/traefik",
      "release/cert-manager/cert-manager",
      "release/ingress/ingress-traefik",
      "release/monitoring/grafana",
    ]);
    expect(changeLines(result)).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.findings).toEqual([]);
    // The values file really was read, through the generated ConfigMap.
    const traefik = result.pairs.find((pair) => pair.id === "release/ingress/ingress-traefik")!;
    expect(traefik.head?.type === "release" && traefik.head.valueSources).toEqual([
      { kind: "file", file: "apps/traefik/values.yaml" },
      { kind: "inline", file: "apps/traefik/helmrelease.yaml" },
    ]);
  });

  // Known engine bug: a pair's status comes from isDeepStrictEqual on the raw documents
  // (model/pairing.ts pairOf), so reordered merge-key lists and a reformatted Argo CD values string
  // leave pairs "modified" with zero changes. Marked `failing` until review.ts derives the status
  // from the semantic diff (modified with no changes -> unchanged).
  it("marks those pairs unchanged, not modified", async () => {
    const result = await reviewNoop();

    expect(result.pairs.filter((pair) => pair.status !== "unchanged").map((pair) => pair.id)).toEqual([]);
  });
});

describe("reviewChangeSet: files it cannot read", () => {
  it("records a clear problem for each and still reviews every other file", async () => {
    // Arrange
    const changeSet = changeSetOf({
      "apps/broken.yaml": ["a: 1\n", "a: 1\nb: c: d\n"],
      "apps/bomb.yaml": [null, YAML_BOMB],
      "apps/deep.yaml": [null, nestedBlock(80)],
      "apps/huge.yaml": [null, `# ${"x".repeat(1024 * 1024)}\n`],
      "apps/stray.yaml": [null, strayListItem(6000)],
      "charts/web/templates/deployment.yaml": [null, "metadata:\n  name: {{ .Release.Name }}\n"],
      "apps/web.yaml": [DEPLOYMENT(2), DEPLOYMENT(3)],
      "apps/traefik.yaml": [
        HELM_RELEASE("traefik", "    replicas: 1\n"),
        HELM_RELEASE("traefik", "    replicas: 2\n"),
      ],
    });

    // Act
    const result = await reviewChangeSet(changeSet, { rules: catalogue });

    // Assert
    expect(result.problems.map(({ code, file, side, line }) => [code, file, side, line])).toEqual([
      ["yaml-syntax", "apps/broken.yaml", "head", 2],
      ["alias-limit", "apps/bomb.yaml", "head", 1],
      ["depth-limit", "apps/deep.yaml", "head", 1],
      ["file-too-large", "apps/huge.yaml", "head", null],
      ["yaml-syntax", "apps/stray.yaml", "head", null],
      ["helm-template", "charts/web/templates/deployment.yaml", "head", null],
    ]);
    for (const problem of result.problems) expect(problem.message).toMatch(/^[^\n]+$/);
    expect(result.problems[1]!.message).toContain("YAML bomb");
    expect(result.problems[2]!.message).toContain("deeper than 64 levels");
    expect(result.problems[3]!.message).toContain("over the 1048576-byte limit");
    expect(
      result.findings.map((finding) => [
        finding.ruleId,
        finding.messageId,
        finding.location.path,
        finding.location.line,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["parse-problem", "yaml-syntax", "apps/broken.yaml", 2],
        ["parse-problem", "alias-limit", "apps/bomb.yaml", 1],
        ["parse-problem", "depth-limit", "apps/deep.yaml", 1],
        ["parse-problem", "file-too-large", "apps/huge.yaml", null],
        ["parse-problem", "helm-template", "charts/web/templates/deployment.yaml", null],
      ]),
    );
    expect(changeLines(result)).toEqual([
      "apps/Deployment/apps/web: spec.replicas changed 2 -> 3",
      "release/flux-system/traefik: replicas changed 1 -> 2",
    ]);
  });

  it("reports a file the source could not load (binary, too large) as not loaded", async () => {
    const changeSet = changeSetOf({ "apps/web.yaml": [DEPLOYMENT(1), DEPLOYMENT(2)] });
    changeSet.files.push({
      path: "apps/blob.yaml",
      status: "modified",
      base: null,
      head: null,
      skipped: "binary file",
    });

    const result = await reviewChangeSet(changeSet, { rules: catalogue });

    expect(result.problems.map(({ code, file, side, message }) => [code, file, side, message])).toEqual([
      ["not-loaded", "apps/blob.yaml", "base", "Not reviewed: binary file."],
      ["not-loaded", "apps/blob.yaml", "head", "Not reviewed: binary file."],
    ]);
    expect(changeLines(result)).toEqual(["apps/Deployment/apps/web: spec.replicas changed 1 -> 2"]);
  });
});

describe("reviewChangeSet: names from the pull request that are not what they seem", () => {
  it("runs every rule when a kind or chart name shadows an Object.prototype member", async () => {
    const odd = (value: number) => `apiVersion: v1
kind: constructor
metadata: {name: x, namespace: apps}
spec: {a: ${value}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: odd, namespace: apps}
spec:
  chart: {spec: {chart: toString, version: "1.0.0", sourceRef: {kind: HelmRepository, name: r}}}
  values: {a: ${value}}
`;
    const result = await reviewChangeSet(changeSetOf({ "apps/odd.yaml": [odd(1), odd(2)] }), {
      rules: catalogue,
    });

    expect(result.findings.filter((finding) => finding.ruleId === "internal-error")).toEqual([]);
    expect(changeLines(result)).toEqual([
      "core/constructor/apps/x: spec.a changed 1 -> 2",
      "release/apps/odd: a changed 1 -> 2",
    ]);
  });

  it("reads Argo CD parameters whose names are not valid --set paths as plain keys", async () => {
    const app = (value: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  destination: {namespace: web}
  source:
    chart: web
    repoURL: https://charts.example.com
    targetRevision: 1.0.0
    helm:
      parameters:
        - {name: "a[1", value: "${value}"}
        - {name: "b[99999999].c", value: "${value}"}
`;
    const result = await reviewChangeSet(changeSetOf({ "apps/web.yaml": [app("x"), app("y")] }), {
      rules: catalogue,
    });

    expect(changeLines(result)).toEqual([
      'release/web/web: ["a[1"] changed "x" -> "y"',
      'release/web/web: ["b[99999999]"].c changed "x" -> "y"',
    ]);
  });
});

describe("reviewChangeSet: replacements", () => {
  it("pairs a renamed HelmRelease (file and name) as replaced object and release", async () => {
    const changeSet = changeSetOf({});
    changeSet.files.push({
      path: "apps/traefik-v2.yaml",
      previousPath: "apps/traefik.yaml",
      status: "renamed",
      base: HELM_RELEASE("traefik", "    replicas: 1\n"),
      head: HELM_RELEASE("traefik-v2", "    replicas: 1\n"),
    });

    const result = await reviewChangeSet(changeSet, { rules: catalogue });

    expect(result.pairs.map((pair) => [pair.id, pair.status])).toEqual([
      [
        "helm.toolkit.fluxcd.io/HelmRelease/flux-system/traefik -> helm.toolkit.fluxcd.io/HelmRelease/flux-system/traefik-v2",
        "replaced",
      ],
      ["release/flux-system/traefik -> release/flux-system/traefik-v2", "replaced"],
    ]);
  });

  it.each([
    [
      "a changed releaseName",
      "",
      "  releaseName: edge\n",
      "release/flux-system/traefik -> release/flux-system/edge",
    ],
    [
      "a changed targetNamespace",
      "  targetNamespace: ingress\n",
      "  targetNamespace: edge\n",
      "release/ingress/ingress-traefik -> release/edge/edge-traefik",
    ],
  ])("replaces the release on %s", async (_, before, after, id) => {
    const changeSet = changeSetOf({
      "apps/traefik.yaml": [
        HELM_RELEASE("traefik", "    replicas: 1\n", before),
        HELM_RELEASE("traefik", "    replicas: 1\n", after),
      ],
    });

    const result = await reviewChangeSet(changeSet, { rules: catalogue });

    expect(result.pairs.filter((pair) => pair.status === "replaced").map((pair) => pair.id)).toEqual([id]);
  });

  it("replaces a release whose chart name changed", async () => {
    const changeSet = changeSetOf({
      "apps/ingress.yaml": [
        HELM_RELEASE("ingress", "    replicas: 1\n"),
        HELM_RELEASE("ingress", "    replicas: 1\n").replace("chart: traefik", "chart: envoy-gateway"),
      ],
    });

    const result = await reviewChangeSet(changeSet, { rules: catalogue });

    expect(result.pairs.map((pair) => [pair.id, pair.status])).toEqual([
      ["helm.toolkit.fluxcd.io/HelmRelease/flux-system/ingress", "modified"],
      ["release/flux-system/ingress", "replaced"],
    ]);
  });
});

describe("reviewChangeSet: effective values across files", () => {
  const helmRelease = (replicas: number) =>
    HELM_RELEASE(
      "traefik",
      `    deployment:\n      replicas: ${replicas}\n`,
      "  valuesFrom:\n    - kind: ConfigMap\n      name: traefik-values\n",
    );

  it("fetches the values file behind a changed HelmRelease and locates each change in its file", async () => {
    // Arrange: the HelmRelease and its values file change; the kustomization.yaml that ties
    // them together is unchanged and only reachable through the context reader.
    const changeSet = changeSetOf({
      "infra/traefik/helmrelease.yaml": [helmRelease(1), helmRelease(2)],
      "infra/traefik/values-traefik.yaml": [
        "service:\n  type: LoadBalancer\nports:\n  web:\n    port: 80\n",
        "service:\n  type: ClusterIP\nports:\n  web:\n    port: 80\n",
      ],
    });
    const context = contextOf({ "infra/traefik/kustomization.yaml": TRAEFIK_KUSTOMIZATION });

    // Act
    const result = await reviewChangeSet(changeSet, { contextReader: context, rules: catalogue });

    // Assert
    expect(context.asked.flat()).toContain("infra/traefik/kustomization.yaml");
    const release = result.diffs.find((diff) => diff.pair.id === "release/flux-system/traefik")!;
    expect(
      release.changes.map(({ path, op, before, after, head }) => ({ path, op, before, after, head })),
    ).toEqual([
      {
        path: "service.type",
        op: "changed",
        before: "LoadBalancer",
        after: "ClusterIP",
        head: { file: "infra/traefik/values-traefik.yaml", line: 2 },
      },
      {
        path: "deployment.replicas",
        op: "changed",
        before: 1,
        after: 2,
        head: { file: "infra/traefik/helmrelease.yaml", line: 20 },
      },
    ]);
    // The values file is read by the release, so it is not reviewed again as a chart's values.
    expect(result.pairs.map((pair) => pair.id)).toEqual([
      "helm.toolkit.fluxcd.io/HelmRelease/flux-system/traefik",
      "release/flux-system/traefik",
    ]);
  });
});
