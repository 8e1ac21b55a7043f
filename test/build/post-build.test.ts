import { describe, expect, it } from "@jest/globals";
import { envsubst } from "../../src/build/envsubst.js";
import { applyPostBuild } from "../../src/build/post-build.js";

const vars: Record<string, string> = {
  cluster_env: "prod",
  region: "eu-central-1",
  empty: "",
  path: "a/b/c.tar.gz",
};
const lookup = (name: string) => vars[name];

describe("envsubst (fluxcd/pkg/envsubst)", () => {
  it.each([
    ["${cluster_env}", "prod"],
    ["${missing}", ""],
    ["${missing:=dev}", "dev"],
    ["${empty:=dev}", "dev"],
    // Not bash: every default form also replaces an empty value (funcs.go toDefault).
    ["${empty=dev}", "dev"],
    ["${missing:-x}", "x"],
    ["${region:0:2}", "eu"],
    ["${region:3}", "central-1"],
    ["${region:-1}", "eu-central-1"],
    ["${region/-/_}", "eu_central-1"],
    ["${region//-/_}", "eu_central_1"],
    ["${region/#eu/us}", "us-central-1"],
    ["${region/%1/2}", "eu-central-2"],
    ["${path#*/}", "b/c.tar.gz"],
    // Not bash either: the glob's * stops at / (Go path.Match).
    ["${path##*/}", "b/c.tar.gz"],
    ["${path%.*}", "a/b/c.tar"],
    ["${path%%.*}", "a/b/c"],
    ["${#region}", "12"],
    ["${region^^}", "EU-CENTRAL-1"],
    ["${cluster_env^}", "Prod"],
    ["$${region}", "${region}"],
    ["$region and $$", "$region and $"],
    ["${missing:=${region}}", "eu-central-1"],
    ["${missing:?boom}", "boom"],
  ])("%s -> %s", (text, expected) => {
    expect(envsubst(text, lookup)).toBe(expected);
  });

  it("rejects what the Flux parser rejects", () => {
    expect(() => envsubst("${region-default}", lookup)).toThrow("missing closing brace");
    expect(() => envsubst("${region", lookup)).toThrow();
    expect(() => envsubst("${}", lookup)).toThrow("unable to parse variable name");
  });

  it("fails on an unset variable in strict mode unless a default is given", () => {
    expect(() => envsubst("${missing}", lookup, true)).toThrow('variable not set (strict mode): "missing"');
    expect(envsubst("${missing:=dev}", lookup, true)).toBe("dev");
  });
});

const built = [
  "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  type: LoadBalancer\n  loadBalancerIP: ${lb_ip}\n",
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: script\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  run.sh: echo ${HOME}\n",
  "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels:\n    env: ${cluster_env:=dev}\n",
].join("---\n");

describe("applyPostBuild (Kustomization spec.postBuild)", () => {
  it("takes substituteFrom in order, then substitute over them, and skips disabled resources", () => {
    const result = applyPostBuild(built, {
      substituteFrom: [
        { kind: "ConfigMap", name: "cluster-vars", data: { lb_ip: "10.0.0.1", cluster_env: "staging" } },
        { kind: "Secret", name: "cluster-secrets", data: { lb_ip: "203.0.113.7\n" } },
      ],
      substitute: { cluster_env: "prod" },
    });
    expect(result.ok).toBe(true);
    const text = result.ok ? result.text : "";
    expect(text).toContain("loadBalancerIP: 203.0.113.7\n");
    expect(text).toContain("env: prod\n");
    expect(text).toContain("run.sh: echo ${HOME}\n");
  });

  it("does nothing when no variable and no source is declared, as Flux does", () => {
    expect(applyPostBuild(built, {})).toEqual({ ok: true, text: built });
  });

  it("fails on a missing source unless it is optional", () => {
    const missing = { kind: "ConfigMap" as const, name: "cluster-vars", data: null };
    expect(applyPostBuild(built, { substituteFrom: [missing] })).toEqual({
      ok: false,
      reason: "substitute from 'ConfigMap/cluster-vars': not found in the repository",
    });
    expect(
      applyPostBuild(built, {
        substituteFrom: [{ ...missing, optional: true }],
        substitute: { lb_ip: "1.2.3.4" },
      }).ok,
    ).toBe(true);
  });

  it("checks variable names and names the resource a strict substitution failed in", () => {
    expect(applyPostBuild(built, { substitute: { "lb-ip": "x" } })).toEqual({
      ok: false,
      reason: "'lb-ip' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
    });
    expect(applyPostBuild(built, { substitute: { other: "x" }, strict: true })).toEqual({
      ok: false,
      reason: 'variable substitution failed in Service/web: variable not set (strict mode): "lb_ip"',
    });
  });
});
