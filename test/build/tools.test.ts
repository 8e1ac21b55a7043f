import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { EMBEDDED, embeddedTool } from "../../src/build/embedded-tools.js";
import { probeSandbox } from "../../src/build/subprocess.js";
import { atLeast, findHelm, findKustomize } from "../../src/build/tools.js";
import { removeTree, testBuilder, writeTree } from "./helpers.js";

/** Fake binaries that print a version the way the real ones do. */
const FAKES = {
  "old/kubectl": `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"v1.20.15"},"kustomizeVersion":"v3.8.7"}'\n`,
  "new/kubectl": `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"v1.33.1"},"kustomizeVersion":"v5.6.0"}'\n`,
  "new/helm": "#!/bin/sh\nprintf v3.18.4\n",
  "old/helm": "#!/bin/sh\nprintf v3.9.0\n",
  "broken/helm": "#!/bin/sh\nexit 1\n",
};

describe("finding helm and kustomize", () => {
  let root: string;
  let home: string;
  beforeAll(async () => {
    root = await writeTree({ ...FAKES, "home/tmp/.keep": "" });
    home = join(root, "home");
    for (const path of Object.keys(FAKES)) await chmod(join(root, path), 0o755);
  });
  afterAll(async () => {
    await removeTree(root);
  });

  it("takes the first fitting binary on PATH, passing over a too-old one with a note", async () => {
    const sandbox = await probeSandbox();
    const env = { PATH: [join(root, "old"), join(root, "new")].join(":") };
    const kustomize = await findKustomize({ env, embedded: false }, sandbox, home);
    expect(kustomize).toEqual({
      ok: true,
      tool: {
        path: join(root, "new", "kubectl"),
        version: "v1.33.1",
        kustomizeVersion: "v5.6.0",
        origin: "PATH",
        flavour: "kubectl",
      },
      notes: [`${join(root, "old", "kubectl")} skipped: kubectl v1.20.15 is older than 1.27.0`],
    });
    const helm = await findHelm({ env, embedded: false }, sandbox, home);
    expect(helm).toMatchObject({ ok: true, tool: { path: join(root, "new", "helm"), version: "v3.18.4" } });
  });

  it("uses the binary an environment variable names, and says so when it does not work", async () => {
    const sandbox = await probeSandbox();
    const named = await findHelm(
      { env: { GITOPS_REVIEW_HELM: join(root, "new", "helm"), PATH: join(root, "old") } },
      sandbox,
      home,
    );
    expect(named).toMatchObject({ ok: true, tool: { origin: "GITOPS_REVIEW_HELM" } });
    const broken = await findHelm(
      { env: { GITOPS_REVIEW_HELM: join(root, "broken", "helm") } },
      sandbox,
      home,
    );
    expect(broken).toMatchObject({ ok: false, reason: expect.stringContaining("exited with code 1") });
  });

  it("is unavailable, with the reason, when nothing fits and the embedded binaries are off", async () => {
    const builder = testBuilder({
      tools: { env: { PATH: join(root, "old") }, searchPath: true, embedded: false },
    });
    try {
      const result = await builder.buildKustomization({
        snapshot: { list: async () => [], read: async () => null },
        path: "apps",
      });
      expect(result).toEqual({
        ok: false,
        kind: "unavailable",
        reason: `kustomize is not available: no kubectl found (${join(root, "old", "kubectl")} skipped: kubectl v1.20.15 is older than 1.27.0)`,
      });
    } finally {
      await builder.close();
    }
  });
});

describe("the embedded binaries", () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await writeTree({});
  });
  afterAll(async () => {
    await removeTree(cacheDir);
  });

  it("extracts helm once under concurrent first use and runs the pinned version", async () => {
    const [a, b] = await Promise.all([
      embeddedTool("helm", cacheDir),
      embeddedTool("helm", join(cacheDir, ".")),
    ]);
    expect(a).toEqual({ ok: true, path: join(cacheDir, "tools", EMBEDDED.helm.sha256.slice(0, 16), "helm") });
    expect(b).toEqual(a);
    const sandbox = await probeSandbox();
    const helm = await findHelm({ env: {}, searchPath: false, cacheDir }, sandbox, cacheDir);
    expect(helm).toMatchObject({ ok: true, tool: { version: "v4.1.4", origin: "embedded" } });
  });
});

it("compares versions by their numbers only", () => {
  expect(atLeast("v1.32.4-dispatcher", "1.27.0")).toBe(true);
  expect(atLeast("v1.26.9", "1.27.0")).toBe(false);
  expect(atLeast("garbage", "1.0.0")).toBe(false);
});
