import { describe, expect, it } from "@jest/globals";
import {
  describeRevision,
  isVersion,
  parseRepoUrl,
  revisionKind,
  sameRevision,
} from "../../src/k8s/gitops-sources.js";

describe("repository URLs", () => {
  it("reads https, scp-like and ssh URLs of one repository the same way", () => {
    const https = parseRepoUrl("https://GitHub.com/Acme/Fleet-Infra.git");
    const scp = parseRepoUrl("git@github.com:acme/fleet-infra.git");
    const ssh = parseRepoUrl("ssh://git@github.com:22/acme/fleet-infra");

    expect(https).toEqual({
      normalized: "github.com/acme/fleet-infra",
      owner: "github:acme",
      ownerText: "acme",
    });
    expect(scp?.normalized).toBe(https?.normalized);
    expect(ssh?.normalized).toBe(https?.normalized);
  });

  it("gives shared hosts' accounts, pages sites and single-tenant servers an owner", () => {
    expect(parseRepoUrl("oci://ghcr.io/acme/charts")?.owner).toBe("github:acme");
    expect(parseRepoUrl("https://acme.github.io/helm-charts")?.owner).toBe("github:acme");
    expect(parseRepoUrl("https://dev.azure.com/v3/contoso/infra/_git/fleet")?.owner).toBe("azure:contoso");
    expect(parseRepoUrl("https://git.internal.example:8443/platform/fleet")?.owner).toBe(
      "git.internal.example",
    );
    expect(parseRepoUrl("  ")).toBeNull();
  });
});

describe("revisions", () => {
  it("tells commits, versions, default and other branches apart", () => {
    expect(revisionKind("9f3c2e1a7b", null)).toBe("commit");
    expect(revisionKind("v1.4.2", null)).toBe("version");
    expect(revisionKind(">=2.0.0 <3", null)).toBe("version");
    expect(revisionKind("HEAD", null)).toBe("default");
    expect(revisionKind("feature/new-ingress", null)).toBe("branch");
    expect(revisionKind("release-candidate", "tag")).toBe("tag");
    expect(isVersion("main")).toBe(false);
  });

  it("treats an empty revision and HEAD as the same default branch", () => {
    expect(sameRevision({ text: "", kind: "default" }, { text: "HEAD", kind: "default" })).toBe(true);
    expect(sameRevision({ text: "main", kind: "default" }, { text: "HEAD", kind: "default" })).toBe(false);
    expect(describeRevision({ text: "", kind: "default" })).toBe("the default branch (HEAD)");
    expect(describeRevision({ text: "1.2.3", kind: "version" })).toBe("version 1.2.3");
  });
});
