import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { Builder } from "../../src/build/index.js";
import { corpusRepo, describeWithCorpus, serve, testBuilder, type TestServer } from "./helpers.js";

describeWithCorpus("Helm charts from an OCI registry", () => {
  let registry: TestServer;
  let builder: Builder;
  let host: string;
  beforeAll(async () => {
    const chart = readFileSync(join(corpusRepo()!, "podinfo-6.14.1.tgz"));
    const digest = `sha256:${createHash("sha256").update(chart).digest("hex")}`;
    const manifest = JSON.stringify({
      schemaVersion: 2,
      config: {
        mediaType: "application/vnd.cncf.helm.config.v1+json",
        digest: "sha256:" + "0".repeat(64),
        size: 2,
      },
      layers: [
        { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest, size: chart.length },
      ],
    });
    registry = await serve((req, res) => {
      const url = req.url ?? "";
      if (url.startsWith("/token")) {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ token: "anonymous-pull" }));
      } else if (req.headers.authorization !== "Bearer anonymous-pull") {
        res
          .writeHead(401, {
            "www-authenticate": `Bearer realm="http://${host}/token",service="test",scope="repository:charts/podinfo:pull"`,
          })
          .end();
      } else if (url === "/v2/charts/podinfo/tags/list?n=1000") {
        res
          .writeHead(200)
          .end(JSON.stringify({ name: "charts/podinfo", tags: ["6.13.0", "6.14.1", "7.0.0-rc.1"] }));
      } else if (url === "/v2/charts/podinfo/manifests/6.14.1") {
        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(manifest);
      } else if (url === `/v2/charts/podinfo/blobs/${digest}`) {
        res.writeHead(200).end(chart);
      } else {
        res.writeHead(404).end();
      }
    });
    host = registry.url.replace("http://", "");
    builder = testBuilder({
      fetch: {
        allowedRepositories: [`oci://${host}/charts/`],
        allowAddresses: ["127.0.0.0/8"],
        plainHttpRegistries: [host],
      },
    });
  });
  afterAll(async () => {
    await builder.close();
    await registry.close();
  });

  it("resolves a range from the tags, takes a bearer token and checks the chart's digest", async () => {
    const result = await builder.renderHelmRelease({
      chart: { type: "oci", url: `oci://${host}/charts/podinfo`, version: "6.x" },
      releaseName: "podinfo",
      namespace: "apps",
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.chart).toMatchObject({ name: "podinfo", version: "6.14.1" });
    expect(result.objects.some((o) => o.kind === "Deployment" && o.name === "podinfo")).toBe(true);
    expect(registry.requests).toContain("/token?service=test&scope=repository%3Acharts%2Fpodinfo%3Apull");
  });

  it("refuses a registry path that is not allowed", async () => {
    const result = await builder.renderHelmRelease({
      chart: { type: "oci", url: `oci://${host}/other/podinfo`, version: "6.x" },
      releaseName: "podinfo",
      namespace: "apps",
    });
    expect(result).toMatchObject({ ok: false, kind: "refused" });
  });
});
