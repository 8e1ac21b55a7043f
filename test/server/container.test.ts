/**
 * The image cannot be built here: what can be checked is checked. Its tools are the versions the
 * code expects, and it starts what `npm start` starts.
 */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { EXPECTED_TOOLS } from "../../src/server/tools.js";

const ROOT = new URL("../../", import.meta.url);
const dockerfile = readFileSync(new URL("Dockerfile", ROOT), "utf8");
const packageJson = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as {
  scripts: Record<string, string>;
};

function arg(name: string): string | undefined {
  return new RegExp(`^ARG ${name}=(\\S+)$`, "m").exec(dockerfile)?.[1];
}

describe("Dockerfile", () => {
  it("pins helm and kubectl at the versions the review expects, with checksums", () => {
    expect(arg("HELM_VERSION")).toBe(EXPECTED_TOOLS.helm.version);
    expect(arg("KUBECTL_VERSION")).toBe(EXPECTED_TOOLS.kubectl.version);
    // The official binaries, the same bytes the build stage checks in the npm package.
    expect(arg("HELM_SHA256")).toBe(EXPECTED_TOOLS.helm.sha256);
    expect(arg("KUBECTL_SHA256")).toBe(EXPECTED_TOOLS.kubectl.sha256);
    expect(dockerfile).toContain('echo "${HELM_SHA256}  /usr/local/bin/helm" | sha256sum -c -');
    expect(dockerfile).toContain('echo "${KUBECTL_SHA256}  /usr/local/bin/kubectl" | sha256sum -c -');
  });

  it("runs what npm start runs, as a non-root user, on all interfaces, with a health check", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect((JSON.parse(cmd ?? "[]") as string[]).join(" ")).toBe(packageJson.scripts.start);
    const stages = dockerfile.split(/^FROM /m);
    const final = stages.at(-1) ?? "";
    expect(final).toMatch(/^node:20-[a-z]+-slim\n/);
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/HOST=0\.0\.0\.0/);
    expect(final).toMatch(/npm ci --omit=dev/);
    expect(final).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
  });
});
