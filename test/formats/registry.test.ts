import { describe, expect, it } from "@jest/globals";
import {
  classifyDocument,
  FORMATS,
  formatOf,
  parseRepoFile,
  referencedFiles,
  releaseValuePaths,
} from "../../src/formats/registry.js";
import { repoView } from "../model/helpers.js";

describe("recognising documents", () => {
  it.each([
    ["helm.toolkit.fluxcd.io/v2", "flux-helmrelease"],
    ["helm.toolkit.fluxcd.io/v2beta1", "flux-helmrelease"],
    ["helm.toolkit.fluxcd.io/v2beta2", "flux-helmrelease"],
  ])("classifies a HelmRelease of %s", (apiVersion, kind) => {
    const text = `apiVersion: ${apiVersion}\nkind: HelmRelease\nmetadata:\n  name: x\n`;
    expect(parseRepoFile("apps/hr.yaml", text, "head").documents[0]!.kind).toBe(kind);
  });

  it.each([
    [
      "k.yaml",
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a}\n",
      "flux-kustomization",
    ],
    [
      "a.yaml",
      "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\n",
      "argocd-application",
    ],
    [
      "a.yaml",
      "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: a}\n",
      "argocd-applicationset",
    ],
    ["apps/kustomization.yaml", "resources:\n  - a.yaml\n", "kustomization"],
    ["helmfile.yaml", "releases:\n  - name: a\n    chart: b/c\n", "helmfile"],
    ["helmfile.d/10-apps.yaml", "releases:\n  - name: a\n    chart: b/c\n", "helmfile"],
    ["charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n", "helm-chart"],
    ["charts/web/values.yaml", "replicas: 1\n", "helm-values"],
    ["env/values-prod.yml", "replicas: 1\n", "helm-values"],
    ["misc/settings.yaml", "replicas: 1\n", "unknown"],
    ["a.yaml", "---\n", "empty"],
  ])("classifies %s", (file, text, kind) => {
    expect(parseRepoFile(file, text, "head").documents.map((doc) => doc.kind)).toEqual([kind]);
  });

  it("recognises by content before the file name: a manifest in values.yaml is a manifest", () => {
    const manifest = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } };
    expect(classifyDocument("deploy/values.yaml", manifest)).toBe("kubernetes-object");
    expect(classifyDocument("deploy/values.yaml", ["a", "list"])).toBe("helm-values");
    expect(
      classifyDocument("kustomization.yaml", {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "x" },
      }),
    ).toBe("flux-kustomization");
  });

  it("gives every kind to one module only", () => {
    const kinds = FORMATS.flatMap((format) => format.kinds);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(FORMATS.map((format) => format.id)).toEqual([
      "flux",
      "argocd",
      "kustomize",
      "helm-chart",
      "manifests",
      "helmfile",
    ]);
  });
});

describe("what a document reads", () => {
  const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop, namespace: argocd}
spec:
  destination: {namespace: shop}
  sources:
    - repoURL: https://git.example.org/platform/deploy.git
      path: charts/shop
      helm:
        valueFiles: [values-prod.yaml, $values/overrides/shop.yaml]
        values: "replicas: 2"
`;

  it("lists the values files and chart defaults of an Application's Helm sources", () => {
    const view = repoView(
      { "deploy/shop.yaml": app },
      { "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n" },
    );
    const [document] = view.changed[0]!.documents;

    expect(formatOf(document!)?.id).toBe("argocd");
    expect(referencedFiles(view, document!)).toEqual([
      "charts/shop/values-prod.yaml",
      "charts/shop/values.yaml",
      "overrides/shop.yaml",
    ]);
    expect(releaseValuePaths(document!).map((path) => path.join("."))).toContain(
      "spec.sources.0.helm.values",
    );
  });

  it("lists a helmfile release's values files, relative to the helmfile", () => {
    const helmfile =
      "releases:\n  - name: api\n    chart: ../charts/api\n    values: [env/prod.yaml, {replicas: 3}]\n";
    const view = repoView(
      { "ops/helmfile.d/20-api.yaml": helmfile },
      { "ops/charts/api/Chart.yaml": "name: api\n" },
    );

    expect(referencedFiles(view, view.changed[0]!.documents[0]!)).toEqual([
      "ops/charts/api/values.yaml",
      "ops/helmfile.d/env/prod.yaml",
    ]);
  });

  it("reads nothing for a plain manifest", () => {
    const view = repoView({ "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" });
    expect(referencedFiles(view, view.changed[0]!.documents[0]!)).toEqual([]);
    expect(
      parseRepoFile("k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "base")
        .documents[0]!.kind,
    ).toBe("kubernetes-object");
  });
});
