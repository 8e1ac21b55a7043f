import { describe, expect, it } from "@jest/globals";
import { origin, releases } from "../model/helpers.js";

function fluxRelease(apiVersion: string, spec: string, name = "traefik", namespace = "flux-system"): string {
  return `apiVersion: ${apiVersion}
kind: HelmRelease
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}`;
}

const FLUX_CHART = `  chart:
    spec:
      chart: traefik
      version: 30.0.0
      sourceRef:
        kind: HelmRepository
        name: traefik
        namespace: flux-system
`;

/** A values file both Flux and Argo CD releases read (`ports.web.port` on line 4, `owner` on line 10). */
const TRAEFIK_VALUES = `replicas: 1
ports:
  web:
    port: 80
  websecure:
    port: 443
service:
  type: ClusterIP
  annotations:
    owner: platform
`;

describe("Flux HelmRelease", () => {
  it.each(["helm.toolkit.fluxcd.io/v2", "helm.toolkit.fluxcd.io/v2beta1", "helm.toolkit.fluxcd.io/v2beta2"])(
    "models %s with chart name, version and source",
    (apiVersion) => {
      const [release, ...rest] = releases({ "apps/hr.yaml": fluxRelease(apiVersion, FLUX_CHART) });

      expect(rest).toEqual([]);
      expect(release).toMatchObject({
        id: "release/flux-system/traefik",
        namespace: "flux-system",
        releaseName: "traefik",
        origin: "flux",
        chart: {
          name: "traefik",
          version: "30.0.0",
          source: "HelmRepository/traefik",
          versionLocation: { file: "apps/hr.yaml", line: 10 },
        },
        location: { file: "apps/hr.yaml", line: 1 },
        declaredBy: "helm.toolkit.fluxcd.io/HelmRelease/flux-system/traefik",
      });
    },
  );

  it.each([
    ["no targetNamespace: the object's name and namespace", "", "flux-system", "traefik"],
    [
      "targetNamespace: `<targetNamespace>-<name>` in that namespace",
      "  targetNamespace: ingress\n",
      "ingress",
      "ingress-traefik",
    ],
    ["explicit releaseName wins", "  targetNamespace: ingress\n  releaseName: edge\n", "ingress", "edge"],
  ])("release name with %s", (_, extra, namespace, releaseName) => {
    const [release] = releases({ "hr.yaml": fluxRelease("helm.toolkit.fluxcd.io/v2", extra + FLUX_CHART) });

    expect([release!.namespace, release!.releaseName, release!.id]).toEqual([
      namespace,
      releaseName,
      `release/${namespace}/${releaseName}`,
    ]);
  });

  it("lives in the namespace a kustomization.yaml gives the HelmRelease", () => {
    const manifest = fluxRelease("helm.toolkit.fluxcd.io/v2", FLUX_CHART).replace(
      "  namespace: flux-system\n",
      "",
    );
    const [release] = releases(
      { "apps/hr.yaml": manifest },
      { "apps/kustomization.yaml": "namespace: ingress\nresources: [hr.yaml]\n" },
    );

    expect([release!.id, release!.namespace, release!.declaredBy]).toEqual([
      "release/ingress/traefik",
      "ingress",
      "helm.toolkit.fluxcd.io/HelmRelease/ingress/traefik",
    ]);
  });

  it("merges valuesFrom (a configMapGenerator over values files) in order, then inline values", () => {
    // Arrange: two generated ConfigMaps, read in order, then spec.values on top.
    const hr = fluxRelease(
      "helm.toolkit.fluxcd.io/v2",
      `${FLUX_CHART}  valuesFrom:
    - kind: ConfigMap
      name: traefik-base
    - kind: ConfigMap
      name: traefik-prod
      valuesKey: prod.yaml
  values:
    replicas: 3
    ports:
      websecure: null
    service:
      annotations:
        team: edge
`,
    );
    const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - helmrelease.yaml
configMapGenerator:
  - name: traefik-base
    files:
      - values.yaml=values/base.yaml
  - name: traefik-prod
    files:
      - values/prod.yaml
`;
    const base = `${TRAEFIK_VALUES}tolerations:
  - key: a
  - key: b
`;
    const prod = `service:
  type: LoadBalancer
tolerations:
  - key: c
`;

    // Act
    const [release] = releases(
      { "infra/traefik/helmrelease.yaml": hr },
      {
        "infra/traefik/kustomization.yaml": kustomization,
        "infra/traefik/values/base.yaml": base,
        "infra/traefik/values/prod.yaml": prod,
      },
    );

    // Assert
    expect(release!.valueSources).toEqual([
      { kind: "file", file: "infra/traefik/values/base.yaml" },
      { kind: "file", file: "infra/traefik/values/prod.yaml" },
      { kind: "inline", file: "infra/traefik/helmrelease.yaml" },
    ]);
    expect(release!.values.value).toEqual({
      replicas: 3, // inline over files
      ports: { web: { port: 80 } }, // null deletes websecure
      service: { type: "LoadBalancer", annotations: { owner: "platform", team: "edge" } }, // maps deep-merge
      tolerations: [{ key: "c" }], // lists replace
    });
    expect(origin(release!, "replicas")).toBe("infra/traefik/helmrelease.yaml:22");
    expect(origin(release!, "ports", "web", "port")).toBe("infra/traefik/values/base.yaml:4");
    expect(origin(release!, "service", "type")).toBe("infra/traefik/values/prod.yaml:2");
    expect(origin(release!, "service", "annotations", "owner")).toBe("infra/traefik/values/base.yaml:10");
    expect(origin(release!, "service", "annotations", "team")).toBe("infra/traefik/helmrelease.yaml:27");
    expect(origin(release!, "tolerations", 0, "key")).toBe("infra/traefik/values/prod.yaml:4");
  });

  it("reads valuesFrom a ConfigMap manifest in the repo, with lines inside its data block", () => {
    const hr = fluxRelease(
      "helm.toolkit.fluxcd.io/v2beta2",
      `${FLUX_CHART}  valuesFrom:
    - kind: ConfigMap
      name: traefik-values
`,
    );
    const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: traefik-values
  namespace: flux-system
data:
  values.yaml: |
    replicas: 2
    logs:
      level: debug
`;

    const [release] = releases({ "apps/hr.yaml": hr }, { "apps/cm.yaml": configMap });

    expect(release!.values.value).toEqual({ replicas: 2, logs: { level: "debug" } });
    expect(origin(release!, "logs", "level")).toBe("apps/cm.yaml:10");
  });

  it("keeps a valuesFrom it cannot see as an unresolved layer", () => {
    const hr = fluxRelease(
      "helm.toolkit.fluxcd.io/v2",
      `${FLUX_CHART}  valuesFrom:
    - kind: Secret
      name: traefik-secrets
  values:
    replicas: 1
`,
    );

    const [release] = releases({ "hr.yaml": hr });

    expect(release!.valueSources).toEqual([
      {
        kind: "unresolved",
        file: null,
        description: "Secret traefik-secrets (key values.yaml) is read from the cluster",
      },
      { kind: "inline", file: "hr.yaml" },
    ]);
    expect(release!.values.value).toEqual({ replicas: 1 });
  });
});

describe("Argo CD Application", () => {
  /** An Application `web` deploying to namespace `web`, with this body under `source:`. */
  function webApplication(source: string): string {
    return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec:
  destination:
    namespace: web
  source:
${source}`;
  }

  const multiSource = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: traefik
  namespace: argocd
spec:
  destination:
    namespace: ingress
  sources:
    - repoURL: https://traefik.github.io/charts
      chart: traefik
      targetRevision: 30.0.0
      helm:
        releaseName: edge
        valueFiles:
          - $values/apps/traefik/values.yaml
          - $values/apps/traefik/values-prod.yaml
        values: |
          replicas: 4
          service:
            type: LoadBalancer
        parameters:
          - name: ports.web.port
            value: "8080"
          - name: image.tag
            value: "3"
            forceString: true
    - repoURL: https://github.com/example/gitops.git
      targetRevision: main
      ref: values
`;
  const prodFile = `replicas: 2
service:
  annotations: null
`;

  it("models `sources` with a `$values` ref: files, values string, then parameters", () => {
    const [release, ...rest] = releases(
      { "apps/traefik/app.yaml": multiSource },
      { "apps/traefik/values.yaml": TRAEFIK_VALUES, "apps/traefik/values-prod.yaml": prodFile },
    );

    expect(rest).toEqual([]); // the ref source is not a release
    expect(release).toMatchObject({
      id: "release/ingress/edge",
      origin: "argocd",
      chart: {
        name: "traefik",
        version: "30.0.0",
        source: "https://traefik.github.io/charts",
        versionLocation: { file: "apps/traefik/app.yaml", line: 12 },
      },
      location: { file: "apps/traefik/app.yaml", line: 10 },
      declaredBy: "argoproj.io/Application/argocd/traefik",
    });
    expect(release!.valueSources.map((source) => [source.kind, source.file])).toEqual([
      ["file", "apps/traefik/values.yaml"],
      ["file", "apps/traefik/values-prod.yaml"],
      ["inline", "apps/traefik/app.yaml"],
      ["parameters", "apps/traefik/app.yaml"],
    ]);
    expect(release!.values.value).toEqual({
      replicas: 4,
      ports: { web: { port: 8080 }, websecure: { port: 443 } }, // "8080" typed like --set
      service: { type: "LoadBalancer" }, // values-prod deleted the annotations
      image: { tag: "3" }, // forceString keeps the string
    });
    // The values string's lines are offset into the manifest.
    expect(origin(release!, "replicas")).toBe("apps/traefik/app.yaml:19");
    expect(origin(release!, "service", "type")).toBe("apps/traefik/app.yaml:21");
    expect(origin(release!, "ports", "web", "port")).toBe("apps/traefik/app.yaml:23");
    expect(origin(release!, "ports", "websecure", "port")).toBe("apps/traefik/values.yaml:6");
    expect(origin(release!, "image", "tag")).toBe("apps/traefik/app.yaml:25");
  });

  it("reads `$values/...` from the root of the ref source's repository, not from its `path`", () => {
    const withPath = multiSource.replace("      ref: values\n", "      ref: values\n      path: manifests\n");
    const [release] = releases(
      { "apps/traefik/app.yaml": withPath },
      { "apps/traefik/values.yaml": TRAEFIK_VALUES, "apps/traefik/values-prod.yaml": prodFile },
    );

    expect(release!.valueSources.slice(0, 2)).toEqual([
      { kind: "file", file: "apps/traefik/values.yaml" },
      { kind: "file", file: "apps/traefik/values-prod.yaml" },
    ]);
  });

  it("models `source` with a chart in the repo: Chart.yaml, default values, valueFiles, valuesObject", () => {
    const app = webApplication(`    repoURL: https://github.com/example/gitops.git
    path: charts/web
    targetRevision: main
    helm:
      valueFiles:
        - values-prod.yaml
      valuesObject:
        resources:
          limits: null
        ingress:
          hosts: [web.example.com]
`);
    const [release] = releases(
      { "argocd/web.yaml": app },
      {
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.2.0\n",
        "charts/web/values.yaml":
          "replicas: 1\nresources:\n  limits:\n    cpu: 1\ningress:\n  hosts: [a, b]\n",
        "charts/web/values-prod.yaml": "replicas: 3\n",
      },
    );

    expect(release).toMatchObject({
      id: "release/web/web",
      releaseName: "web",
      chart: { name: "web", version: "main", source: "https://github.com/example/gitops.git" },
    });
    expect(release!.valueSources.map((source) => [source.kind, source.file])).toEqual([
      ["chart-defaults", "charts/web/values.yaml"],
      ["file", "charts/web/values-prod.yaml"],
      ["inline", "argocd/web.yaml"],
    ]);
    expect(release!.values.value).toEqual({
      replicas: 3,
      resources: {},
      ingress: { hosts: ["web.example.com"] },
    });
    expect(origin(release!, "replicas")).toBe("charts/web/values-prod.yaml:1");
    expect(origin(release!, "ingress", "hosts", 0)).toBe("argocd/web.yaml:19");
  });

  it("takes valuesObject instead of the values string when both are set (as Argo CD does)", () => {
    const app = webApplication(`    repoURL: https://charts.example.com
    chart: web
    targetRevision: 1.0.0
    helm:
      values: |
        fromString: true
        replicas: 1
      valuesObject:
        replicas: 2
`);

    const [release] = releases({ "app.yaml": app });

    expect(release!.values.value).toEqual({ replicas: 2 });
  });

  it("lists a valueFiles entry it cannot find as unresolved", () => {
    const app = multiSource.replace("values-prod.yaml", "values-missing.yaml");

    const [release] = releases(
      { "apps/traefik/app.yaml": app },
      { "apps/traefik/values.yaml": TRAEFIK_VALUES },
    );

    expect(release!.valueSources[1]).toEqual({
      kind: "unresolved",
      file: "apps/traefik/values-missing.yaml",
      description: "value file $values/apps/traefik/values-missing.yaml",
    });
  });
});

describe("helmfile", () => {
  const helmfile = `repositories:
  - name: traefik
    url: https://traefik.github.io/charts
releases:
  - name: traefik
    namespace: ingress
    chart: traefik/traefik
    version: 30.0.0
    values:
      - values/traefik.yaml
      - values/traefik-prod.yaml
      - replicas: 5
        logs:
          level: info
    set:
      - name: ports.web.port
        value: 8000
  - name: web
    namespace: apps
    chart: ./charts/web
`;

  it("models each release with chart name, version and source, and merges files, inline values and set", () => {
    const found = releases(
      { "helmfile.yaml": helmfile },
      {
        "values/traefik.yaml":
          "replicas: 1\nlogs:\n  level: error\n  format: json\nports:\n  web:\n    port: 80\n",
        "values/traefik-prod.yaml": "logs:\n  format: null\n",
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.3.0\n",
        "charts/web/values.yaml": "replicas: 1\n",
      },
    );

    expect(
      found.map((release) => [
        release.id,
        release.origin,
        release.chart.name,
        release.chart.version,
        release.chart.source,
      ]),
    ).toEqual([
      ["release/ingress/traefik", "helmfile", "traefik", "30.0.0", "traefik/traefik"],
      ["release/apps/web", "helmfile", "web", null, "./charts/web"],
    ]);
    const [traefik, web] = found;
    expect(traefik!.chart.versionLocation).toEqual({ file: "helmfile.yaml", line: 8 });
    expect(traefik!.location).toEqual({ file: "helmfile.yaml", line: 5 });
    expect(traefik!.valueSources.map((source) => [source.kind, source.file])).toEqual([
      ["file", "values/traefik.yaml"],
      ["file", "values/traefik-prod.yaml"],
      ["inline", "helmfile.yaml"],
      ["parameters", "helmfile.yaml"],
    ]);
    expect(traefik!.values.value).toEqual({
      replicas: 5,
      logs: { level: "info" },
      ports: { web: { port: 8000 } },
    });
    expect(origin(traefik!, "replicas")).toBe("helmfile.yaml:12");
    expect(origin(traefik!, "logs", "level")).toBe("helmfile.yaml:14");
    expect(origin(traefik!, "ports", "web", "port")).toBe("helmfile.yaml:16");
    expect(web!.valueSources).toEqual([{ kind: "chart-defaults", file: "charts/web/values.yaml" }]);
    expect(web!.values.value).toEqual({ replicas: 1 });
    expect(origin(web!, "replicas")).toBe("charts/web/values.yaml:1");
  });
});

describe("a chart in the repo", () => {
  it("reviews a changed values file beside a Chart.yaml as a release of that chart", () => {
    const [release] = releases(
      { "charts/web/values-prod.yaml": "replicas: 3\n" },
      {
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.2.0\n",
        "charts/web/values.yaml": "replicas: 1\nimage: web:1\n",
      },
    );

    expect(release).toMatchObject({
      origin: "chart",
      chart: {
        name: "web",
        version: "1.2.0",
        source: "charts/web",
        versionLocation: { file: "charts/web/Chart.yaml", line: 3 },
      },
    });
    expect(release!.values.value).toEqual({ replicas: 3, image: "web:1" });
  });
});
