import { buildSide } from "../../src/formats/registry.js";
import type { HelmRelease, KubeObject } from "../../src/model/types.js";
import { repoView } from "../model/helpers.js";

/** The first Kubernetes object of a manifest, as the model builds it. */
export function objectOf(manifest: string, path = "clusters/edge/workloads/app.yaml"): KubeObject {
  const subject = buildSide(repoView({ [path]: manifest })).find((s) => s.type === "object");
  if (!subject || subject.type !== "object") throw new Error("no object in manifest");
  return subject;
}

/** The release a Flux HelmRelease with these values (YAML, indented under `values:`) declares. */
export function releaseWith(chart: string, values: string, name = "edge"): HelmRelease {
  const manifest = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: ${name}, namespace: platform}
spec:
  chart:
    spec: {chart: ${chart}, version: 1.0.0, sourceRef: {kind: HelmRepository, name: charts}}
  values:
${values
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}
`;
  const subject = buildSide(repoView({ "platform/releases/edge.yaml": manifest })).find(
    (s) => s.type === "release",
  );
  if (!subject || subject.type !== "release") throw new Error("no release");
  return subject;
}
