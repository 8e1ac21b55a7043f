import { describe, expect, it } from "@jest/globals";
import { podSpecOf, podSpecPath, podSpecsOf, WORKLOAD_KINDS } from "../../src/k8s/workloads.js";
import { objectOf } from "./helpers.js";

const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: dump, image: "postgres:16"}]
`;

const operatorResource = `apiVersion: grafana.integreatly.org/v1beta1
kind: Grafana
metadata: {name: main, namespace: monitoring}
spec:
  deployment:
    spec:
      template:
        spec:
          containers: [{name: grafana, image: "grafana/grafana:11.0.0"}]
`;

describe("pod specs", () => {
  it("finds a CronJob's pod template under its job template", () => {
    const object = objectOf(cronJob);

    expect(podSpecPath(object)).toEqual(["spec", "jobTemplate", "spec", "template", "spec"]);
    expect(podSpecOf(object)?.containers).toEqual([{ name: "dump", image: "postgres:16" }]);
    expect(podSpecsOf(object).map((pod) => pod.path.join("."))).toEqual([
      "spec.jobTemplate.spec.template.spec",
    ]);
  });

  it("walks custom resources for embedded pod specs, which podSpecOf leaves out", () => {
    const object = objectOf(operatorResource);

    expect(podSpecsOf(object).map((pod) => pod.path.join("."))).toEqual([
      "spec.deployment.spec.template.spec",
    ]);
    expect(podSpecOf(object)).toBeNull();
  });

  it("gives nothing for a workload without a template, and knows kinds by own keys only", () => {
    const bare = objectOf(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
    );
    const odd = objectOf("apiVersion: v1\nkind: constructor\nmetadata: {name: x}\nspec: {containers: []}\n");

    expect(podSpecOf(bare)).toBeNull();
    expect(podSpecsOf(bare)).toEqual([]);
    expect(podSpecPath(odd)).toBeNull();
    expect(WORKLOAD_KINDS).toContain("StatefulSet");
  });
});
