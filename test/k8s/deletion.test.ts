import { describe, expect, it } from "@jest/globals";
import { annotationOf, deletionProtection } from "../../src/k8s/deletion.js";
import { objectOf } from "./helpers.js";

function pvc(annotations: string): ReturnType<typeof objectOf> {
  return objectOf(`apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: media
  namespace: home
  annotations: {${annotations}}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 50Gi}}}
`);
}

describe("deletion protection", () => {
  it("names the annotation that keeps an object removed from git", () => {
    expect(deletionProtection(pvc('"kustomize.toolkit.fluxcd.io/prune": disabled'))).toBe(
      "kustomize.toolkit.fluxcd.io/prune: disabled",
    );
    expect(
      deletionProtection(pvc('"argocd.argoproj.io/sync-options": "ServerSideApply=true, Delete=false"')),
    ).toBe("argocd.argoproj.io/sync-options: ServerSideApply=true, Delete=false");
    expect(deletionProtection(pvc('"helm.sh/resource-policy": keep'))).toBe("helm.sh/resource-policy: keep");
  });

  it("finds nothing for other values or no object", () => {
    expect(deletionProtection(pvc('"argocd.argoproj.io/sync-options": "Prune=true"'))).toBeNull();
    expect(deletionProtection(null)).toBeNull();
    expect(annotationOf(pvc('"team": storage'), "team")).toBe("storage");
  });
});
