import { describe, expect, it } from "@jest/globals";
import {
  chartServiceDefaults,
  familyOfChart,
  familyOfController,
  familyOfImages,
  INGRESS_CONTROLLERS,
} from "../../src/k8s/ingress-controllers.js";

describe("ingress controller families", () => {
  it("recognises a family by chart, and a generic chart name only with a matching source", () => {
    expect(familyOfChart("ingress-nginx", "https://kubernetes.github.io/ingress-nginx")?.label).toBe(
      "ingress-nginx",
    );
    expect(familyOfChart("gateway", "https://istio-release.storage.googleapis.com/charts")?.label).toBe(
      "Istio gateway",
    );
    expect(familyOfChart("gateway", "oci://registry.example.net/charts")).toBeNull();
  });

  it("recognises a family by image and by controller name", () => {
    expect(familyOfImages(["busybox:1.36", "docker.io/traefik:v3.1"])?.label).toBe("Traefik");
    expect(familyOfController("projectcontour.io/ingress-controller")?.label).toBe("Contour");
    expect(familyOfController(42)).toBeNull();
  });

  it("knows the public Service each chart creates by default, by chart name", () => {
    expect(chartServiceDefaults("kubernetes-ingress")).toEqual([
      { path: ["controller", "service"], type: "NodePort" },
    ]);
    expect(chartServiceDefaults("kong")).toEqual([{ path: ["proxy"], type: "LoadBalancer" }]);
    // A chart name from a pull request is never an inherited property.
    expect(chartServiceDefaults("toString")).toEqual([]);
    expect(chartServiceDefaults("ingress")).toEqual([]);
  });

  it("lists every default Service chart among its family's charts", () => {
    for (const family of INGRESS_CONTROLLERS) {
      for (const chart of Object.keys(family.defaultServices ?? {})) expect(family.charts).toContain(chart);
    }
  });
});
