import { describe, expect, it } from "@jest/globals";
import { releaseAssets } from "../../src/k8s/release-assets.js";
import { releaseWith } from "./helpers.js";

describe("what uninstalling a release destroys", () => {
  it("finds nested persistence, claim templates and CRD switches", () => {
    const release = releaseWith(
      "postgresql",
      "primary:\n  persistence: {enabled: true, size: 20Gi}\ninstallCRDs: true\nmetrics: {enabled: false}",
    );

    expect(releaseAssets(release).map((asset) => [asset.kind, asset.text])).toEqual([
      ["persistence", "primary.persistence (PVC, 20Gi)"],
      ["crds", "installCRDs (CRDs installed by the release)"],
    ]);
  });

  it("counts app-template claims it creates but not existing claims, and a chart's default LoadBalancer", () => {
    const release = releaseWith(
      "ingress-nginx",
      "persistence:\n  cache: {type: persistentVolumeClaim, size: 1Gi}\n  media: {existingClaim: media-nfs}",
    );

    expect(releaseAssets(release).map((asset) => asset.text)).toEqual([
      "persistence.cache (PVC)",
      "controller.service (type LoadBalancer, chart default)",
    ]);
  });

  it("finds nothing without a release", () => {
    expect(releaseAssets(null)).toEqual([]);
  });
});
