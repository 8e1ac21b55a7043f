import { rules as catalogue } from "../../rules/index.js";
import { afterEach, describe, expect, it } from "@jest/globals";
import { reviewChangeSet } from "../../src/engine/review.js";
import { changeSetFromGit } from "../../src/source/git.js";
import { TempRepo } from "../source/git-repo.js";
import { TRAEFIK_KUSTOMIZATION } from "./review-helpers.js";

const repos: TempRepo[] = [];

afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

function helmRelease(replicas: number): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: traefik
  namespace: flux-system
spec:
  chart:
    spec:
      chart: traefik
      version: 30.0.0
      sourceRef: {kind: HelmRepository, name: traefik}
  valuesFrom:
    - kind: ConfigMap
      name: traefik-values
  values:
    deployment:
      replicas: ${replicas}
`;
}

describe("reviewChangeSet over a local git range", () => {
  it("reads unchanged values files at the right commits and reports only what the branch changed", async () => {
    // Arrange: a feature branch bumps replicas and renames a HelmRelease file; main moves on meanwhile.
    const repo = new TempRepo();
    repos.push(repo);
    repo
      .write("infra/traefik/kustomization.yaml", TRAEFIK_KUSTOMIZATION)
      .write("infra/traefik/values-traefik.yaml", "service:\n  type: LoadBalancer\n")
      .write("infra/traefik/helmrelease.yaml", helmRelease(1))
      .write(
        "apps/web.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: apps}\ndata: {a: '1'}\n",
      );
    repo.commit("base");
    repo.git("checkout", "--quiet", "-b", "feature");
    repo.write("infra/traefik/helmrelease.yaml", helmRelease(2));
    repo.move("apps/web.yaml", "apps/web/configmap.yaml");
    repo.write("apps/broken.yaml", "a: [1\n");
    repo.commit("feature");
    repo.git("checkout", "--quiet", "main");
    repo.write("infra/traefik/values-traefik.yaml", "service:\n  type: ClusterIP\n").commit("main moves on");
    repo.git("checkout", "--quiet", "feature");

    // Act
    const { changeSet, contextReader } = await changeSetFromGit({ repo: repo.dir });
    const result = await reviewChangeSet(changeSet, { contextReader, rules: catalogue });

    // Assert
    expect(result.files).toEqual([
      { path: "apps/broken.yaml", status: "added" },
      { path: "apps/web/configmap.yaml", previousPath: "apps/web.yaml", status: "renamed" },
      { path: "infra/traefik/helmrelease.yaml", status: "modified" },
    ]);
    expect(result.problems.map(({ code, file }) => [code, file])).toEqual([
      ["yaml-syntax", "apps/broken.yaml"],
    ]);
    const changes = result.diffs.flatMap(({ pair, changes: list }) =>
      list.map((change) => `${pair.id} ${change.path} ${String(change.before)} -> ${String(change.after)}`),
    );
    expect(changes).toEqual(["release/flux-system/traefik deployment.replicas 1 -> 2"]);
    const release = result.pairs.find((pair) => pair.id === "release/flux-system/traefik")!;
    // The values file comes from the merge-base, not from main's later commit.
    expect(release.head?.type === "release" && release.head.values.value).toEqual({
      service: { type: "LoadBalancer" },
      deployment: { replicas: 2 },
    });
    expect(result.pairs.find((pair) => pair.id === "core/ConfigMap/apps/web")?.status).toBe("unchanged");
  });
});
