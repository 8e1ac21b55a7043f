/** Each format module on its own: what it recognises and what it declares. */
import { describe, expect, it } from "@jest/globals";
import { argocd } from "../../src/formats/argocd.js";
import { flux } from "../../src/formats/flux.js";
import { helmChart, isValuesFilePath } from "../../src/formats/helm-chart.js";
import { helmfile } from "../../src/formats/helmfile.js";
import { kustomize, kustomizeNamespace } from "../../src/formats/kustomize.js";
import { manifestObject, manifests } from "../../src/formats/manifests.js";
import { repoView } from "../model/helpers.js";

const doc = (path: string, text: string, context: Record<string, string> = {}) => {
  const view = repoView({ [path]: text }, context);
  return { view, document: view.changed[0]!.documents[0]! };
};

describe("flux", () => {
  it("recognises HelmRelease and Kustomization of the toolkit groups only", () => {
    expect(flux.detect("x.yaml", { apiVersion: "helm.toolkit.fluxcd.io/v2beta2", kind: "HelmRelease" })).toBe(
      "flux-helmrelease",
    );
    expect(
      flux.detect("x.yaml", { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" }),
    ).toBe("flux-kustomization");
    expect(flux.detect("x.yaml", { apiVersion: "example.com/v1", kind: "HelmRelease" })).toBeNull();
  });

  it("declares the release with targetNamespace in its name, and keeps spec.values for it", () => {
    const { view, document } = doc(
      "infra/cache.yaml",
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cache, namespace: flux-system}\nspec:\n  targetNamespace: data\n  chart: {spec: {chart: redis, version: 19.0.0, sourceRef: {kind: HelmRepository, name: bitnami}}}\n  values: {replica: {replicaCount: 2}}\n",
    );
    const [draft] = flux.releases!(view, document, null);
    expect([draft!.namespace, draft!.releaseName, draft!.chart.name, draft!.chart.source]).toEqual([
      "data",
      "data-cache",
      "redis",
      "HelmRepository/bitnami",
    ]);
    expect(flux.releaseValuePaths!(document)).toEqual([["spec", "values"]]);
  });
});

describe("argocd", () => {
  it("declares one release per Helm source and none for a plain directory source", () => {
    const { view, document } = doc(
      "apps/web.yaml",
      "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  destination: {namespace: web}\n  sources:\n    - {repoURL: https://charts.example.com, chart: web, targetRevision: 2.1.0, helm: {releaseName: site}}\n    - {repoURL: https://git.example.com/cfg.git, path: manifests/web}\n",
    );
    expect(argocd.detect("apps/web.yaml", document.value as Record<string, unknown>)).toBe(
      "argocd-application",
    );
    expect(
      argocd.releases!(view, document, null).map((d) => [d.releaseName, d.chart.name, d.chart.version]),
    ).toEqual([["site", "web", "2.1.0"]]);
  });
});

describe("helmfile", () => {
  it("is recognised by a helmfile path and releases, not by releases alone", () => {
    expect(helmfile.detect("deploy/helmfile-prod.yaml", { releases: [] })).toBe("helmfile");
    expect(helmfile.detect("deploy/helmfile.d/00-base.yml", { helmfiles: [] })).toBe("helmfile");
    expect(helmfile.detect("deploy/releases.yaml", { releases: [] })).toBeNull();
  });

  it("leaves .gotmpl values unresolved and says so", () => {
    const { view, document } = doc(
      "helmfile.yaml",
      "releases:\n  - {name: api, namespace: backend, chart: org/api, values: [api.yaml.gotmpl]}\n",
    );
    const [draft] = helmfile.releases!(view, document, null);
    expect(draft!.layers.map((layer) => layer.source)).toEqual([
      { kind: "unresolved", file: "api.yaml.gotmpl", description: "Go template values file" },
    ]);
  });
});

describe("kustomize", () => {
  it("is a kustomization by group or by file name, never a Flux Kustomization", () => {
    expect(kustomize.detect("base/kustomization.yml", { resources: [] })).toBe("kustomization");
    expect(
      kustomize.detect("k.yaml", { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" }),
    ).toBe("kustomization");
    expect(
      kustomize.detect("kustomization.yaml", {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
      }),
    ).toBeNull();
  });

  it("stands for an object named by its folder, and gives its namespace to resources beside it", () => {
    const { view, document } = doc(
      "overlays/prod/kustomization.yaml",
      "namespace: shop-prod\nresources: [deploy.yaml]\n",
    );
    expect(kustomize.object!(document)?.id).toBe("kustomize.config.k8s.io/Kustomization//overlays/prod");
    expect(kustomizeNamespace(view, "overlays/prod/deploy.yaml")).toBe("shop-prod");
  });
});

describe("helm-chart", () => {
  it("recognises Chart.yaml by content and values files by name only as a last resort", () => {
    expect(helmChart.detect("charts/api/Chart.yaml", { apiVersion: "v2", name: "api" })).toBe("helm-chart");
    expect(helmChart.detect("charts/api/Chart.yaml", { apiVersion: "v2" })).toBeNull();
    expect(helmChart.detectByName!("env/values.staging.yaml")).toBe("helm-values");
    expect(isValuesFilePath("env/my-values.yaml")).toBe(false);
  });

  it("reviews an unread values file as a release of the chart beside it", () => {
    const { view, document } = doc("charts/api/values-prod.yaml", "replicas: 3\n", {
      "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.4.0\n",
      "charts/api/values.yaml": "replicas: 1\n",
    });
    const draft = helmChart.unreadValuesRelease!(view, document);
    expect([draft!.chart.name, draft!.chart.version, draft!.layers.map((l) => l.source.kind)]).toEqual([
      "api",
      "0.4.0",
      ["chart-defaults", "file"],
    ]);
  });
});

describe("manifests", () => {
  it("identifies an object, ignoring the namespace of cluster-scoped kinds", () => {
    const { view, document } = doc(
      "cluster/role.yaml",
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: viewer, namespace: ignored}\n",
    );
    expect(manifests.detect("x.yaml", { apiVersion: "v1", kind: "Pod", metadata: {} })).toBe(
      "kubernetes-object",
    );
    expect(manifests.detect("x.yaml", { apiVersion: "v1", kind: "Pod" })).toBeNull();
    expect(manifestObject(view, document)?.identity).toEqual({
      group: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      namespace: null,
      name: "viewer",
    });
  });
});
