import { describe, expect, it } from "@jest/globals";
import {
  appTemplateEntries,
  normalizeMountPath,
  objectMounts,
  pathRelation,
  persistenceBlocks,
  quantityBytes,
  releaseMounts,
  renderReleaseName,
} from "../../src/k8s/storage.js";
import { objectOf, releaseWith } from "./helpers.js";

describe("mount paths", () => {
  it("normalises spellings and relates paths", () => {
    expect(normalizeMountPath("//srv/./data/")).toBe("/srv/data");
    expect(pathRelation("/srv/data/acme", "/srv/data/")).toBe("child");
    expect(pathRelation("/srv", "/srv/data")).toBe("parent");
    expect(pathRelation("/srv/data", "/srv//data")).toBe("same");
    expect(pathRelation("/etc", "/srv")).toBeNull();
  });

  it("reads Kubernetes quantities", () => {
    expect(quantityBytes("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(quantityBytes(500)).toBe(500);
    expect(quantityBytes("lots")).toBeNull();
  });
});

describe("mounts of a workload", () => {
  it("reads every container mount with its volume's source, claim templates included", () => {
    const object = objectOf(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: minio, namespace: storage}
spec:
  volumeClaimTemplates: [{metadata: {name: export}}]
  template:
    spec:
      volumes: [{name: tls, secret: {secretName: minio-tls}}]
      containers:
        - name: minio
          volumeMounts:
            - {name: export, mountPath: /export/}
            - {name: tls, mountPath: /certs, subPath: public.crt}
`);

    expect(
      objectMounts(object).map((m) => [m.volume, m.mountPath, m.sourceLabel, m.persistent, m.subPath]),
    ).toEqual([
      ["export", "/export", "StatefulSet volumeClaimTemplate export", true, null],
      ["tls", "/certs", "Secret minio-tls", false, "public.crt"],
    ]);
  });
});

describe("persistence in chart values", () => {
  it("reads one persistence block, nested blocks, and Traefik's implicit /data", () => {
    const traefik = releaseWith("traefik", "ports: {web: {port: 8000}}");
    const bitnami = releaseWith("redis", "master:\n  persistence: {enabled: true, path: /bitnami/redis}");

    expect(persistenceBlocks(traefik).map((b) => [b.label, b.enabled, b.mountPath])).toEqual([
      ["persistence", null, "/data"],
    ]);
    expect(persistenceBlocks(bitnami).map((b) => [b.label, b.enabled, b.mountPath])).toEqual([
      ["master.persistence", true, "/bitnami/redis"],
    ]);
  });

  it("mounts app-template entries globally, at /<name> by default, and renders release-name templates", () => {
    const release = releaseWith(
      "app-template",
      'persistence:\n  config: {existingClaim: "{{ .Release.Name }}-config"}\n  cache: {type: emptyDir, globalMounts: [{path: /var/cache}]}',
      "paperless",
    );

    expect(appTemplateEntries(release).map((e) => [e.name, e.source, e.persistent])).toEqual([
      ["config", "persistentVolumeClaim", true],
      ["cache", "emptyDir", false],
    ]);
    expect(releaseMounts(release).map((m) => [m.volume, m.mountPath, m.global])).toEqual([
      ["config", "/config", true],
      ["cache", "/var/cache", true],
    ]);
    expect(renderReleaseName('{{ printf "%s-config" .Release.Name }}', "paperless")).toBe("paperless-config");
  });
});
