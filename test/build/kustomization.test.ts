import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { folderSnapshot, type Builder, type RenderedObject } from "../../src/build/index.js";
import { isRemoteReference } from "../../src/build/kustomization-tree.js";
import { removeTree, testBuilder, writeTree } from "./helpers.js";

const service = (name: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    app: ${name}\n  ports:\n    - port: 80\n`;

/** A layout of our own: deploy/<app>/{common,envs/<env>}, a JSON patch and a namePrefix in the overlay. */
const TREE = {
  "deploy/shop/common/kustomization.yaml": "resources:\n  - service.yaml\n  - deployment.yaml\n",
  "deploy/shop/common/service.yaml": service("storefront"),
  "deploy/shop/common/deployment.yaml":
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: storefront\n  labels:\n    release: ${tag:=latest}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: shop:1.0.0\n",
  "deploy/shop/envs/live/kustomization.yaml": [
    "namespace: shop-live",
    "namePrefix: live-",
    "resources:",
    "  - ../../common",
    "patches:",
    "  - path: expose.json",
    "    target: { kind: Service, name: storefront }",
  ].join("\n"),
  "deploy/shop/envs/live/expose.json": '[{"op": "add", "path": "/spec/type", "value": "LoadBalancer"}]',
  "deploy/plain/a.yaml": service("alpha"),
  "deploy/plain/nested/b.yml": service("beta"),
  "deploy/plain/nested/notes.txt": "not a manifest",
  "deploy/plain/bundle/kustomization.yaml": "resources:\n  - c.yaml\n",
  "deploy/plain/bundle/c.yaml": service("gamma"),
  "deploy/remote/kustomization.yaml": "resources:\n  - github.com/example/infra//base?ref=v1.2.3\n",
  "deploy/climb/kustomization.yaml": "resources:\n  - ../../../../etc\n",
  "deploy/leaky/kustomization.yaml":
    "resources:\n  - svc.yaml\npatches:\n  - path: ../shop/envs/live/expose.json\n",
  "deploy/leaky/svc.yaml": service("leaky"),
  "deploy/broken/kustomization.yaml": "resources:\n  - missing.yaml\n",
};

const ids = (objects: RenderedObject[]) =>
  objects.map((o) => `${o.kind}/${o.namespace ?? ""}/${o.name}`).sort();

describe("kustomize builds of a repository snapshot", () => {
  let builder: Builder;
  let root: string;
  beforeAll(async () => {
    builder = testBuilder();
    root = await writeTree(TREE);
  });
  afterAll(async () => {
    await builder.close();
    await removeTree(root);
  });
  const build = (path: string, extra = {}) =>
    builder.buildKustomization({ snapshot: folderSnapshot(root), path, ...extra });

  it("applies the overlay's namePrefix, namespace and JSON patch to the base", async () => {
    const result = await build("deploy/shop/envs/live");
    if (!result.ok) throw new Error(result.reason);
    expect(ids(result.objects)).toEqual([
      "Deployment/shop-live/live-storefront",
      "Service/shop-live/live-storefront",
    ]);
    expect(result.objects.find((o) => o.kind === "Service")?.object).toMatchObject({
      spec: { type: "LoadBalancer" },
    });
    expect(result.objects.every((o) => o.source === null)).toBe(true);
  });

  it("generates a kustomization for a plain folder as kustomize-controller does", async () => {
    const result = await build("deploy/plain");
    expect(result.ok && ids(result.objects)).toEqual(["Service//alpha", "Service//beta", "Service//gamma"]);
  });

  it("writes the Flux Kustomization's targetNamespace and images, then substitutes postBuild variables", async () => {
    const result = await build("deploy/shop/common", {
      flux: {
        targetNamespace: "shop-staging",
        images: [{ name: "shop", newName: "registry.example.com/shop" }],
      },
      postBuild: { substitute: { tag: "2.4.1" } },
    });
    if (!result.ok) throw new Error(result.reason);
    const deployment = result.objects.find((o) => o.kind === "Deployment")!;
    expect(deployment.namespace).toBe("shop-staging");
    expect(deployment.object).toMatchObject({
      metadata: { labels: { release: "2.4.1" } },
      spec: { template: { spec: { containers: [{ image: "registry.example.com/shop:1.0.0" }] } } },
    });
  });

  it("refuses a remote base before running kustomize", async () => {
    const runs = builder.stats().runs;
    expect(await build("deploy/remote")).toEqual({
      ok: false,
      kind: "refused",
      reason:
        'resources entry "github.com/example/infra//base?ref=v1.2.3" in deploy/remote/kustomization.yaml is a remote reference; remote bases, resources and components are not fetched (allow them in the configuration)',
    });
    expect(builder.stats().runs).toBe(runs);
  });

  it("refuses a path out of the repository, and keeps kustomize's load restrictor on", async () => {
    expect(await build("deploy/climb")).toMatchObject({
      ok: false,
      kind: "refused",
      reason: expect.stringContaining("points outside the repository"),
    });
    const leaky = await build("deploy/leaky");
    expect(leaky).toMatchObject({ ok: false, kind: "render-failed" });
    expect(!leaky.ok && leaky.reason).toMatch(/is not in or below/);
  });

  it("says which file is missing", async () => {
    expect(await build("deploy/broken")).toEqual({
      ok: false,
      kind: "not-found",
      reason:
        'resources entry "missing.yaml" in deploy/broken/kustomization.yaml: deploy/broken/missing.yaml is not in the repository',
    });
  });
});

describe("isRemoteReference", () => {
  it.each([
    ["github.com/org/repo//deploy?ref=main", true],
    ["https://example.com/manifest.yaml", true],
    ["git@github.com:org/repo.git", true],
    ["ssh://git@gitlab.example.com/org/repo.git", true],
    ["gitlab.example.com/org/repo", true],
    ["../base", false],
    ["service.yaml", false],
    ["./nested/app.v2.yaml", false],
  ])("%s: %s", (entry, remote) => {
    expect(isRemoteReference(entry)).toBe(remote);
  });
});
